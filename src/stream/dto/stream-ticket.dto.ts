import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';

import { TimeseriesIdList } from '../../series/dto/timeseries-selection.dto';
import { DEFAULT_METRIC, METRICS } from '../../series/metrics';

/** An event id as streams send it (`id:`) and take it back (Last-Event-ID). */
export const EVENT_ID_PATTERN = /^[0-9]{1,15}$/;

/** Body of `POST /apollo/devices/{deviceId}/timeseries/samples/stream/tickets`: what the ticket opens. */
export class StreamTicketRequestDto {
  @TimeseriesIdList('timeseriesIds', 'body')
  timeseriesIds!: string[];

  @ApiPropertyOptional({ enum: METRICS, default: DEFAULT_METRIC })
  @IsOptional()
  @IsIn(METRICS, { message: `metric must be one of ${METRICS.join(', ')}` })
  metric?: string;

  @ApiPropertyOptional({
    description: 'Resume after this event id (the last `id:` the page received), as Last-Event-ID does.',
    pattern: EVENT_ID_PATTERN.source,
    example: '41',
  })
  @IsOptional()
  @Matches(EVENT_ID_PATTERN, { message: 'lastEventId must be an event id (digits)' })
  lastEventId?: string;
}

/** A stream ticket: open `url` (with EventSource) once, within SAMPLES_STREAM_TICKET_S. */
export class StreamTicketDto {
  @ApiProperty({ description: 'The ticket: single use.', example: 'Jm3Yq0sYb7t2xq9oZ7k1y0mW4eX2rC8aV5nL1pQ6uHs' })
  ticket!: string;

  @ApiProperty({
    description: 'The stream it opens, relative to the API: `/apollo/samples/stream?ticket=...`.',
    example: '/apollo/samples/stream?ticket=Jm3Yq0sYb7t2xq9oZ7k1y0mW4eX2rC8aV5nL1pQ6uHs',
  })
  url!: string;

  @ApiProperty({ description: 'When the ticket can no longer be used (UTC).', example: '2026-12-07T10:00:30.000Z' })
  expiresAt!: string;

  @ApiProperty({
    description:
      "Where its stream starts: after this event id (the request's lastEventId, or the newest event). A page keeps it " +
      'as its last event id until an event brings a newer one, so a stream lost before its first event resumes here.',
    example: '41',
  })
  lastEventId!: string;
}
