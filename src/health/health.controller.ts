import { Controller, Get } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';

import { Public } from '../auth/public.decorator';
import { successEnvelope, type Envelope } from '../common/envelope';
import { ErrorEnvelopeDto } from '../common/envelope.dto';
import { ServiceUnavailableError } from '../common/errors';

const PING_TIMEOUT_MS = 3000;

interface HealthStatus {
  status: 'ok';
}

@ApiTags('health')
@ApiBadRequestResponse({
  description: 'A malformed request, for example a broken percent-encoding in the URL.',
  type: ErrorEnvelopeDto,
  example: { status: { Message: 'The URL is not valid: check its percent-encoding', Code: '400' }, data: null },
})
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Liveness: the process is up',
    description: 'Answers 200 while the process runs, whatever the database does.',
  })
  @ApiOkResponse({
    description: 'The process is up.',
    example: { status: { Message: '', Code: '200' }, data: { status: 'ok' } },
  })
  live(): Envelope<HealthStatus> {
    return successEnvelope(200, { status: 'ok' });
  }

  @Get('ready')
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: the database answers',
    description: 'Answers 200 when the database answers a ping, 503 otherwise.',
  })
  @ApiOkResponse({
    description: 'The database answers.',
    example: { status: { Message: '', Code: '200' }, data: { status: 'ok' } },
  })
  @ApiServiceUnavailableResponse({
    description: 'The database does not answer.',
    type: ErrorEnvelopeDto,
    example: { status: { Message: 'The database is not reachable', Code: '503' }, data: null },
  })
  async ready(): Promise<Envelope<HealthStatus>> {
    try {
      await this.health.check([() => this.database.pingCheck('database', { timeout: PING_TIMEOUT_MS })]);
    } catch {
      throw new ServiceUnavailableError('The database is not reachable');
    }
    return successEnvelope(200, { status: 'ok' });
  }
}
