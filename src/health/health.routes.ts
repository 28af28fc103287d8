import { HttpStatus } from '@nestjs/common';

import type { RouteOptions } from '../openapi/api-route.decorator';
import { HealthStatusDto } from './dto/health-status.dto';
import { ReadinessDto } from './dto/readiness.dto';

/** The probes of `/health`: what each is, for OpenAPI. */

export const HEALTH_TAG = { name: 'health', description: 'Liveness and readiness probes, without authentication' };

export const LIVENESS_ROUTE: RouteOptions = {
  operationId: 'getHealth',
  summary: 'Liveness: the process is up',
  description: 'Answers 200 while the process runs, whatever the database does.',
  answer: {
    status: HttpStatus.OK,
    data: HealthStatusDto,
    description: 'The process is up.',
    example: { status: { Message: '', Code: '200' }, data: { status: 'ok' } },
  },
};

export const READINESS_ROUTE: RouteOptions = {
  operationId: 'getReadiness',
  summary: 'Readiness: the dependencies answer',
  description:
    'Reports each dependency: the database (503 when it does not answer), Redis when REDIS_URL is set, and the ' +
    'read replicas. Redis or a replica down is `degraded`, still 200: the service serves, counting the rate ' +
    'limit per instance and reading from the primary.',
  answer: {
    status: HttpStatus.OK,
    data: ReadinessDto,
    description: 'The database answers.',
    example: {
      status: { Message: '', Code: '200' },
      data: { status: 'ok', database: 'up', redis: 'up', replicas: [] },
    },
  },
  errors: { 503: { description: 'The database does not answer.', message: 'The database is not reachable' } },
};
