import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';

import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { JWT_KEY_RESOLVER } from './auth.constants';
import { CollectionGuard } from './collection.guard';
import { ImsScopeGuard } from './ims-scope.guard';
import { JwtAuthGuard } from './jwt-auth.guard';
import { createJwtKeyResolver } from './jwt-keys';
import { JwtStrategy } from './jwt.strategy';

/** Bearer-token authentication for every route (unless @Public) and the guards routes opt into. */
@Module({
  imports: [PassportModule],
  providers: [
    {
      provide: JWT_KEY_RESOLVER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createJwtKeyResolver(config),
    },
    JwtStrategy,
    ImsScopeGuard,
    CollectionGuard,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [JWT_KEY_RESOLVER],
})
export class AuthModule {}
