import { Module } from '@nestjs/common';

import type { Feature } from '../common/feature';
import { SeriesModule } from '../series/series.module';
import { SamplePacker } from './sample-packer';

/**
 * Packed history (docs/storage.md): moves samples older than SAMPLES_PACK_AFTER from rows into
 * compressed blocks, in the background and with `npm run samples:pack`. No routes: every samples
 * and analytics route reads both tiers (series/sample-blocks.sql.ts) and answers the same.
 */
@Module({
  imports: [SeriesModule],
  providers: [SamplePacker],
  exports: [SamplePacker],
})
export class HistoryModule {}

export const HISTORY_FEATURE: Feature = { module: HistoryModule };
