import { QueryFailedError } from 'typeorm';

import { InvalidRequestError, ServiceUnavailableError, type DomainError } from '../common/errors';

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

function databaseUnavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError('The database is unavailable; try again shortly');
}
