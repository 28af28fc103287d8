import type { FastifyRequest } from 'fastify';

import type { DeviceAccessScope } from './device-access-scope';
import type { Principal } from './principal';

/** What the guards learn about a request, kept on the Fastify request for the layers after them. */
export interface AuthenticatedRequest extends FastifyRequest {
  /** Set by the JWT guard (passport's `user`). */
  user?: Principal;
  /** Set by CollectionGuard. */
  deviceAccess?: DeviceAccessScope;
}
