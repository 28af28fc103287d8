import { DeviceAccessScope } from '../../src/auth/device-access-scope';
import { DeviceAccessDeniedError, InvalidRequestError } from '../../src/common/errors';

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('DeviceAccessScope', () => {
  const scope = new DeviceAccessScope(['c1', 'c2'], undefined);

  it('lets a device in an allowed collection through', () => {
    expect(() => scope.assertCanAccess('c2')).not.toThrow();
  });

  it('denies a device that does not exist and a device in a foreign collection with the same error', () => {
    const missing = errorOf(() => scope.assertCanAccess(undefined));
    const foreign = errorOf(() => scope.assertCanAccess('c3'));
    expect(missing).toBeInstanceOf(DeviceAccessDeniedError);
    expect(foreign).toBeInstanceOf(DeviceAccessDeniedError);
    expect(missing).toMatchObject({ message: 'User does not have access to device' });
    expect(foreign).toMatchObject({ message: 'User does not have access to device' });
  });

  it('puts a new device in the target collection', () => {
    expect(new DeviceAccessScope(['c1'], 'c1').collectionForNewDevice()).toBe('c1');
  });

  it('asks for erCollectionId when there is no target collection for a new device', () => {
    const error = errorOf(() => scope.collectionForNewDevice());
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({
      message: 'The erCollectionId header is required to create a device when the token grants several collections',
    });
  });
});
