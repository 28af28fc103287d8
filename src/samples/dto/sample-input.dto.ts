import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, Matches, ValidateBy, ValidateIf, type ValidationArguments } from 'class-validator';

import type { ItemSchema } from '../../common/json-array.pipe';
import { UUID, UUID_SCHEMA } from '../../common/uuid';
import { IsInstant, INSTANT_SCHEMA } from '../../series/dto/instant.decorator';
import { DEFAULT_METRIC, METRICS } from '../../series/metrics';
import { SAMPLE_VALUE_SCHEMA, sampleValueOf, sampleValueProblem } from '../sample-value';

const METRIC_MESSAGE = `metric must be one of the timeseries' metrics: ${METRICS.join(', ')}`;

/** Present, null included (IsDefined refuses null as missing; a null value is wrong, not missing). */
function IsPresent(): PropertyDecorator {
  return ValidateBy({
    name: 'isPresent',
    validator: {
      validate: (value: unknown) => value !== undefined,
      defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'value'} is required`,
    },
  });
}

/** The value rule (sample-value.ts) as a class-validator constraint. */
function IsSampleValue(): PropertyDecorator {
  return ValidateBy({
    name: 'isSampleValue',
    validator: {
      validate: (value: unknown) => sampleValueOf(value) !== undefined,
      defaultMessage: (args?: ValidationArguments) => sampleValueProblem(args?.value),
    },
  });
}

/**
 * One sample of a write: the declared contract. SampleListPipe checks a body against SAMPLE_SCHEMA
 * (below) first and explains the items it refuses with these decorators.
 */
export class SampleInputDto {
  @ApiProperty({
    ...UUID_SCHEMA,
    description: 'A timeseries of this device.',
    example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1',
  })
  @Matches(UUID, { message: 'timeseriesId must be a UUID' })
  @IsPresent()
  timeseriesId!: string;

  @ApiProperty({
    ...SAMPLE_VALUE_SCHEMA,
    description:
      'The value: a JSON number, or a string holding a decimal number. Finite; stored as double precision and always answered as a number.',
    example: 21.5,
  })
  @IsSampleValue()
  @IsPresent()
  val!: number | string;

  @ApiProperty({
    ...INSTANT_SCHEMA,
    description:
      'RFC 3339 with an offset (Z or ±hh:mm), at most 6 fractional digits, between 1900-01-01T00:00:00Z and 2099-12-31T23:59:59.999999Z. Kept exactly to the microsecond.',
    example: '2026-11-26T08:00:00.123456Z',
  })
  @IsInstant()
  @IsPresent()
  timestamp!: string;

  @ApiPropertyOptional({
    description: "One of the timeseries' dag metrics.",
    enum: METRICS,
    default: DEFAULT_METRIC,
    example: DEFAULT_METRIC,
  })
  @IsIn(METRICS, { message: METRIC_MESSAGE })
  // Absent means Raw; null is not a metric (IsOptional would let it through).
  @ValidateIf((sample: SampleInputDto) => sample.metric !== undefined)
  metric?: string;
}

/**
 * SampleInputDto's rules as a JSON schema, from the same definitions: the fast path of
 * SampleListPipe. The timestamp's calendar and range (no 2026-02-30, 1900..2099) are the
 * conversion's to check (parseInstant): a pattern cannot.
 */
export const SAMPLE_SCHEMA: ItemSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['timeseriesId', 'val', 'timestamp'],
  properties: {
    timeseriesId: UUID_SCHEMA,
    val: SAMPLE_VALUE_SCHEMA,
    timestamp: INSTANT_SCHEMA,
    metric: { enum: METRICS },
  },
};
