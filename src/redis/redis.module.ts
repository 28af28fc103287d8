import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';

/** Injection token of the shared Redis client; `undefined` when REDIS_URL is unset. */
export const REDIS = Symbol('REDIS');

/** How long one Redis command may take before the caller gives up on Redis (it never queues). */
export const REDIS_COMMAND_TIMEOUT_MS = 250;

/**
 * A client that fails fast while Redis is unreachable instead of queueing: no offline queue, one
 * attempt per command, a short command timeout; it keeps reconnecting in the background (at most
 * every 2 s), so Redis coming back is picked up without a restart.
 */
export function createRedisClient(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  });
  // Connection errors are expected while Redis is down; callers see them as failed commands.
  client.on('error', () => undefined);
  return client;
}

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | undefined) {}

  onApplicationShutdown(): void {
    this.redis?.disconnect(false);
  }
}

/** The Redis client of REDIS_URL, for every module; absent (undefined) without it. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(url: string | undefined): DynamicModule {
    return {
      module: RedisModule,
      providers: [{ provide: REDIS, useFactory: () => (url ? createRedisClient(url) : undefined) }, RedisLifecycle],
      exports: [REDIS],
    };
  }
}
