import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { SampleDto } from '../../series/dto/sample.dto';
import { METRICS } from '../../series/metrics';

/*
 * Every property of the answer DTOs below carries @ApiProperty, in answer order (the schema's
 * order is the serialized order, see src/common/response-serialization.ts).
 */

/** The newest samples of one timeseries. */
export class LatestSamplesDto {
  @ApiProperty({ format: 'uuid', example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1' })
  timeseriesId!: string;

  @ApiProperty({ enum: METRICS, example: 'Raw' })
  metric!: string;

  @ApiProperty({ type: [SampleDto], description: 'Newest first.' })
  samples!: SampleDto[];
}

/** Statistics of one timeseries over a range; an empty range has count 0 and nulls. */
export class SampleStatsDto {
  @ApiProperty({ format: 'uuid', example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1' })
  timeseriesId!: string;

  @ApiProperty({ enum: METRICS, example: 'Raw' })
  metric!: string;

  @ApiProperty({ type: 'integer', example: 96 })
  count!: number;

  @ApiProperty({ type: 'number', format: 'double', nullable: true, example: 18.25 })
  min!: number | null;

  @ApiProperty({ type: 'number', format: 'double', nullable: true, example: 23.5 })
  max!: number | null;

  @ApiProperty({ type: 'number', format: 'double', nullable: true, example: 21.04 })
  avg!: number | null;

  @ApiProperty({ type: 'number', format: 'double', nullable: true, example: 2019.84 })
  sum!: number | null;

  @ApiProperty({ type: 'string', nullable: true, example: '2026-11-26T00:00:00.000Z' })
  firstTimestamp!: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: '2026-11-26T23:45:00.000Z' })
  lastTimestamp!: string | null;

  @ApiProperty({ type: 'number', format: 'double', nullable: true, example: 19.5 })
  firstVal!: number | null;

  @ApiProperty({ type: 'number', format: 'double', nullable: true, example: 20.75 })
  lastVal!: number | null;
}

/** One calendar bucket: its cut bounds in the zone's offset, and the aggregates asked for. */
export class AggregateBucketDto {
  @ApiProperty({ description: 'Inclusive, RFC 3339 with the zone offset.', example: '2026-11-26T00:00:00+01:00' })
  start!: string;

  @ApiProperty({ description: 'Exclusive, RFC 3339 with the zone offset.', example: '2026-11-26T01:00:00+01:00' })
  end!: string;

  @ApiProperty({ type: 'integer', description: 'Samples in the bucket (always present).', example: 4 })
  count!: number;

  @ApiPropertyOptional({ type: 'number', format: 'double', nullable: true, example: 21.5 })
  avg?: number | null;

  @ApiPropertyOptional({ type: 'number', format: 'double', nullable: true, example: 20 })
  min?: number | null;

  @ApiPropertyOptional({ type: 'number', format: 'double', nullable: true, example: 23 })
  max?: number | null;

  @ApiPropertyOptional({ type: 'number', format: 'double', nullable: true, example: 86 })
  sum?: number | null;

  @ApiPropertyOptional({ type: 'number', format: 'double', nullable: true, example: 20 })
  first?: number | null;

  @ApiPropertyOptional({ type: 'number', format: 'double', nullable: true, example: 23 })
  last?: number | null;

  @ApiPropertyOptional({
    type: 'number',
    format: 'double',
    nullable: true,
    description: "Time-weighted average: each value held until the series' next sample.",
    example: 21.2,
  })
  twa?: number | null;
}

/** The buckets of one timeseries. */
export class AggregateSeriesDto {
  @ApiProperty({ format: 'uuid', example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1' })
  timeseriesId!: string;

  @ApiProperty({ enum: METRICS, example: 'Raw' })
  metric!: string;

  @ApiProperty({ example: 'PT1H' })
  granularity!: string;

  @ApiProperty({ example: 'Europe/Berlin' })
  timeZone!: string;

  @ApiProperty({ type: [AggregateBucketDto] })
  buckets!: AggregateBucketDto[];
}
