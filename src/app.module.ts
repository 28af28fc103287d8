import { Module, type DynamicModule } from '@nestjs/common';

import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DevicesModule } from './devices/devices.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';
import { SamplesModule } from './samples/samples.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        CommonModule,
        DatabaseModule,
        RedisModule.forRoot(config.redisUrl),
        // Guards run in this order: authentication, then rate limiting by the verified subject.
        AuthModule,
        ...(config.rateLimitPerMinute > 0 ? [RateLimitModule.forRoot(config.rateLimitPerMinute)] : []),
        HealthModule,
        ...(config.metricsEnabled ? [MetricsModule] : []),
        DevicesModule,
        SamplesModule,
      ],
    };
  }
}
