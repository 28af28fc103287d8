import { IsSafeText } from '../../common/safe-text';
import { POINT_ID_MAX_LENGTH, POINT_TYPE_MAX_LENGTH } from './limits';

/** A point (sensor) of the device, as the client names it. */
export class PointDto {
  /**
   * Id of the point, unique within the device.
   * @example "PointId1"
   */
  @IsSafeText(POINT_ID_MAX_LENGTH)
  id!: string;

  /**
   * Type of the point.
   * @example "temperature"
   */
  @IsSafeText(POINT_TYPE_MAX_LENGTH)
  pointType!: string;
}
