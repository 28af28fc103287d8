import { principalFromClaims } from '../../src/auth/principal';

const scopesOf = (payload: Record<string, unknown>): string[] => [
  ...principalFromClaims(payload, 'collections').scopes,
];

describe('principalFromClaims', () => {
  it('splits a scope string on spaces and commas, ignoring empty pieces', () => {
    expect(scopesOf({ scope: ' apollo_read  write,read , ,apollo_write ' })).toEqual([
      'apollo_read',
      'write',
      'read',
      'apollo_write',
    ]);
  });

  it('reads scp as an array of strings', () => {
    expect(scopesOf({ scp: ['apollo_read', 'write'] })).toEqual(['apollo_read', 'write']);
  });

  it('merges scope and scp without duplicates', () => {
    expect(scopesOf({ scope: 'read write', scp: ['write', 'apollo_write'] })).toEqual([
      'read',
      'write',
      'apollo_write',
    ]);
  });

  it.each<[string, unknown]>([
    ['a number', 42],
    ['an object', { write: true }],
    ['an array of non-strings', [1, true, null]],
    ['an array of nested objects', [{ scope: 'write' }, ['write']]],
  ])('ignores scope and scp claims that are %s', (_case, value) => {
    expect(scopesOf({ scope: value, scp: value })).toEqual([]);
  });

  it('keeps the string items of a scp array that also holds other types', () => {
    expect(scopesOf({ scp: ['write', 7, { a: 1 }, '', 'read'] })).toEqual(['write', 'read']);
  });

  it('reads the collections from the claim named by the caller', () => {
    const principal = principalFromClaims({ groups: ['c1', 'c2'], collections: ['other'] }, 'groups');
    expect(principal.collections).toEqual(['c1', 'c2']);
  });

  it('drops non-string and empty collection items and removes duplicates, keeping first-seen order', () => {
    const principal = principalFromClaims(
      { collections: ['c2', 1, 'c1', null, 'c2', { id: 'c3' }, '', 'c1'] },
      'collections',
    );
    expect(principal.collections).toEqual(['c2', 'c1']);
  });

  it('gives no collections when the claim is absent or not an array', () => {
    expect(principalFromClaims({}, 'collections').collections).toEqual([]);
    expect(principalFromClaims({ collections: 'c1' }, 'collections').collections).toEqual([]);
  });

  it('takes the subject from sub', () => {
    expect(principalFromClaims({ sub: 'user-1' }, 'collections').subject).toBe('user-1');
  });

  it('gives an empty subject when sub is missing or not a string', () => {
    expect(principalFromClaims({}, 'collections').subject).toBe('');
    expect(principalFromClaims({ sub: 12 }, 'collections').subject).toBe('');
  });
});
