import { IsOptional } from 'class-validator';

import { OptionalIntegerParam } from '../../common/integer-param.decorator';
import { IsSafeText } from '../../common/safe-text';
import { POINT_TYPE_MAX_LENGTH } from './limits';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Query of `GET /apollo/devices/{deviceId}/timeseries`. */
export class ListTimeseriesQueryDto {
  @OptionalIntegerParam({
    min: 1,
    max: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    description: `Items per page, 1..${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE}). Above ${MAX_PAGE_SIZE} is a 400, never a silent cap.`,
  })
  limit?: number;

  // No @example: Swagger UI would prefill it in "Try it out" and silently filter the list.
  /** Only the points of this type. */
  @IsOptional()
  @IsSafeText(POINT_TYPE_MAX_LENGTH)
  pointType?: string;
}
