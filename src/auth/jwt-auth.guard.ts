import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { NotBeforeError, TokenExpiredError } from 'jsonwebtoken';

import { UnauthenticatedError } from '../common/errors';
import type { Principal } from './principal';
import { IS_PUBLIC } from './auth.constants';
import type { AuthenticatedRequest } from './request-context';
import { VerifiedTokenCache } from './verified-token-cache';

/**
 * Global guard: every route needs a valid bearer token unless it is marked @Public().
 * Failures are 401 in the envelope with `WWW-Authenticate: Bearer`; the token is never echoed.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly verified = new VerifiedTokenCache();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerTokenOf(request);
    const known = token === undefined ? undefined : this.verified.get(token);
    if (known) {
      request.user = known;
      return true;
    }
    const allowed = (await super.canActivate(context)) as boolean;
    if (allowed && token !== undefined && request.user) {
      this.verified.remember(token, request.user, request.user.expiresAt);
    }
    return allowed;
  }

  override handleRequest<TUser = Principal>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (!error && user) return user;
    const presented = bearerTokenOf(context.switchToHttp().getRequest<AuthenticatedRequest>()) !== undefined;
    throw new UnauthenticatedError(describe(error ?? info, presented), presented);
  }
}

function bearerTokenOf(request: AuthenticatedRequest): string | undefined {
  const authorization = request.headers.authorization;
  return typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
}

function describe(reason: unknown, presented: boolean): string {
  if (!presented) return 'A bearer token is required in the Authorization header';
  if (reason instanceof TokenExpiredError) return 'The bearer token has expired';
  if (reason instanceof NotBeforeError) return 'The bearer token is not valid yet';
  return 'The bearer token is invalid';
}
