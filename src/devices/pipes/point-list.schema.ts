import { ajv, safeTextSchema } from '../../common/safe-text';
import { POINT_ID_MAX_LENGTH, POINT_TYPE_MAX_LENGTH } from '../dto/limits';

/**
 * The POST body's rules as a JSON schema, compiled once by Ajv: the fast path of PointListPipe.
 * Built from the same limits and the same safe-text rule as PointDto's class-validator decorators
 * (the declared contract); a test feeds both a corpus of valid and invalid bodies and checks they
 * agree. A body this schema accepts needs no other check but duplicate ids; one it refuses goes
 * through class-validator, which names every problem.
 */
export function compilePointListSchema(maxPoints: number) {
  return ajv.compile<Array<{ id: string; pointType: string }>>({
    type: 'array',
    minItems: 1,
    maxItems: maxPoints,
    items: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'pointType'],
      properties: {
        id: safeTextSchema(POINT_ID_MAX_LENGTH),
        pointType: safeTextSchema(POINT_TYPE_MAX_LENGTH),
      },
    },
  });
}
