import { applyDecorators } from '@nestjs/common';
import { IsString, Matches, MaxLength } from 'class-validator';

import { NOT_BLANK, WITHOUT_CONTROL_CHARACTERS } from './limits';

/** A string of at most `max` characters, not blank, without control characters. */
export function IsSafeText(max: number): PropertyDecorator {
  return applyDecorators(
    IsString(),
    MaxLength(max, { message: `$property must be at most ${max} characters` }),
    Matches(NOT_BLANK, { message: '$property must not be empty or blank' }),
    Matches(WITHOUT_CONTROL_CHARACTERS, { message: '$property must not contain control characters' }),
  );
}
