import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ContinuationTokens, continuationSecret } from '../../src/common/continuation-token';
import { InvalidRequestError } from '../../src/common/errors';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('ContinuationTokens', () => {
  const tokens = new ContinuationTokens(Buffer.from('k'.repeat(32)));
  const list = ['device-1', null];
  const LIST = {
    name: 'list',
    validFor: 'this list: it was modified, or issued for another device or pointType filter',
  };
  const OTHER = { name: 'other-list', validFor: 'this other list: it was modified, or issued for another query' };

  it('reads back the position it issued, for the same list', () => {
    const token = tokens.issue(LIST, list, { k: 'p9' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(tokens.read(LIST, list, token)).toEqual({ k: 'p9' });
  });

  it.each([
    ['another device', ['device-2', null]],
    ['another filter', ['device-1', 'humidity']],
  ])('refuses a token issued for %s, saying what a token of this list is bound to', (_name, context) => {
    const token = tokens.issue(LIST, list, { k: 'p9' });
    expect(() => tokens.read(LIST, context, token)).toThrow(
      'ContinuationToken is not valid for this list: it was modified, or issued for another device or pointType filter',
    );
  });

  it('refuses a token of another purpose in the words of the purpose it was sent to', () => {
    const token = tokens.issue(LIST, list, { k: 'p9' });
    expect(() => tokens.read(OTHER, list, token)).toThrow(
      'ContinuationToken is not valid for this other list: it was modified, or issued for another query',
    );
  });

  it('refuses a token signed with another secret', () => {
    const token = new ContinuationTokens(Buffer.from('x'.repeat(32))).issue(LIST, list, { k: 'p9' });
    expect(() => tokens.read(LIST, list, token)).toThrow(InvalidRequestError);
  });

  it('stays short for the longest multi-byte ids, which it signs but does not carry', () => {
    const longest = '漢'.repeat(256);
    const token = tokens.issue(LIST, [longest, '型'.repeat(64)], { k: longest });
    expect(token.length).toBeLessThan(2048);
    expect(tokens.read(LIST, [longest, '型'.repeat(64)], token)).toEqual({ k: longest });
  });

  it.each(['', '.', 'abc', 'a.b.c', 'a b.c', `${'a'.repeat(2048)}.b`])('calls %p malformed', (garbage) => {
    expect(() => tokens.read(LIST, list, garbage)).toThrow('ContinuationToken is malformed');
  });

  it('refuses a correctly signed payload that is not an object', () => {
    const signer = tokens as unknown as { sign(purpose: typeof LIST, context: unknown[], payload: string): string };
    const payload = Buffer.from('[1,2]').toString('base64url');
    expect(() => tokens.read(LIST, list, `${payload}.${signer.sign(LIST, list, payload)}`)).toThrow(
      'ContinuationToken is malformed',
    );
  });
});

describe('continuationSecret', () => {
  it('uses CONTINUATION_SECRET when set', () => {
    const secret = 's'.repeat(40);
    expect(continuationSecret(loadConfig({ CONTINUATION_SECRET: secret }))).toEqual(Buffer.from(secret));
  });

  it('is required in production', () => {
    expect(() => continuationSecret(loadConfig({ NODE_ENV: 'production' }))).toThrow(ConfigError);
  });

  it('is generated once under DATA_DIR in development, readable by the owner only', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dtapi-secret-'));
    const first = continuationSecret(loadConfig({ DATA_DIR: dataDir }));
    const second = continuationSecret(loadConfig({ DATA_DIR: dataDir }));
    expect(first).toHaveLength(32);
    expect(second).toEqual(first);
    expect(readFileSync(join(dataDir, 'continuation-secret'), 'utf8')).toBe(first.toString('hex'));
    expect(statSync(join(dataDir, 'continuation-secret')).mode & 0o777).toBe(0o600);
  });
});
