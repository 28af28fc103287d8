import fc from 'fast-check';

import { InvalidRequestError } from '../../src/common/errors';
import { deviceIdErrors, DeviceIdPipe, isValidDeviceId } from '../../src/devices/pipes/device-id.pipe';

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

/** The fast path (Ajv) and the declared contract (class-validator) accept exactly the same ids. */
describe('DeviceIdPipe fast path', () => {
  it('agrees with class-validator on generated and edge-case ids', () => {
    const id = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom(
        '',
        ' ',
        '\t',
        ' x ',
        'a\u0000',
        'a\u001f',
        'a\u007f',
        'a\u0085',
        'a\u00a0',
        '\ud800',
        'a\udc00b',
      ),
      fc.constantFrom(255, 256, 257).map((n) => 'x'.repeat(n)),
      fc.constantFrom(255, 256, 257).map((n) => '😀'.repeat(n)),
    );
    fc.assert(
      fc.property(id, (value) => isValidDeviceId(value) === (deviceIdErrors(value).length === 0)),
      { numRuns: 5000 },
    );
  });
});
