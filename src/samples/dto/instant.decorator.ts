import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsOptional, ValidateBy, type ValidationArguments } from 'class-validator';

import { parseInstant } from '../instants';
import { RFC3339_PATTERN } from '../sample-rules';

function isInstant(): PropertyDecorator {
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

const schema = (description: string, example: string) =>
  ({ type: 'string', format: 'date-time', pattern: RFC3339_PATTERN, description, example }) as const;

/** An optional RFC 3339 instant with an offset (the samples API's rule, see instants.ts). */
export function IsOptionalInstant(description: string, example: string): PropertyDecorator {
  return applyDecorators(isInstant(), IsOptional(), ApiPropertyOptional(schema(description, example)));
}

/** A required RFC 3339 instant with an offset. */
export function IsRequiredInstant(description: string, example: string): PropertyDecorator {
  return applyDecorators(
    isInstant(),
    IsDefined({ message: '$property is required' }),
    ApiProperty(schema(description, example)),
  );
}
