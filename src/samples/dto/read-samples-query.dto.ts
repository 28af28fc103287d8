import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsDefined,
  IsIn,
  IsOptional,
  Matches,
} from 'class-validator';

import { OptionalIntegerParam } from '../../common/integer-param.decorator';
import { METRICS } from '../metrics';
import { UUID, UUID_PATTERN } from '../sample-rules';
import { IsOptionalInstant } from './instant.decorator';

export const DEFAULT_SAMPLES_PAGE = 100;
export const MAX_SAMPLES_PAGE = 1000;
export const MAX_TIMESERIES_PER_READ = 100;
/** Largest `limit` any configuration allows (SAMPLES_EXPORT_LIMIT's maximum); the service checks the real one. */
const ABSOLUTE_MAX_LIMIT = 10_000_000;
export const ORDERS = ['timestamp asc', 'timestamp desc'] as const;

/** A repeatable query parameter of ids: one value is a string, several an array; here always an array, in lower case. */
const asIdList = ({ value }: { value: unknown }): unknown =>
  (Array.isArray(value) ? value : [value]).map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));

/** The timeseries a samples read or analytics request is about (shared by every samples route). */
export class TimeseriesSelectionDto {
  @ApiProperty({
    description: `Timeseries of this device, 1..${MAX_TIMESERIES_PER_READ}, distinct; repeat the parameter for several.`,
    type: 'array',
    items: { type: 'string', format: 'uuid', pattern: UUID_PATTERN },
    minItems: 1,
    maxItems: MAX_TIMESERIES_PER_READ,
    example: ['0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1'],
  })
  // class-validator checks the decorator nearest the property first: presence, ids, then counts.
  @ArrayUnique({ message: 'timeseries_ids must not name a timeseries twice' })
  @ArrayMaxSize(MAX_TIMESERIES_PER_READ, {
    message: `timeseries_ids may name at most ${MAX_TIMESERIES_PER_READ} timeseries`,
  })
  @Matches(UUID, { each: true, message: 'each of timeseries_ids must be a UUID' })
  @ArrayMinSize(1, { message: 'timeseries_ids is required' })
  @IsDefined({ message: 'timeseries_ids is required' })
  @Transform(asIdList)
  timeseries_ids!: string[];
}

/** Query of `GET /apollo/devices/{deviceId}/timeseries/samples`. */
export class ReadSamplesQueryDto extends TimeseriesSelectionDto {
  @IsOptionalInstant('The first instant of the range (inclusive).', '2026-11-26T00:00:00Z')
  startTime?: string;

  @IsOptionalInstant('The end of the range (exclusive); after startTime.', '2026-11-27T00:00:00Z')
  endTime?: string;

  @ApiPropertyOptional({ enum: METRICS, description: 'Only the samples of this metric (default: every metric).' })
  @IsOptional()
  @IsIn(METRICS, { message: `metric must be one of ${METRICS.join(', ')}` })
  metric?: string;

  @ApiPropertyOptional({ enum: ORDERS, default: 'timestamp asc' })
  @IsOptional()
  @IsIn(ORDERS, { message: `orderby must be one of: ${ORDERS.join(', ')}` })
  orderby?: (typeof ORDERS)[number];

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description:
      'true: pages of `limit` (default 100, at most 1000) with a ContinuationToken. false: every sample of the range in one streamed answer (at most SAMPLES_EXPORT_LIMIT), or the first `limit`.',
  })
  @IsOptional()
  @IsBoolean({ message: 'paginated must be true or false' })
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  paginated?: boolean;

  @OptionalIntegerParam({
    min: 1,
    max: ABSOLUTE_MAX_LIMIT,
    description: `Samples per page when paginated (1..${MAX_SAMPLES_PAGE}, default ${DEFAULT_SAMPLES_PAGE}); otherwise the most to answer (1..SAMPLES_EXPORT_LIMIT, default: every sample of the range).`,
  })
  limit?: number;
}
