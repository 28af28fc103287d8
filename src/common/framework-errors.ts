import type { Socket } from 'node:net';

import { UnsupportedMediaTypeException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { CORRELATION_ID_HEADER } from './correlation-id';
import { errorEnvelope } from './envelope';

/**
 * Fastify answers a few malformed requests before any route or Nest layer sees them. These
 * handlers give those answers the envelope too, and never echo the offending URL.
 */
export function frameworkErrorHandler(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [status, message] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? [414, 'A path parameter is too long']
      : error.code === 'FST_ERR_BAD_URL'
        ? [400, 'The URL is not valid: check its percent-encoding']
        : [500, 'Internal server error'];
  if (status >= 500) request.log.error({ err: error }, 'framework error');
  void reply
    .status(status)
    .header(CORRELATION_ID_HEADER, request.id)
    .type('application/json; charset=utf-8')
    .send(errorEnvelope(status, message));
}

/** Errors of the HTTP parser itself (malformed request line, headers too large). */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const [status, reason, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'The request headers are too large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'Request timed out']
        : [400, 'Bad Request', 'The HTTP request is malformed'];
  const body = JSON.stringify(errorEnvelope(status, message));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Bodies are JSON in UTF-8 and nothing else: Fastify's text/plain parser is removed, and its JSON
 * parser (with prototype-poisoning checks) is kept behind a charset check, since it would read a
 * body declared latin1 or UTF-16 as UTF-8.
 */
export function acceptOnlyUtf8Json(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
    if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
      done(new UnsupportedMediaTypeException('Content-Type charset must be utf-8'), undefined);
      return;
    }
    void parseJson(request, body.toString(), done);
  });
}
