import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';

import { CollectionAccessDeniedError, DeviceAccessDeniedError } from '../common/errors';
import { COLLECTION_HEADER } from './auth.constants';
import { DeviceAccessScope } from './device-access-scope';
import type { AuthenticatedRequest } from './request-context';

/**
 * Works out the collections a request may use and leaves them on the request as a
 * DeviceAccessScope. The header, when sent, must name one of the token's collections; a caller
 * with no collection at all reaches no device.
 */
@Injectable()
export class CollectionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const collections = request.user?.collections ?? [];
    if (collections.length === 0) throw new DeviceAccessDeniedError();

    const header = request.headers[COLLECTION_HEADER];
    if (header === undefined) {
      request.deviceAccess = new DeviceAccessScope(collections, collections.length === 1 ? collections[0] : undefined);
      return true;
    }
    if (typeof header !== 'string' || !collections.includes(header)) {
      throw new CollectionAccessDeniedError();
    }
    request.deviceAccess = new DeviceAccessScope([header], header);
    return true;
  }
}
