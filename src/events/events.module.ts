import { Module } from '@nestjs/common';

import { SampleEventSignal } from './sample-event-signal';

/**
 * The log of committed writes and deletes (sample_event, docs/stream.md): the samples feature
 * appends to it in its statements, the stream feature reads it. A layer below the features, so
 * both use it without depending on each other. Its tables are the stream feature's entities.
 */
@Module({
  providers: [SampleEventSignal],
  exports: [SampleEventSignal],
})
export class EventsModule {}
