import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { ForbiddenError, InsufficientScopeError } from '../common/errors';
import type { AuthenticatedRequest } from './request-context';
import { REQUIRED_SCOPES } from './auth.constants';

/** Admits a caller holding at least one of the scopes the route declared with @RequireScopes. */
@Injectable()
export class ImsScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const anyOf = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES, [
      context.getHandler(),
      context.getClass(),
    ]);
    // Fail closed: a route that applies the guard without naming scopes admits nobody.
    if (!anyOf || anyOf.length === 0) throw new ForbiddenError('This route declares no scopes and admits no caller');
    const { user } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (user && anyOf.some((scope) => user.scopes.has(scope))) return true;
    throw new InsufficientScopeError(anyOf);
  }
}
