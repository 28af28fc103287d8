import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';

import { Public } from '../auth/public.decorator';
import { ApiEnvelopeResponse, ApiErrorResponses } from '../common/api-responses.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import { ServiceUnavailableError } from '../common/errors';
import { ReadReplicas } from '../database/read-replicas';
import { REDIS } from '../redis/redis.module';
import { HealthStatusDto } from './dto/health-status.dto';
import { ReadinessDto } from './dto/readiness.dto';
import type Redis from 'ioredis';

const PING_TIMEOUT_MS = 3000;

const OK = { status: { Message: '', Code: '200' }, data: { status: 'ok' } };

@ApiTags('health')
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
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly replicas: ReadReplicas,
    @Inject(REDIS) private readonly redis: Redis | undefined,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Liveness: the process is up',
    description: 'Answers 200 while the process runs, whatever the database does.',
  })
  @ApiEnvelopeResponse(200, HealthStatusDto, { description: 'The process is up.', example: OK })
  live(): Envelope<HealthStatusDto> {
    return successEnvelope(200, { status: 'ok' });
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: the dependencies answer',
    description:
      'Reports each dependency: the database (503 when it does not answer), Redis when REDIS_URL is set, and the ' +
      'read replicas. Redis or a replica down is `degraded`, still 200: the service serves, counting the rate ' +
      'limit per instance and reading from the primary.',
  })
  @ApiEnvelopeResponse(200, ReadinessDto, {
    description: 'The database answers.',
    example: {
      status: { Message: '', Code: '200' },
      data: { status: 'ok', database: 'up', redis: 'up', replicas: [] },
    },
  })
  @ApiErrorResponses({
    503: { description: 'The database does not answer.', message: 'The database is not reachable' },
  })
  async ready(): Promise<Envelope<ReadinessDto>> {
    const [database, redis] = await Promise.all([this.databaseAnswers(), this.redisState()]);
    if (!database) throw new ServiceUnavailableError('The database is not reachable');
    const replicas = this.replicas.status();
    const degraded = redis === 'down' || replicas.some((replica) => replica.state !== 'up');
    return successEnvelope(200, { status: degraded ? 'degraded' : 'ok', database: 'up', redis, replicas });
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.health.check([() => this.database.pingCheck('database', { timeout: PING_TIMEOUT_MS })]);
      return true;
    } catch {
      return false;
    }
  }

  private async redisState(): Promise<ReadinessDto['redis']> {
    if (!this.redis) return 'not configured';
    try {
      // The client fails fast (no offline queue, REDIS_COMMAND_TIMEOUT_MS): no extra timer needed.
      return (await this.redis.ping()) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }
}
