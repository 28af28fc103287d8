import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, ValidateBy, type ValidationArguments } from 'class-validator';

import { parseInstant, RFC3339_PATTERN } from '../instants';

/** An instant as the OpenAPI document shows it: the pattern is its shape, parseInstant its calendar and range. */
export const INSTANT_SCHEMA = { type: 'string', format: 'date-time', pattern: RFC3339_PATTERN } as const;

/** The instant rule (parseInstant) as a class-validator constraint: the message says what is wrong. */
export function IsInstant(): PropertyDecorator {
  return ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && parseInstant(value).ok,
      defaultMessage: (args?: ValidationArguments) => {
        const parsed = typeof args?.value === 'string' ? parseInstant(args.value) : undefined;
        return `${args?.property ?? 'value'} ${parsed && !parsed.ok ? parsed.problem : 'must be a string'}`;
      },
    },
  });
}

/** An optional RFC 3339 instant with an offset (the samples API's rule, see instants.ts). */
export function IsOptionalInstant(description: string, example: string): PropertyDecorator {
  return applyDecorators(IsInstant(), IsOptional(), ApiPropertyOptional({ ...INSTANT_SCHEMA, description, example }));
}

/** A required RFC 3339 instant with an offset. */
export function IsRequiredInstant(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    IsInstant(),
    IsDefined({ message: '$property is required' }),
    ApiProperty({ ...INSTANT_SCHEMA, description, example }),
  );
}
