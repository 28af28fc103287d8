import type { ExecutionContext } from '@nestjs/common';

import { CollectionGuard } from '../../src/auth/collection.guard';
import type { Principal } from '../../src/auth/principal';
import type { AuthenticatedRequest } from '../../src/auth/request-context';
import { CollectionAccessDeniedError, DeviceAccessDeniedError, InvalidRequestError } from '../../src/common/errors';

/** The one member of ExecutionContext CollectionGuard calls; the rest are never reached. */
function httpContext(request: Partial<AuthenticatedRequest>): ExecutionContext {
  const context = { switchToHttp: () => ({ getRequest: () => request }) };
  return context as unknown as ExecutionContext;
}

const principal = (...collections: string[]): Principal => ({
  subject: 'user-1',
  expiresAt: 0,
  scopes: new Set(['apollo_write']),
  collections,
});

/** Runs the guard and returns the request it decorated. */
function guarded(request: Partial<AuthenticatedRequest>): Partial<AuthenticatedRequest> {
  expect(new CollectionGuard().canActivate(httpContext(request))).toBe(true);
  return request;
}

function errorOf(request: Partial<AuthenticatedRequest>): unknown {
  try {
    new CollectionGuard().canActivate(httpContext(request));
  } catch (error) {
    return error;
  }
  throw new Error('expected the guard to throw');
}

describe('CollectionGuard', () => {
  it('denies a caller whose token grants no collection', () => {
    const error = errorOf({ user: principal(), headers: {} });
    expect(error).toBeInstanceOf(DeviceAccessDeniedError);
    expect(error).toMatchObject({ message: 'User does not have access to device' });
  });

  it('denies a request without a user as having no collection', () => {
    expect(errorOf({ headers: { ercollectionid: 'c1' } })).toBeInstanceOf(DeviceAccessDeniedError);
  });

  it("targets the caller's only collection when the header is absent", () => {
    const { deviceAccess } = guarded({ user: principal('c1'), headers: {} });
    expect(deviceAccess?.target).toBe('c1');
    expect(deviceAccess?.allowed).toEqual(['c1']);
    expect(deviceAccess?.collectionForNewDevice()).toBe('c1');
  });

  it('allows every collection but targets none when the header is absent and the token grants several', () => {
    const { deviceAccess } = guarded({ user: principal('c1', 'c2'), headers: {} });
    expect(deviceAccess?.target).toBeUndefined();
    expect(deviceAccess?.allowed).toEqual(['c1', 'c2']);
    let error: unknown;
    try {
      deviceAccess?.collectionForNewDevice();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({
      message: 'The erCollectionId header is required to create a device when the token grants several collections',
    });
  });

  it("narrows access to the header's collection when the token grants it", () => {
    const { deviceAccess } = guarded({ user: principal('c1', 'c2'), headers: { ercollectionid: 'c2' } });
    expect(deviceAccess?.allowed).toEqual(['c2']);
    expect(deviceAccess?.target).toBe('c2');
  });

  it('denies a header naming a collection the token does not grant', () => {
    const error = errorOf({ user: principal('c1', 'c2'), headers: { ercollectionid: 'c3' } });
    expect(error).toBeInstanceOf(CollectionAccessDeniedError);
    expect(error).toMatchObject({ message: 'User does not have access to the collection named by erCollectionId' });
  });

  it('denies an empty header even when the token grants collections', () => {
    expect(errorOf({ user: principal('c1'), headers: { ercollectionid: '' } })).toBeInstanceOf(
      CollectionAccessDeniedError,
    );
  });

  it('denies a header sent as an array, even one holding a granted collection', () => {
    expect(errorOf({ user: principal('c1'), headers: { ercollectionid: ['c1'] } })).toBeInstanceOf(
      CollectionAccessDeniedError,
    );
  });

  it('reads the header only under its lower-case Fastify name', () => {
    const { deviceAccess } = guarded({ user: principal('c1', 'c2'), headers: { erCollectionId: 'c2' } });
    expect(deviceAccess?.allowed).toEqual(['c1', 'c2']);
  });
});
