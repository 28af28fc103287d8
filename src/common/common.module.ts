import { Global, Module } from '@nestjs/common';

import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { ContinuationTokens, continuationSecret } from './continuation-token';

/** Cross-cutting services every feature module may inject. */
@Global()
@Module({
  providers: [
    {
      provide: ContinuationTokens,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ContinuationTokens(continuationSecret(config)),
    },
  ],
  exports: [ContinuationTokens],
})
export class CommonModule {}
