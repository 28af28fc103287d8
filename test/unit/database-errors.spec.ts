import { QueryFailedError } from 'typeorm';

import { classifyDatabaseError, isConnectionFailure } from '../../src/database/database-errors';

const pgError = (code: string, message = 'error') => Object.assign(new Error(message), { code });
const wrapped = (error: Error) => new QueryFailedError('SELECT 1', [], error);

describe('isConnectionFailure (when a replica read is run again on the primary)', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a connection cut mid-query', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect in time', new Error('timeout exceeded when trying to connect')],
    ['a server shutting down', wrapped(pgError('57P01', 'terminating connection due to administrator command'))],
    ['a server starting up', pgError('57P03', 'the database system is starting up')],
    ['a connection exception class', pgError('08006')],
    ['too many connections', pgError('53300')],
    [
      'a recovery conflict on a standby',
      wrapped(pgError('40001', 'canceling statement due to conflict with recovery')),
    ],
  ])('is true for %s', (_name, error) => {
    expect(isConnectionFailure(error)).toBe(true);
  });

  it.each([
    [
      'a statement timeout (as slow on the primary)',
      wrapped(pgError('57014', 'canceling statement due to statement timeout')),
    ],
    ['a syntax error', wrapped(pgError('42601'))],
    ['a unique violation', wrapped(pgError('23505'))],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'text'],
  ])('is false for %s', (_name, error) => {
    expect(isConnectionFailure(error)).toBe(false);
  });

  it('is narrower than "the database is unavailable" (a statement timeout is a 503 but not a reason to retry)', () => {
    const timeout = wrapped(pgError('57014'));
    expect(classifyDatabaseError(timeout)?.kind).toBe('unavailable');
    expect(isConnectionFailure(timeout)).toBe(false);
  });
});
