import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { EventsModule } from '../events/events.module';
import { SampleEvent, SampleEventHorizon } from '../events/sample-event.entity';
import { SeriesModule } from '../series/series.module';
import { StreamController, TicketStreamController } from './stream.controller';
import { StreamHub } from './stream-hub';
import { StreamTicket } from './stream-ticket.entity';
import { STREAM_TAG } from './stream.routes';
import { StreamRepository } from './stream.repository';
import { StreamService } from './stream.service';
import type { Feature } from '../common/feature';

/** Live samples (docs/stream.md): `.../timeseries/samples/stream`, its tickets, and the hub behind them. */
@Module({
  imports: [SeriesModule, EventsModule, TypeOrmModule.forFeature([StreamTicket])],
  controllers: [StreamController, TicketStreamController],
  providers: [StreamService, StreamHub, StreamRepository],
})
export class StreamModule {}

export const STREAM_FEATURE: Feature = {
  module: StreamModule,
  tag: STREAM_TAG,
  // The event log's tables (src/events/) are read here and written by the samples feature.
  entities: [StreamTicket, SampleEvent, SampleEventHorizon],
};
