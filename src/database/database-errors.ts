import { QueryFailedError } from 'typeorm';

import { InvalidRequestError, ServiceUnavailableError, type DomainError } from '../common/errors';

/** PostgreSQL's unique_violation. */
const UNIQUE_VIOLATION = '23505';
/** check_violation: also what a partitioned table raises for a row no partition takes. */
const CHECK_VIOLATION = '23514';

/** SQLSTATE classes and codes that mean "the database cannot serve this now", not "the request is wrong". */
const UNAVAILABLE_SQLSTATES = new Set(['57014', '57P01', '57P02', '57P03', '53300', '40001', '40P01']);
/** PostgreSQL refuses NUL and some byte sequences in text: the input is at fault. */
const BAD_INPUT_SQLSTATES = new Set(['22021', '22P05']);
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error',
  'Connection is not established',
];

/**
 * Classifies an error raised by the database layer. Returns a domain error for the cases with a
 * meaning (bad input, database unavailable) and undefined for everything else, which is a bug.
 */
export function classifyDatabaseError(error: unknown): DomainError | undefined {
  const cause = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  // Duck-typed: socket errors may come from another realm (a VM context), where instanceof fails.
  if (typeof cause !== 'object' || cause === null || typeof (cause as { message?: unknown }).message !== 'string') {
    return undefined;
  }
  const { code, message } = cause as { code?: unknown; message: string };
  if (typeof code === 'string') {
    if (BAD_INPUT_SQLSTATES.has(code)) {
      return new InvalidRequestError('The request contains characters the database cannot store');
    }
    if (UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08') || NETWORK_ERROR_CODES.has(code)) {
      return databaseUnavailable();
    }
  }
  if (UNAVAILABLE_MESSAGES.some((text) => message.includes(text))) return databaseUnavailable();
  return undefined;
}

/**
 * The server could not be reached or went away (connection refused, reset or cut, shut down, not
 * yet accepting), or a standby cancelled the statement for a conflict with recovery: the same read
 * can succeed elsewhere. Not a statement timeout: a slow statement is as slow on the primary.
 */
export function isConnectionFailure(error: unknown): boolean {
  const cause = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  if (typeof cause !== 'object' || cause === null || typeof (cause as { message?: unknown }).message !== 'string') {
    return false;
  }
  const { code, message } = cause as { code?: unknown; message: string };
  if (typeof code === 'string') {
    if (code.startsWith('08') || NETWORK_ERROR_CODES.has(code)) return true;
    if (['57P01', '57P02', '57P03', '53300', '40001'].includes(code)) return true;
  }
  return UNAVAILABLE_MESSAGES.some((text) => message.includes(text));
}

function databaseUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError('The database is unavailable; try again shortly');
}

/** The database refused a row whose unique key is taken (23505), raw or wrapped by TypeORM. */
export function isUniqueViolation(error: unknown): boolean {
  const cause = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  return typeof cause === 'object' && cause !== null && (cause as { code?: unknown }).code === UNIQUE_VIOLATION;
}

/** A row fell outside every partition of a partitioned table (23514 "no partition ... found for row"). */
export function isMissingPartition(error: unknown): boolean {
  const cause = error instanceof QueryFailedError ? (error.driverError as unknown) : error;
  if (typeof cause !== 'object' || cause === null) return false;
  const { code, message } = cause as { code?: unknown; message?: unknown };
  return code === CHECK_VIOLATION && typeof message === 'string' && message.includes('no partition');
}
