import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';

import { OptionalIntegerParam } from '../../common/integer-param.decorator';
import { IsOptionalInstant } from '../../series/dto/instant.decorator';
import { TimeseriesSelectionDto } from '../../series/dto/timeseries-selection.dto';
import { METRICS } from '../../series/metrics';

export const DEFAULT_SAMPLES_PAGE = 100;
export const MAX_SAMPLES_PAGE = 1000;
/** Largest `limit` any configuration allows (SAMPLES_EXPORT_LIMIT's maximum); the service checks the real one. */
const ABSOLUTE_MAX_LIMIT = 10_000_000;
export const ORDERS = ['timestamp asc', 'timestamp desc'] as const;

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
      `true: pages of \`limit\` (default ${DEFAULT_SAMPLES_PAGE}, at most ${MAX_SAMPLES_PAGE}) with a ContinuationToken. ` +
      'false: every sample of the range in one streamed answer (at most SAMPLES_EXPORT_LIMIT), or the first `limit`.',
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
