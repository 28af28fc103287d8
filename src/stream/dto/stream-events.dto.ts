import { ApiProperty } from '@nestjs/swagger';

import { METRICS } from '../../series/metrics';

/** `event: deleted`: a timeseries lost samples in a range (by the DELETE endpoint). */
export class DeletedEventDto {
  @ApiProperty({ format: 'uuid', example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1' })
  timeseriesId!: string;

  @ApiProperty({ enum: METRICS, example: 'Raw' })
  metric!: string;

  @ApiProperty({ description: 'The first instant of the range (inclusive).', example: '2026-11-26T00:00:00.000Z' })
  startTime!: string;

  @ApiProperty({ description: 'The end of the range (exclusive).', example: '2026-11-27T00:00:00.000Z' })
  endTime!: string;

  @ApiProperty({ type: 'integer', description: 'How many samples of this timeseries were deleted.', example: 96 })
  deleted!: number;
}

/** The last event of a stream the service ends: `overflow`, `expired` or `shutdown`. */
export class StreamEndedDto {
  @ApiProperty({ example: 'The instance is shutting down: reconnect with the last event id' })
  message!: string;
}
