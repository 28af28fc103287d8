import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import Ajv from 'ajv';
import { IsString, MaxLength, ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * "Safe text", the one rule for ids and names that clients send (device ids, point ids, types):
 * not blank, no C0, DEL or C1 control character, and well-formed Unicode (no lone surrogate, which
 * cannot be stored as UTF-8). This pattern is its only definition: the compiled JSON schemas (the
 * fast paths), the OpenAPI document and the class-validator decorator all use it, and
 * `test/unit/safe-text.spec.ts` checks that they agree. It means the same with and without the
 * regular expression's `u` flag (OpenAPI tools differ): a surrogate pair is one code point in `u`
 * mode and two units that the second alternative accepts without it.
 */
export const SAFE_TEXT_PATTERN =
  '^(?=[\\s\\S]*\\S)(?:[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$';

const SAFE_TEXT = new RegExp(SAFE_TEXT_PATTERN);

/** The JSON schema of safe text of at most `maxLength` characters (code points, as JSON Schema counts). */
export function safeTextSchema(maxLength: number) {
  return { type: 'string', minLength: 1, maxLength, pattern: SAFE_TEXT_PATTERN } as const;
}

export function isSafeText(value: unknown): value is string {
  return typeof value === 'string' && SAFE_TEXT.test(value);
}

/**
 * Compiled schemas (the fast paths) share one Ajv instance; Ajv caches a schema compiled twice.
 * The schemas are the ones the OpenAPI document shows, whose `format`s (uuid, date-time) annotate
 * a `pattern` that does the checking: Ajv takes them as annotations.
 */
export const ajv = new Ajv({ allErrors: false, strict: true }).addFormat('uuid', true).addFormat('date-time', true);

/** The safe-text rule compiled by Ajv: the fast path of pipes that validate a single string. */
export function compileSafeText(maxLength: number) {
  return ajv.compile<string>(safeTextSchema(maxLength));
}

/**
 * What is wrong with a string the pattern refuses, for the error message. It explains; it does not
 * decide: whether a value is safe text is SAFE_TEXT_PATTERN's answer alone.
 */
function safeTextProblem(value: string): string {
  if (!/\S/.test(value)) return 'must not be empty or blank';
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'must not contain control characters';
  return 'must be well-formed Unicode (no lone surrogates)';
}

/**
 * A class-validator property of safe text of at most `max` characters, documented in OpenAPI with
 * the same schema the fast paths compile.
 */
export function IsSafeText(max: number): PropertyDecorator {
  return applyDecorators(
    ApiProperty(safeTextSchema(max)),
    IsString(),
    MaxLength(max, { message: `$property must be at most ${max} characters` }),
    ValidateBy({
      name: 'isSafeText',
      validator: {
        validate: (value: unknown) => isSafeText(value),
        defaultMessage: (args?: ValidationArguments) =>
          `${args?.property ?? 'value'} ${safeTextProblem(String(args?.value ?? ''))}`,
      },
    }),
  );
}
