import { SetMetadata, type ExecutionContext, type Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { REQUIRED_SCOPES } from '../../src/auth/auth.constants';
import { ImsScopeGuard } from '../../src/auth/ims-scope.guard';
import type { Principal } from '../../src/auth/principal';
import type { AuthenticatedRequest } from '../../src/auth/request-context';
import { InsufficientScopeError, ForbiddenError } from '../../src/common/errors';
import { DeviceRoute } from '../../src/device-routes/device-route.decorator';

/** The scopes metadata alone, on a class or a handler (the guard also reads a class's). */
const RequireScopes = (...anyOf: string[]) => SetMetadata(REQUIRED_SCOPES, anyOf);

// Handlers only carry metadata here; `this: void` lets the tests pass them around unbound.
class DevicesController {
  @DeviceRoute({
    scopes: ['apollo_write', 'write'],
    operationId: 'register',
    summary: 's',
    description: 'd',
    answer: { status: 202, data: Object, description: 'a', example: {} },
  })
  register(this: void): void {}

  undeclared(this: void): void {}
}

@RequireScopes('apollo_read')
class ReadController {
  list(this: void): void {}

  @RequireScopes('apollo_write')
  write(this: void): void {}
}

/** The three members of ExecutionContext the guards call; the rest are never reached. */
function httpContext(request: Partial<AuthenticatedRequest>, controller: Type, handler: () => void): ExecutionContext {
  const context = {
    switchToHttp: () => ({ getRequest: () => request }),
    getHandler: () => handler,
    getClass: () => controller,
  };
  return context as unknown as ExecutionContext;
}

const principal = (...scopes: string[]): Principal => ({
  subject: 'user-1',
  scopes: new Set(scopes),
  collections: [],
  expiresAt: 0,
});

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the guard to throw');
}

describe('ImsScopeGuard', () => {
  const guard = new ImsScopeGuard(new Reflector());
  const register = DevicesController.prototype.register;

  it.each([['apollo_write'], ['write']])('admits a caller holding only %s of the declared scopes', (scope) => {
    expect(guard.canActivate(httpContext({ user: principal('read', scope) }, DevicesController, register))).toBe(true);
  });

  it('denies a caller holding none of the declared scopes with insufficient_scope naming them', () => {
    const error = errorOf(() =>
      guard.canActivate(httpContext({ user: principal('apollo_read', 'read') }, DevicesController, register)),
    );
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      message: 'Missing required scope: the token needs one of apollo_write, write',
      headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="apollo_write write"' },
    });
  });

  it('denies a request without a user', () => {
    const error = errorOf(() => guard.canActivate(httpContext({}, DevicesController, register)));
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({
      headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="apollo_write write"' },
    });
  });

  it('denies every caller on a handler that declares no scopes (fails closed)', () => {
    const everything = principal('apollo_write', 'write', 'apollo_read', 'read');
    const error = errorOf(() =>
      guard.canActivate(httpContext({ user: everything }, DevicesController, DevicesController.prototype.undeclared)),
    );
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error).toMatchObject({ message: 'This route declares no scopes and admits no caller' });
  });

  it('applies the scopes a class declares to a handler that declares none', () => {
    const list = ReadController.prototype.list;
    expect(guard.canActivate(httpContext({ user: principal('apollo_read') }, ReadController, list))).toBe(true);
    expect(
      errorOf(() => guard.canActivate(httpContext({ user: principal('read') }, ReadController, list))),
    ).toBeInstanceOf(InsufficientScopeError);
  });

  it("lets a handler's scopes override its class's", () => {
    const write = ReadController.prototype.write;
    expect(guard.canActivate(httpContext({ user: principal('apollo_write') }, ReadController, write))).toBe(true);
    expect(
      errorOf(() => guard.canActivate(httpContext({ user: principal('apollo_read') }, ReadController, write))),
    ).toBeInstanceOf(InsufficientScopeError);
  });
});
