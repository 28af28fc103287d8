import { parseArgs } from 'node:util';

import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

import { CommonModule } from '../common/common.module';
import { loadConfig, type AppConfig } from '../config/config';
import { ConfigModule } from '../config/config.module';
import { DatabaseModule } from '../database/database.module';
import { HistoryModule } from '../history/history.module';
import { SamplePacker } from '../history/sample-packer';

@Module({})
class PackModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: PackModule, imports: [ConfigModule.forRoot(config), CommonModule, DatabaseModule, HistoryModule] };
  }
}

/**
 * `npm run samples:pack`: packs every sample older than SAMPLES_PACK_AFTER now, with the service's
 * configuration (DATABASE_URL, DATA_DIR, ...), and prints one JSON line
 * `{"packedSamples", "blocks", "seconds"}`. On PostgreSQL it may run beside serving instances (the
 * series' locks keep them apart); the embedded database is one process's: stop the service first.
 * `--paced` packs as the service's scheduled rounds do: one series at a time, resting between.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { paced: { type: 'boolean', default: false } } });
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(PackModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    const result = await app.get(SamplePacker).packEligible(Date.now(), values.paced);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
