import { applyDecorators, createParamDecorator, UseGuards, type ExecutionContext } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

import { COLLECTION_HEADER } from './auth.constants';
import { CollectionGuard } from './collection.guard';
import type { DeviceAccessScope } from './device-access-scope';
import type { AuthenticatedRequest } from './request-context';

/**
 * For routes that take a device id: applies CollectionGuard and documents the erCollectionId
 * header. The handler receives the outcome with @CurrentDeviceAccess().
 */
export function RequireDeviceAccess(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    UseGuards(CollectionGuard),
    ApiHeader({
      name: 'erCollectionId',
      required: false,
      description:
        "Collection (security group) the device belongs to or is created in. Must be one of the token's collections. Required to create a device when the token grants several collections.",
      example: 'testcollection',
    }),
  );
}

/** The DeviceAccessScope CollectionGuard worked out for this request. */
export const CurrentDeviceAccess = createParamDecorator(
  (_data: unknown, context: ExecutionContext): DeviceAccessScope => {
    const scope = context.switchToHttp().getRequest<AuthenticatedRequest>().deviceAccess;
    if (!scope)
      throw new Error(`@CurrentDeviceAccess() needs @RequireDeviceAccess() on the route (header ${COLLECTION_HEADER})`);
    return scope;
  },
);
