import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

import { POINT_TYPE_MAX_LENGTH } from './limits';
import { IsSafeText } from './safe-text.decorator';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Query of `GET /apollo/devices/{deviceId}/timeseries`. */
export class ListTimeseriesQueryDto {
  /**
   * Items per page, 1..1000 (default 100). Above 1000 is a 400, never a silent cap.
   * @example 100
   */
  // class-validator checks the decorator nearest the property first: the type before the range.
  @IsOptional()
  @Type(() => Number)
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt()
  limit?: number;

  // No @example: Swagger UI would prefill it in "Try it out" and silently filter the list.
  /** Only the points of this type. */
  @IsOptional()
  @IsSafeText(POINT_TYPE_MAX_LENGTH)
  pointType?: string;
}
