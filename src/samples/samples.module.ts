import { Module } from '@nestjs/common';

import { EventsModule } from '../events/events.module';
import { SeriesModule } from '../series/series.module';
import { SamplesController } from './samples.controller';
import { SamplesReadService } from './samples-read.service';
import { SamplesRepository } from './samples.repository';
import { SAMPLES_TAG } from './samples.routes';
import { SamplesService } from './samples.service';
import type { Feature } from '../common/feature';

/** The values of every timeseries over time: write, read, export and delete `.../timeseries/samples`. */
@Module({
  imports: [SeriesModule, EventsModule],
  controllers: [SamplesController],
  providers: [SamplesService, SamplesReadService, SamplesRepository],
})
export class SamplesModule {}

export const SAMPLES_FEATURE: Feature = {
  module: SamplesModule,
  tag: SAMPLES_TAG,
};
