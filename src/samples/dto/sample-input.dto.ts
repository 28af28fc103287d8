import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { DEFAULT_METRIC, METRICS } from '../metrics';
import { DECIMAL_PATTERN, RFC3339_PATTERN, UUID_PATTERN } from '../sample-rules';

/**
 * One sample of a write, as documented. SampleListPipe enforces the same rules (sample-rules.ts),
 * and names every invalid item by its path.
 */
export class SampleInputDto {
  @ApiProperty({
    description: 'A timeseries of this device.',
    type: 'string',
    format: 'uuid',
    pattern: UUID_PATTERN,
    example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1',
  })
  timeseriesId!: string;

  @ApiProperty({
    description:
      'The value: a JSON number, or a string holding a decimal number. Finite; stored as double precision and always answered as a number.',
    oneOf: [{ type: 'number' }, { type: 'string', pattern: DECIMAL_PATTERN, maxLength: 64 }],
    example: 21.5,
  })
  val!: number | string;

  @ApiProperty({
    description:
      'RFC 3339 with an offset (Z or ±hh:mm), at most 6 fractional digits, between 1900-01-01T00:00:00Z and 2099-12-31T23:59:59.999999Z. Kept exactly to the microsecond.',
    type: 'string',
    format: 'date-time',
    pattern: RFC3339_PATTERN,
    example: '2026-11-26T08:00:00.123456Z',
  })
  timestamp!: string;

  @ApiPropertyOptional({
    description: "One of the timeseries' dag metrics.",
    enum: METRICS,
    default: DEFAULT_METRIC,
    example: DEFAULT_METRIC,
  })
  metric?: string;
}
