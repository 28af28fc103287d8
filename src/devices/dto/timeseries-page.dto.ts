import { ApiProperty } from '@nestjs/swagger';

import { TIMESERIES_STATUSES, type TimeseriesStatus } from '../entities/timeseries.entity';

/*
 * Every property of the answer DTOs below carries @ApiProperty, in the order the answers list
 * them: decorated properties come first in the generated schema, and the schema's order is the
 * order of the serialized answer (see src/common/response-serialization.ts).
 */

/** One timeseries of the device, as listed. */
export class ListedTimeseriesDto {
  @ApiProperty({ example: 'PointId1' })
  pointId!: string;

  @ApiProperty({ example: 'temperature' })
  pointType!: string;

  @ApiProperty({ example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1' })
  timeseriesId!: string;

  @ApiProperty({ enum: TIMESERIES_STATUSES, example: 'active' })
  status!: TimeseriesStatus;

  @ApiProperty({ description: 'When the timeseries was created (ISO 8601).', example: '2026-11-26T08:00:00.000Z' })
  createdAt!: string;
}

/** A page of the device's timeseries, ordered by pointId. */
export class TimeseriesPageDto {
  @ApiProperty({ example: 'TestDevice' })
  deviceId!: string;

  @ApiProperty({ type: [ListedTimeseriesDto] })
  relationships!: ListedTimeseriesDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Send it back in the ContinuationToken header for the next page; null on the last page.',
  })
  continuationToken!: string | null;
}
