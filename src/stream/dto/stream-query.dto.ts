import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

import { MetricSelectionDto } from '../../series/dto/timeseries-selection.dto';

/** Query of `GET /apollo/devices/{deviceId}/timeseries/samples/stream`: the timeseries and one metric (default Raw). */
export class StreamQueryDto extends MetricSelectionDto {}

/** A ticket's text: 32 random bytes in base64url. */
export const TICKET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Query of `GET /apollo/samples/stream`: the ticket only (what it opens was fixed when it was issued). */
export class TicketStreamQueryDto {
  @ApiProperty({
    description: 'A stream ticket from `POST .../samples/stream/tickets`: single use, valid SAMPLES_STREAM_TICKET_S.',
    example: 'Jm3Yq0sYb7t2xq9oZ7k1y0mW4eX2rC8aV5nL1pQ6uHs',
  })
  @Matches(TICKET_PATTERN, { message: 'ticket must be a stream ticket' })
  @IsString({ message: 'ticket is required' })
  ticket!: string;
}
