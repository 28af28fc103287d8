import { ApiProperty } from '@nestjs/swagger';

import { METRICS } from '../metrics';

/** One sample as reads answer it. Every property carries @ApiProperty, in answer order. */
export class SampleDto {
  @ApiProperty({ format: 'uuid', example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1' })
  timeseriesId!: string;

  @ApiProperty({ enum: METRICS, example: 'Raw' })
  metric!: string;

  @ApiProperty({
    description: 'The instant in UTC, with 3 fractional digits, or 6 when it has microseconds.',
    example: '2026-11-26T08:00:00.123Z',
  })
  timestamp!: string;

  @ApiProperty({ type: 'number', format: 'double', example: 21.5 })
  val!: number;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    description: 'The instant in epoch milliseconds.',
    example: 1795680000123,
  })
  unixTimestamp!: number;

  @ApiProperty({
    type: 'integer',
    format: 'int64',
    description: 'When the value was written (last), in epoch milliseconds.',
    example: 1795680001456,
  })
  ingestUnixTimestamp!: number;
}
