import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';

import { NOT_BLANK, SAFE_TEXT_PATTERN, WELL_FORMED_UNICODE, WITHOUT_CONTROL_CHARACTERS } from './limits';

/**
 * A string of at most `max` characters, not blank, without control characters, well-formed: validated by
 * class-validator and documented in OpenAPI from the same numbers.
 */
export function IsSafeText(max: number): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: String, minLength: 1, maxLength: max, pattern: SAFE_TEXT_PATTERN }),
    IsString(),
    MaxLength(max, { message: `$property must be at most ${max} characters` }),
    Matches(NOT_BLANK, { message: '$property must not be empty or blank' }),
    Matches(WITHOUT_CONTROL_CHARACTERS, { message: '$property must not contain control characters' }),
    Matches(WELL_FORMED_UNICODE, { message: '$property must be well-formed Unicode (no lone surrogates)' }),
  );
}
