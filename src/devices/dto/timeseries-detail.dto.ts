import { ApiProperty } from '@nestjs/swagger';

import { METRICS } from '../../series/metrics';
import { TIMESERIES_STATUSES, type TimeseriesStatus } from '../entities/timeseries.entity';

/** One processing step of a timeseries. */
export class DagStepDto {
  /** @example "Raw" */
  metric!: string;

  /** @example "raw" */
  processingType!: string;

  /** @example "double" */
  dataType!: string;

  /** @example false */
  validateInputData!: boolean;
}

/** The processing every timeseries has until a later feature lets clients choose. */
export const DEFAULT_DAG: readonly DagStepDto[] = METRICS.map((metric) => ({
  metric,
  processingType: 'raw',
  dataType: 'double',
  validateInputData: false,
}));

/** `timeseriesType` until a later feature gives it meaning. */
export const DEFAULT_TIMESERIES_TYPE = 'None';

/**
 * One timeseries, in the documented shape. Every property carries @ApiProperty, in the order of
 * the answer (see ListedTimeseriesDto).
 */
export class TimeseriesDetailDto {
  @ApiProperty({ example: '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1' })
  timeseriesId!: string;

  @ApiProperty({ example: 'TestDevice' })
  deviceId!: string;

  @ApiProperty({ example: 'PointId1' })
  pointId!: string;

  @ApiProperty({ example: 'temperature' })
  pointType!: string;

  @ApiProperty({ description: 'The collection (security group) of the device.', example: 'testcollection' })
  orgId!: string;

  @ApiProperty({ example: 'None' })
  timeseriesType!: string;

  @ApiProperty({ type: [DagStepDto] })
  dag!: DagStepDto[];

  @ApiProperty({ enum: TIMESERIES_STATUSES, example: 'active' })
  status!: TimeseriesStatus;

  @ApiProperty({ example: '2026-11-26T08:00:00.000Z' })
  createdAt!: string;
}
