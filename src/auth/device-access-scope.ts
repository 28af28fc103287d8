import { DeviceAccessDeniedError, InvalidRequestError } from '../common/errors';

/**
 * Which devices a request may touch, worked out by CollectionGuard from the token's collections
 * and the `erCollectionId` header. The service asks it, where it loads a device, through
 * `assertCanAccess` (existing devices) and `collectionForNewDevice` (devices it creates).
 */
export class DeviceAccessScope {
  /**
   * @param allowed collections whose devices are reachable: the header's one collection when it
   *   was sent, else every collection in the token.
   * @param target the collection a new device goes to: the header's, else the caller's only one.
   */
  constructor(
    readonly allowed: readonly string[],
    readonly target: string | undefined,
  ) {}

  /** The one object-level check: the same 403 whether the device is elsewhere or nowhere. */
  assertCanAccess(deviceCollectionId: string | undefined): void {
    if (deviceCollectionId === undefined || !this.allowed.includes(deviceCollectionId)) {
      throw new DeviceAccessDeniedError();
    }
  }

  collectionForNewDevice(): string {
    if (this.target === undefined) {
      throw new InvalidRequestError(
        'The erCollectionId header is required to create a device when the token grants several collections',
      );
    }
    return this.target;
  }
}
