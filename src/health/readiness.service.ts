import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import type Redis from 'ioredis';

import { ServiceUnavailableError } from '../common/errors';
import { ReadReplicas } from '../database/read-replicas';
import { REDIS } from '../redis/redis.module';
import type { ReadinessDto } from './dto/readiness.dto';

const PING_TIMEOUT_MS = 3000;

/** The state of every dependency: the database (a 503 when it does not answer), Redis, the replicas. */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly replicas: ReadReplicas,
    @Inject(REDIS) private readonly redis: Redis | undefined,
  ) {}

  async readiness(): Promise<ReadinessDto> {
    const [database, redis] = await Promise.all([this.databaseAnswers(), this.redisState()]);
    if (!database) throw new ServiceUnavailableError('The database is not reachable');
    const replicas = this.replicas.status();
    const degraded = redis === 'down' || replicas.some((replica) => replica.state !== 'up');
    return { status: degraded ? 'degraded' : 'ok', database: 'up', redis, replicas };
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
