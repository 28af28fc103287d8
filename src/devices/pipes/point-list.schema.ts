import Ajv from 'ajv';

import { POINT_ID_MAX_LENGTH, POINT_TYPE_MAX_LENGTH } from '../dto/limits';

/**
 * The POST body's rules as a JSON schema, compiled once by Ajv: the fast path of PointListPipe.
 * Built from the same limits as PointDto's class-validator decorators (the declared contract); a
 * test feeds both a corpus of valid and invalid bodies and checks they agree. A body this schema
 * accepts needs no other check but duplicate ids; one it refuses goes through class-validator,
 * which names every problem.
 */
const SAFE_TEXT = {
  type: 'string',
  minLength: 1,
  // Not blank; no C0, DEL or C1 control character; no lone surrogate (\p{Cs} in Ajv's unicode mode).
  pattern: '^(?=[\\s\\S]*\\S)[^\\u0000-\\u001f\\u007f-\\u009f\\p{Cs}]*$',
} as const;

const ajv = new Ajv({ allErrors: false, strict: true });

/** The safe-text rule alone (`IsSafeText(max)`), for path parameters: the fast path of DeviceIdPipe. */
export function compileSafeTextSchema(max: number) {
  return ajv.compile<string>({ ...SAFE_TEXT, maxLength: max });
}

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
        id: { ...SAFE_TEXT, maxLength: POINT_ID_MAX_LENGTH },
        pointType: { ...SAFE_TEXT, maxLength: POINT_TYPE_MAX_LENGTH },
      },
    },
  });
}
