import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsOptional, Matches, ValidateBy } from 'class-validator';

import { OptionalIntegerParam } from '../../common/integer-param.decorator';
import { IsOptionalInstant, IsRequiredInstant } from '../../series/dto/instant.decorator';
import { MetricSelectionDto } from '../../series/dto/timeseries-selection.dto';
import { AGGREGATES, AGGREGATES_PATTERN, DEFAULT_AGGREGATES, FILLS, type Fill } from '../aggregates';
import {
  GRANULARITY_FORMS,
  GRANULARITY_PATTERN,
  isTimeZone,
  parseGranularity,
  TIME_ZONE_PATTERN,
} from '../granularity';

/** A refused value as the answer quotes it: short, whatever was sent. */
const shown = (value: unknown) => JSON.stringify(typeof value === 'string' ? value.slice(0, 64) : value);

export const DEFAULT_LATEST = 10;
export const MAX_LATEST = 1000;

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

/** Query of `GET .../samples/aggregates`: every parameter checked here, the bucket count by the service. */
export class SampleAggregatesQueryDto extends MetricSelectionDto {
  @IsRequiredInstant('The first instant of the range (inclusive).', '2026-11-01T00:00:00+01:00')
  startTime!: string;

  @IsRequiredInstant('The end of the range (exclusive).', '2026-12-01T00:00:00+01:00')
  endTime!: string;

  @ApiProperty({
    description: `The bucket length: ${GRANULARITY_FORMS}.`,
    pattern: GRANULARITY_PATTERN,
    example: 'PT1H',
  })
  @ValidateBy({
    name: 'isGranularity',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseGranularity(value) !== undefined,
      defaultMessage: (args) => `granularity must be one of ${GRANULARITY_FORMS}; got ${shown(args?.value)}`,
    },
  })
  @IsDefined({ message: 'granularity is required' })
  granularity!: string;

  @ApiPropertyOptional({
    description: `Comma-separated subset of ${AGGREGATES.join(',')} (default ${DEFAULT_AGGREGATES}). count is in every bucket.`,
    pattern: AGGREGATES_PATTERN,
    default: DEFAULT_AGGREGATES,
    example: 'avg,min,max',
  })
  @IsOptional()
  @Matches(new RegExp(AGGREGATES_PATTERN), {
    message: `aggregates must be a comma-separated subset of ${AGGREGATES.join(',')}`,
  })
  aggregates?: string;

  @ApiPropertyOptional({
    description: 'An IANA time zone, whose calendar the buckets follow.',
    pattern: TIME_ZONE_PATTERN,
    default: 'UTC',
    example: 'Europe/Berlin',
  })
  @IsOptional()
  @ValidateBy({
    name: 'isTimeZone',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && isTimeZone(value),
      defaultMessage: (args) => `timeZone must be an IANA time zone such as Europe/Berlin; got ${shown(args?.value)}`,
    },
  })
  timeZone?: string;

  @ApiPropertyOptional({
    enum: FILLS,
    default: 'none',
    description:
      'none: buckets without samples are left out; null: every bucket of the range, empty ones with count 0 and nulls.',
  })
  @IsOptional()
  @IsIn(FILLS, { message: 'fill must be none or null' })
  fill?: Fill;
}
