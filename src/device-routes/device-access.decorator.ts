import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import type { AuthenticatedRequest } from '../auth/request-context';

/**
 * The handler parameter of the collections this request may use (CollectionGuard's outcome, which
 * every @DeviceRoute() runs). The service checks a loaded device with `assertCanAccess`.
 */
export const DeviceAccess = createParamDecorator((_data: unknown, context: ExecutionContext): DeviceAccessScope => {
  const scope = context.switchToHttp().getRequest<AuthenticatedRequest>().deviceAccess;
  if (!scope) throw new Error('@DeviceAccess() needs @DeviceRoute() on the route, which runs CollectionGuard');
  return scope;
});
