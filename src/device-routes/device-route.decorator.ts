import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';

import { REQUIRED_SCOPES } from '../auth/auth.constants';
import { CollectionGuard } from '../auth/collection.guard';
import { ImsScopeGuard } from '../auth/ims-scope.guard';
import { ApiErrorResponses } from '../common/api-responses.decorator';

/** Route metadata: the route is a device route (tests check every `:deviceId` route carries it). */
export const DEVICE_ROUTE = 'device-routes:route';

/** The guards of every device route, in the order they run: the scope check, then the collections. */
export const DEVICE_ROUTE_GUARDS = [ImsScopeGuard, CollectionGuard] as const;

export interface DeviceRouteOptions {
  /** Any one of these admits the caller (READ_SCOPES or WRITE_SCOPES). */
  scopes: readonly string[];
  operationId: string;
  summary: string;
  description: string;
}

/**
 * A route of a DeviceController, in one decorator: the scopes it needs, the access checks in a
 * fixed order (ImsScopeGuard, then CollectionGuard, whose outcome the handler receives with
 * @DeviceAccess()), the OpenAPI operation and its 403. The service checks the loaded device with
 * `DeviceAccessScope.assertCanAccess`, the same 403 for a foreign and a missing device.
 */
export function DeviceRoute(options: DeviceRouteOptions): MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, options.scopes),
    SetMetadata(DEVICE_ROUTE, true),
    UseGuards(...DEVICE_ROUTE_GUARDS),
    ApiOperation({ operationId: options.operationId, summary: options.summary, description: options.description }),
    ApiErrorResponses({
      403: {
        description: `The token lacks every one of the scopes ${options.scopes.join(', ')}, or the caller has no access to the collection or device.`,
        message: 'User does not have access to device',
      },
    }),
  );
}
