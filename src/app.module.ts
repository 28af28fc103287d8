import { Module, type DynamicModule } from '@nestjs/common';

import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import type { Feature } from './common/feature';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { enabledFeatures, FEATURES } from './features';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { RedisModule } from './redis/redis.module';

@Module({})
export class AppModule {
  /** The infrastructure every feature relies on, then the features of the list (src/features.ts). */
  static forRoot(config: AppConfig, features: readonly Feature[] = FEATURES): DynamicModule {
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
        ...enabledFeatures(features, config).map((feature) => feature.module),
      ],
    };
  }
}
