import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ContinuationTokens, continuationSecret } from '../../src/common/continuation-token';
import { InvalidRequestError } from '../../src/common/errors';
import { ConfigError, loadConfig } from '../../src/config/config';

describe('ContinuationTokens', () => {
  const tokens = new ContinuationTokens(Buffer.from('k'.repeat(32)));
  const list = ['device-1', null];

  it('reads back the position it issued, for the same list', () => {
    const token = tokens.issue('list', list, { k: 'p9' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(tokens.read('list', list, token)).toEqual({ k: 'p9' });
  });

  it.each([
    ['another purpose', 'other-list', list],
    ['another device', 'list', ['device-2', null]],
    ['another filter', 'list', ['device-1', 'humidity']],
  ])('refuses a token issued for %s', (_name, purpose, context) => {
    const token = tokens.issue('list', list, { k: 'p9' });
    expect(() => tokens.read(purpose, context, token)).toThrow(/issued for another device or pointType filter/);
  });

  it('refuses a token signed with another secret', () => {
    const token = new ContinuationTokens(Buffer.from('x'.repeat(32))).issue('list', list, { k: 'p9' });
    expect(() => tokens.read('list', list, token)).toThrow(InvalidRequestError);
  });

  it('stays short for the longest multi-byte ids, which it signs but does not carry', () => {
    const longest = '漢'.repeat(256);
    const token = tokens.issue('list', [longest, '型'.repeat(64)], { k: longest });
    expect(token.length).toBeLessThan(2048);
    expect(tokens.read('list', [longest, '型'.repeat(64)], token)).toEqual({ k: longest });
  });

  it.each(['', '.', 'abc', 'a.b.c', 'a b.c', `${'a'.repeat(2048)}.b`])('calls %p malformed', (garbage) => {
    expect(() => tokens.read('list', list, garbage)).toThrow('ContinuationToken is malformed');
  });

  it('refuses a correctly signed payload that is not an object', () => {
    const signer = tokens as unknown as { sign(purpose: string, context: unknown[], payload: string): string };
    const payload = Buffer.from('[1,2]').toString('base64url');
    expect(() => tokens.read('list', list, `${payload}.${signer.sign('list', list, payload)}`)).toThrow(
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
