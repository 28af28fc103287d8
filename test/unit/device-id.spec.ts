import fc from 'fast-check';

import { InvalidRequestError } from '../../src/common/errors';
import { deviceIdErrors, DeviceIdPipe, isValidDeviceId } from '../../src/device-routes/device-id';
import { edgeText, repeated } from '../support/arbitraries';

const pipe = new DeviceIdPipe();

function rejectionOf(value: string): InvalidRequestError {
  try {
    pipe.transform(value);
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error(`the pipe accepted ${JSON.stringify(value)}`);
}

describe('DeviceIdPipe', () => {
  it('returns a valid device id unchanged', () => {
    expect(pipe.transform('TestDevice/with spaces and ü')).toBe('TestDevice/with spaces and ü');
  });

  it('accepts a device id of exactly 256 characters', () => {
    const id = 'd'.repeat(256);
    expect(pipe.transform(id)).toBe(id);
  });

  it('rejects a device id of 257 characters', () => {
    const error = rejectionOf('d'.repeat(257));
    expect(error.message).toBe('deviceId must be at most 256 characters');
    expect(error.errors).toEqual([{ path: 'deviceId', message: 'deviceId must be at most 256 characters' }]);
  });

  it.each([
    ['NUL', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['NEL (C1)', 'a\u0085b'],
  ])('rejects a device id containing %s', (_name, value) => {
    expect(rejectionOf(value).errors).toEqual([
      { path: 'deviceId', message: 'deviceId must not contain control characters' },
    ]);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
  ])('rejects a device id that is %s', (_name, value) => {
    expect(rejectionOf(value).errors).toEqual([{ path: 'deviceId', message: 'deviceId must not be empty or blank' }]);
  });
});

/**
 * The pipe answers as the declared contract (class-validator) does, and its fast path (Ajv) never
 * accepts an id the contract refuses. (The fast path may refuse a few ids the contract accepts:
 * validator.js does not count U+FE0E/U+FE0F in a length, Ajv does; those ids go on to
 * class-validator, which decides.)
 */
describe('DeviceIdPipe fast path', () => {
  const accepts = (value: string): boolean => {
    try {
      pipe.transform(value);
      return true;
    } catch {
      return false;
    }
  };

  it('accepts exactly what class-validator accepts, and its fast path accepts nothing more', () => {
    const id = fc.oneof(
      edgeText,
      fc.string({ unit: 'grapheme', minLength: 250, maxLength: 260 }),
      repeated(['x', '😀'], [255, 256, 257]),
      repeated(['a\ufe0f'], [128, 200, 256]),
    );
    fc.assert(
      fc.property(id, (value) => {
        const contract = deviceIdErrors(value).length === 0;
        return accepts(value) === contract && (!isValidDeviceId(value) || contract);
      }),
      { numRuns: 5000 },
    );
  });
});
