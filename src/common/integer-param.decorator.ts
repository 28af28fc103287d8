import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/**
 * An optional integer query parameter in [min, max]: parsed from the query string, validated, and
 * documented as an OpenAPI `integer` with its bounds, from one set of numbers. Anything else is a
 * 400, never a silent cap.
 */
export function OptionalIntegerParam(options: {
  min: number;
  max: number;
  default?: number;
  description: string;
}): PropertyDecorator {
  return applyDecorators(
    // class-validator checks the constraint applied first first: the type before the range.
    IsInt(),
    Min(options.min),
    Max(options.max),
    Type(() => Number),
    IsOptional(),
    ApiPropertyOptional({
      type: 'integer',
      minimum: options.min,
      maximum: options.max,
      ...(options.default === undefined ? {} : { default: options.default }),
      description: options.description,
    }),
  );
}
