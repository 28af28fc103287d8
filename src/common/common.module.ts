import { Global, Module } from '@nestjs/common';
import { Registry } from 'prom-client';

import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { ContinuationTokens, continuationSecret } from './continuation-token';
import { METRICS_REGISTRY } from './metrics-registry';

/** Cross-cutting services every feature module may inject. */
@Global()
@Module({
  providers: [
    {
      provide: ContinuationTokens,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ContinuationTokens(continuationSecret(config)),
    },
    { provide: METRICS_REGISTRY, useFactory: () => new Registry() },
  ],
  exports: [ContinuationTokens, METRICS_REGISTRY],
})
export class CommonModule {}
