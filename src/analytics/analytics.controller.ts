import { Get, HttpStatus, Query } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { successEnvelope, type Envelope } from '../common/envelope';
import { DeviceAccess } from '../device-routes/device-access.decorator';
import { DeviceController } from '../device-routes/device-controller.decorator';
import { DeviceId } from '../device-routes/device-id';
import { DeviceRoute } from '../device-routes/device-route.decorator';
import { AGGREGATES_ROUTE, ANALYTICS_TAG, LATEST_ROUTE, STATS_ROUTE } from './analytics.routes';
import { AnalyticsService } from './analytics.service';
import type { AggregateSeriesDto, LatestSamplesDto, SampleStatsDto } from './dto/analytics-answer.dto';
import { LatestSamplesQueryDto, SampleAggregatesQueryDto, SampleStatsQueryDto } from './dto/analytics-query.dto';

/** Latest values, statistics and calendar aggregates: `/apollo/devices/{deviceId}/timeseries/samples/...`. */
@DeviceController('timeseries/samples', ANALYTICS_TAG)
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('latest')
  @DeviceRoute(LATEST_ROUTE)
  async latest(
    @DeviceId() deviceId: string,
    @Query() query: LatestSamplesQueryDto,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<LatestSamplesDto[]>> {
    return successEnvelope(HttpStatus.OK, await this.analytics.latest(deviceId, query, access));
  }

  @Get('stats')
  @DeviceRoute(STATS_ROUTE)
  async stats(
    @DeviceId() deviceId: string,
    @Query() query: SampleStatsQueryDto,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<SampleStatsDto[]>> {
    return successEnvelope(HttpStatus.OK, await this.analytics.stats(deviceId, query, access));
  }

  @Get('aggregates')
  @DeviceRoute(AGGREGATES_ROUTE)
  async aggregates(
    @DeviceId() deviceId: string,
    @Query() query: SampleAggregatesQueryDto,
    @DeviceAccess() access: DeviceAccessScope,
  ): Promise<Envelope<AggregateSeriesDto[]>> {
    return successEnvelope(HttpStatus.OK, await this.analytics.aggregates(deviceId, query, access));
  }
}
