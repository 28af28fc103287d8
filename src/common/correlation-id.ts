import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_ID_HEADER = 'x-correlation-id';

/** 1..128 characters that are safe in a header and a log line. */
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * The request's correlation id: the caller's `x-correlation-id` when it is safe, else a new UUID.
 * Fastify uses it as the request id, so every log line of the request carries it.
 */
export function correlationIdOf(request: IncomingMessage): string {
  const given = request.headers[CORRELATION_ID_HEADER];
  return typeof given === 'string' && SAFE_CORRELATION_ID.test(given) ? given : randomUUID();
}
