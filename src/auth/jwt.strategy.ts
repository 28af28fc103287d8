import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';

import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { JWT_KEY_RESOLVER } from './auth.constants';
import type { JwtKeyResolver } from './jwt-keys';
import { principalFromClaims, type Principal } from './principal';

/** Leeway for `exp` and `nbf` between our clock and the issuer's. */
export const CLOCK_TOLERANCE_SECONDS = 60;

class MissingExpirationError extends Error {
  constructor() {
    super('token has no exp claim');
  }
}

/** Verifies bearer tokens (signature, algorithm, exp/nbf, iss/aud) and turns claims into a Principal. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly collectionsClaim: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig, @Inject(JWT_KEY_RESOLVER) keys: JwtKeyResolver) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (
        _request: unknown,
        rawJwt: string,
        done: (error: unknown, key?: string | Buffer) => void,
      ) => {
        keys.keyFor(rawJwt).then(
          // jsonwebtoken accepts KeyObjects too; passport-jwt's types only name string | Buffer.
          (key) => done(null, key as string | Buffer),
          (error: unknown) => done(error),
        );
      },
      algorithms: config.jwt.algorithms,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
    });
    this.collectionsClaim = config.jwt.collectionsClaim;
  }

  validate(payload: Record<string, unknown>): Principal {
    if (typeof payload.exp !== 'number') throw new MissingExpirationError();
    return principalFromClaims(payload, this.collectionsClaim);
  }
}
