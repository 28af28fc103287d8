import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';

import { METRICS_REGISTRY } from '../common/metrics-registry';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { instantForDatabase } from '../series/instants';
import { monthOf, SamplePartitions, type Month } from '../series/sample-partitions';
import { packChunks, type PackChunk } from './pack-plan';
import { REBUILD_ROLLUPS } from '../series/sample-rollups.sql';
import { PACK, PACK_CANDIDATES, TRY_LOCK_SERIES } from './history.sql';

/** What a round packed: the `npm run samples:pack` line. */
export interface PackResult {
  packedSamples: number;
  blocks: number;
  seconds: number;
}

const FIRST_ROUND_MS = 60_000;
const ROUND_EVERY_MS = 60 * 60 * 1000;

/**
 * Packs the samples older than SAMPLES_PACK_AFTER into blocks (docs/storage.md): on every
 * instance an hour apart (the first a minute after start-up), and on demand (`npm run
 * samples:pack`). Each series' rows are packed a month at a time, each month in its own
 * transaction under the series' advisory lock: an instance or a delete holding it is left to it,
 * and a crash (even SIGKILL) leaves every sample either a row or in its block, never lost or twice.
 */
@Injectable()
export class SamplePacker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SamplePacker.name);
  private readonly packAfterMs: number;
  /** Series packed at once: PGlite is one connection, a server gets two (the pool has more). */
  private readonly workers: number;
  private readonly packed: Counter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PackResult> | undefined;
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly partitions: SamplePartitions,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.packAfterMs = config.limits.samplesPackAfterMs;
    this.workers = config.database.url ? 2 : 1;
    this.packed = new Counter({
      name: 'samples_packed_total',
      help: 'Samples this instance moved from rows into packed blocks (SAMPLES_PACK_AFTER).',
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    if (this.packAfterMs === 0) return;
    this.timer = setTimeout(() => {
      void this.round();
      this.timer = setInterval(() => void this.round(), ROUND_EVERY_MS);
      this.timer.unref();
    }, FIRST_ROUND_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /**
   * Packs every sample eligible now (one round at a time per instance); 0 samples when packing is
   * off. `paced` (the scheduled rounds): one series at a time, resting as long as each transaction
   * took, so packing takes at most half a connection's time from the ingest beside it.
   */
  packEligible(now = Date.now(), paced = false): Promise<PackResult> {
    this.running ??= this.pack(now, paced).finally(() => (this.running = undefined));
    return this.running;
  }

  /** A scheduled round: never throws (a failed round is logged and retried the next hour). */
  private async round(): Promise<void> {
    try {
      const result = await this.packEligible(Date.now(), true);
      if (result.packedSamples > 0) {
        this.logger.log(`Packed ${result.packedSamples} samples into ${result.blocks} blocks in ${result.seconds} s`);
      }
    } catch (error) {
      this.logger.warn(
        `Packing failed (retried in an hour): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async pack(now: number, paced: boolean): Promise<PackResult> {
    const started = performance.now();
    const result = { packedSamples: 0, blocks: 0 };
    if (this.packAfterMs > 0) {
      const cutoffUs = (now - this.packAfterMs) * 1000;
      const candidates = await PACK_CANDIDATES.run(this.dataSource, { before: instantForDatabase(cutoffUs) });
      const series = candidates.map((candidate) => packChunks(candidate, cutoffUs)).filter((c) => c.length > 0);
      await this.partitions.ensure(series.flat().map(monthOfChunk));
      const queue = [...series];
      const packedMonths: Month[] = [];
      const worker = async () => {
        for (let chunks = queue.shift(); chunks && !this.stopping; chunks = queue.shift()) {
          for (const chunk of chunks) {
            const began = performance.now();
            const done = await this.packChunk(chunk);
            if (!done) break;
            result.packedSamples += done.packed;
            result.blocks += done.blocks;
            this.packed.inc(done.packed);
            if (done.packed > 0) packedMonths.push(monthOfChunk(chunk));
            if (paced) await new Promise((rest) => setTimeout(rest, performance.now() - began));
          }
        }
      };
      await Promise.all(Array.from({ length: paced ? 1 : this.workers }, worker));
      await this.partitions.compact([...packedMonths, ...(await this.partitions.uncompacted(cutoffUs))]);
    }
    return { ...result, seconds: Math.round((performance.now() - started) / 10) / 100 };
  }

  /** One month of one series, in its own transaction; undefined when another holds the series' lock. */
  private packChunk(chunk: PackChunk): Promise<{ packed: number; blocks: number } | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = await TRY_LOCK_SERIES.runIn(manager, chunk);
      if (!lock?.locked) return undefined;
      const [row] = await PACK.runIn(manager, chunk);
      if (row?.first_ts && row.last_ts && chunk.unit !== 'month') {
        // The days it packed into now have summaries of their new blocks (a month block has none).
        await REBUILD_ROLLUPS.runIn(manager, {
          seriesKeys: [chunk.seriesKey],
          metric: chunk.metric,
          from: row.first_ts,
          to: row.last_ts,
          toInclusive: true,
        });
      }
      return { packed: row?.packed ?? 0, blocks: row?.blocks ?? 0 };
    });
  }
}

/** The month a chunk's rows and blocks are in (a chunk never crosses a month: packChunks). */
function monthOfChunk(chunk: PackChunk): Month {
  return monthOf(Date.parse(chunk.from) * 1000);
}
