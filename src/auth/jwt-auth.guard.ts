import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { NotBeforeError, TokenExpiredError } from 'jsonwebtoken';

import { UnauthenticatedError } from '../common/errors';
import type { Principal } from './principal';
import { IS_PUBLIC } from './auth.constants';
import type { AuthenticatedRequest } from './request-context';

/**
 * Global guard: every route needs a valid bearer token unless it is marked @Public().
 * Failures are 401 in the envelope with `WWW-Authenticate: Bearer`; the token is never echoed.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser = Principal>(
    error: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (!error && user) return user;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const authorization = request.headers.authorization;
    const presented = typeof authorization === 'string' && /^Bearer\s+\S/i.test(authorization);
    throw new UnauthenticatedError(describe(error ?? info, presented), presented);
  }
}

function describe(reason: unknown, presented: boolean): string {
  if (!presented) return 'A bearer token is required in the Authorization header';
  if (reason instanceof TokenExpiredError) return 'The bearer token has expired';
  if (reason instanceof NotBeforeError) return 'The bearer token is not valid yet';
  return 'The bearer token is invalid';
}
