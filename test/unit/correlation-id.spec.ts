import type { IncomingMessage } from 'node:http';

import { correlationIdOf } from '../../src/common/correlation-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const requestWith = (value: string | string[] | undefined): IncomingMessage =>
  ({ headers: value === undefined ? {} : { 'x-correlation-id': value } }) as IncomingMessage;

describe('correlationIdOf', () => {
  it.each([['abc-123_X.y:z@host'], ['a'], ['a'.repeat(128)]])('keeps the safe id %s', (id) => {
    expect(correlationIdOf(requestWith(id))).toBe(id);
  });

  it.each<[string, string | string[] | undefined]>([
    ['absent', undefined],
    ['empty', ''],
    ['longer than 128 characters', 'a'.repeat(129)],
    ['holding a space', 'a b'],
    ['holding a CR LF (header injection)', 'abc\r\nSet-Cookie: x=1'],
    ['holding a non-ASCII letter', 'abc\u00e9'],
    ['holding a slash', 'a/b'],
    ['sent twice (an array)', ['abc', 'def']],
  ])('replaces an id that is %s with a new UUID', (_case, value) => {
    expect(correlationIdOf(requestWith(value))).toMatch(UUID);
  });

  it('generates a different UUID for each request', () => {
    expect(correlationIdOf(requestWith(undefined))).not.toBe(correlationIdOf(requestWith(undefined)));
  });
});
