import { Controller, Get, HttpStatus } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';

import { Public } from '../auth/public.decorator';
import { ApiErrorResponses } from '../openapi/api-responses.decorator';
import { ApiRoute } from '../openapi/api-route.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import type { HealthStatusDto } from './dto/health-status.dto';
import type { ReadinessDto } from './dto/readiness.dto';
import { HEALTH_TAG, LIVENESS_ROUTE, READINESS_ROUTE } from './health.routes';
import { ReadinessService } from './readiness.service';

@ApiTags(HEALTH_TAG.name)
@ApiErrorResponses({
  400: {
    description: 'A malformed request, for example a broken percent-encoding in the URL.',
    message: 'The URL is not valid: check its percent-encoding',
  },
})
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get()
  @ApiRoute(LIVENESS_ROUTE)
  live(): Envelope<HealthStatusDto> {
    return successEnvelope(HttpStatus.OK, { status: 'ok' });
  }

  @Get('ready')
  @ApiRoute(READINESS_ROUTE)
  async ready(): Promise<Envelope<ReadinessDto>> {
    return successEnvelope(HttpStatus.OK, await this.readiness.readiness());
  }
}
