import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsOptional,
  Matches,
} from 'class-validator';

import { UUID, UUID_SCHEMA } from '../../common/uuid';
import { DEFAULT_METRIC, METRICS } from '../metrics';

/** Most timeseries one samples request may name. */
export const MAX_TIMESERIES_PER_REQUEST = 100;

/** A repeatable query parameter of ids: one value is a string, several an array; here always an array, in lower case. */
const asIdList = ({ value }: { value: unknown }): unknown =>
  (Array.isArray(value) ? value : [value]).map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));

/** A JSON array of ids, in lower case; anything else as it came (and refused). */
const asIdArray = ({ value }: { value: unknown }): unknown =>
  Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v)) : value;

/**
 * The rule of a list of 1..MAX_TIMESERIES_PER_REQUEST distinct timeseries ids, the one definition of it:
 * `name` is the property (`timeseries_ids` in a query, repeatable; `timeseriesIds` in a JSON body, an array).
 */
export function TimeseriesIdList(name: string, where: 'query' | 'body'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      description:
        where === 'query'
          ? `Timeseries of this device, 1..${MAX_TIMESERIES_PER_REQUEST}, distinct; repeat the parameter for several.`
          : `Timeseries of this device, 1..${MAX_TIMESERIES_PER_REQUEST}, distinct.`,
      type: 'array',
      // No `format: uuid` on the items: Swagger UI's array input looks up a component for it and
      // warns in the console when it has none. The pattern is the rule (UUID_SCHEMA's, without the annotation).
      items: { type: 'string', pattern: UUID_SCHEMA.pattern },
      minItems: 1,
      maxItems: MAX_TIMESERIES_PER_REQUEST,
      // Said here: the swagger plugin reads @ArrayUnique only where it is written on the property itself.
      uniqueItems: true,
      example: ['0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1'],
    }),
    // class-validator checks the decorator nearest the property first: presence, ids, then counts.
    ArrayUnique({ message: `${name} must not name a timeseries twice` }),
    ArrayMaxSize(MAX_TIMESERIES_PER_REQUEST, {
      message: `${name} may name at most ${MAX_TIMESERIES_PER_REQUEST} timeseries`,
    }),
    Matches(UUID, { each: true, message: `each of ${name} must be a UUID` }),
    ArrayMinSize(1, { message: `${name} is required` }),
    where === 'query'
      ? IsDefined({ message: `${name} is required` })
      : IsArray({ message: `${name} must be an array of timeseries ids` }),
    Transform(where === 'query' ? asIdList : asIdArray),
  );
}

/** The timeseries a samples request is about (every samples and analytics route). */
export class TimeseriesSelectionDto {
  @TimeseriesIdList('timeseries_ids', 'query')
  timeseries_ids!: string[];
}

/** The timeseries and one metric (default Raw): what every route but the raw read selects. */
export class MetricSelectionDto extends TimeseriesSelectionDto {
  @ApiPropertyOptional({ enum: METRICS, default: DEFAULT_METRIC })
  @IsOptional()
  @IsIn(METRICS, { message: `metric must be one of ${METRICS.join(', ')}` })
  metric?: string;
}

/**
 * What a 400 of a route that selects timeseries may be about, for the routes' error descriptions.
 */
export const SELECTION_ERRORS =
  `timeseries_ids missing, invalid, repeated, more than ${MAX_TIMESERIES_PER_REQUEST}, or not timeseries of this ` +
  'device; an invalid metric; an unknown query parameter';
