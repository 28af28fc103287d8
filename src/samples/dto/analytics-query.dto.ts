import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsOptional, IsString, Matches } from 'class-validator';

import { OptionalIntegerParam } from '../../common/integer-param.decorator';
import { AGGREGATES } from '../analytics.sql';
import { GRANULARITY_FORMS } from '../granularity';
import { DEFAULT_METRIC, METRICS } from '../metrics';
import { IsOptionalInstant, IsRequiredInstant } from './instant.decorator';
import { TimeseriesSelectionDto } from './read-samples-query.dto';

export const DEFAULT_LATEST = 10;
export const MAX_LATEST = 1000;
export const FILLS = ['none', 'null'] as const;

/** The timeseries and the metric (default Raw) every analytics route reads. */
export class MetricSelectionDto extends TimeseriesSelectionDto {
  @ApiPropertyOptional({ enum: METRICS, default: DEFAULT_METRIC })
  @IsOptional()
  @IsIn(METRICS, { message: `metric must be one of ${METRICS.join(', ')}` })
  metric?: string;
}

/** Query of `GET .../samples/latest`. */
export class LatestSamplesQueryDto extends MetricSelectionDto {
  @OptionalIntegerParam({
    min: 1,
    max: MAX_LATEST,
    default: DEFAULT_LATEST,
    description: `Newest samples per timeseries, 1..${MAX_LATEST} (default ${DEFAULT_LATEST}).`,
  })
  n?: number;

  @IsOptionalInstant('Only samples before this instant (exclusive).', '2026-11-27T00:00:00Z')
  before?: string;
}

/** Query of `GET .../samples/stats`. */
export class SampleStatsQueryDto extends MetricSelectionDto {
  @IsOptionalInstant('The first instant of the range (inclusive).', '2026-11-26T00:00:00Z')
  startTime?: string;

  @IsOptionalInstant('The end of the range (exclusive).', '2026-11-27T00:00:00Z')
  endTime?: string;
}

/** Query of `DELETE .../samples`: both ends required, so no request deletes everything by accident. */
export class DeleteSamplesQueryDto extends MetricSelectionDto {
  @IsRequiredInstant('The first instant deleted (inclusive).', '2026-11-26T00:00:00Z')
  startTime!: string;

  @IsRequiredInstant('The end of the range deleted (exclusive).', '2026-11-27T00:00:00Z')
  endTime!: string;
}

/** Query of `GET .../samples/aggregates`. */
export class SampleAggregatesQueryDto extends MetricSelectionDto {
  @IsRequiredInstant('The first instant of the range (inclusive).', '2026-11-01T00:00:00+01:00')
  startTime!: string;

  @IsRequiredInstant('The end of the range (exclusive).', '2026-12-01T00:00:00+01:00')
  endTime!: string;

  @ApiProperty({ description: `The bucket length: ${GRANULARITY_FORMS}.`, example: 'PT1H' })
  @IsString({ message: 'granularity must be a string' })
  @IsDefined({ message: 'granularity is required' })
  granularity!: string;

  @ApiPropertyOptional({
    description: `Comma-separated subset of ${AGGREGATES.join(',')} (default avg). count is in every bucket.`,
    default: 'avg',
    example: 'avg,min,max',
  })
  @IsOptional()
  @Matches(new RegExp(`^(${AGGREGATES.join('|')})(,(${AGGREGATES.join('|')}))*$`), {
    message: `aggregates must be a comma-separated subset of ${AGGREGATES.join(',')}`,
  })
  aggregates?: string;

  @ApiPropertyOptional({
    description: 'An IANA time zone, whose calendar the buckets follow.',
    default: 'UTC',
    example: 'Europe/Berlin',
  })
  @IsOptional()
  @IsString()
  timeZone?: string;

  @ApiPropertyOptional({
    enum: FILLS,
    default: 'none',
    description:
      'none: buckets without samples are left out; null: every bucket of the range, empty ones with count 0 and nulls.',
  })
  @IsOptional()
  @IsIn(FILLS, { message: 'fill must be none or null' })
  fill?: (typeof FILLS)[number];
}
