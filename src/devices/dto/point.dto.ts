import type { ItemSchema } from '../../common/json-array.pipe';
import { IsSafeText, safeTextSchema } from '../../common/safe-text';
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

/**
 * PointDto's rules as a JSON schema, from the same limits and safe-text rule as its decorators:
 * the fast path of PointListPipe (test/unit/array-bodies.spec.ts holds the two and the OpenAPI
 * document to one another).
 */
export const POINT_SCHEMA: ItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'pointType'],
  properties: {
    id: safeTextSchema(POINT_ID_MAX_LENGTH),
    pointType: safeTextSchema(POINT_TYPE_MAX_LENGTH),
  },
};
