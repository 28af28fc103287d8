import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';

import { REQUIRED_SCOPES } from '../auth/auth.constants';
import { CollectionGuard } from '../auth/collection.guard';
import { ImsScopeGuard } from '../auth/ims-scope.guard';
import { ApiRoute, type RouteOptions } from '../openapi/api-route.decorator';

/** Route metadata: the route is a device route (tests check every `:deviceId` route carries it). */
export const DEVICE_ROUTE = 'device-routes:route';

/** The guards of every device route, in the order they run: the scope check, then the collections. */
export const DEVICE_ROUTE_GUARDS = [ImsScopeGuard, CollectionGuard] as const;

/** Everything a device route is: its OpenAPI operation, and the scopes any one of which admits a caller. */
export interface DeviceRouteOptions extends RouteOptions {
  /** READ_SCOPES or WRITE_SCOPES. */
  scopes: readonly string[];
}

/**
 * A route of a DeviceController, in one decorator: the scopes it needs, the access checks in a
 * fixed order (ImsScopeGuard, then CollectionGuard, whose outcome the handler receives with
 * @DeviceAccess()), and its whole OpenAPI operation with its 403 (ApiRoute). The service checks the
 * loaded device with `DeviceAccessScope.assertCanAccess`, the same 403 for a foreign and a missing
 * device. The errors every device route shares (401, 405, 414, 429, 431, 503) are DeviceController's.
 */
export function DeviceRoute(options: DeviceRouteOptions): MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, options.scopes),
    SetMetadata(DEVICE_ROUTE, true),
    UseGuards(...DEVICE_ROUTE_GUARDS),
    ApiRoute({
      ...options,
      errors: {
        403: {
          description: `The token lacks every one of the scopes ${options.scopes.join(', ')}, or the caller has no access to the collection or device.`,
          message: 'User does not have access to device',
        },
        ...options.errors,
      },
    }),
  );
}
