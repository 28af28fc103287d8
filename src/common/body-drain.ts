import type { IncomingMessage } from 'node:http';

import type { FastifyInstance } from 'fastify';

/** The most of a refused body the server reads and discards so that the client can read the answer. */
export const MAX_DRAINED_BYTES = 64 * 1024 * 1024;
/** How long it reads at most: a client trickling a refused body does not hold the connection for ever. */
export const MAX_DRAIN_MS = 30_000;

/**
 * Fastify answers a body it refuses while the client is still sending it (413 over the limit, a
 * corrupt gzip stream) with `Connection: close`, and Node then closes the socket at once: a client
 * still writing gets EPIPE instead of the answer (Node's fetch, undici, fails every time with
 * `fetch failed`). Instead the server keeps the connection, reads and discards the rest of the
 * body, up to MAX_DRAINED_BYTES and MAX_DRAIN_MS, and closes it only when more keeps coming (or a
 * declared Content-Length is larger than that: such a client gets the old close at once). Install
 * before any hook that closes connections for its own reasons (shutdown).
 */
export function drainRefusedBodies(
  fastify: FastifyInstance,
  limits: { maxBytes: number; maxMs: number } = { maxBytes: MAX_DRAINED_BYTES, maxMs: MAX_DRAIN_MS },
): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    const refusedWhileSending = reply.getHeader('connection') === 'close' && reply.statusCode >= 400;
    if (refusedWhileSending && !request.raw.complete && !(declared > limits.maxBytes)) {
      reply.removeHeader('connection');
      discard(request.raw, limits);
    }
    done(null, payload);
  });
}

/** Reads the rest of the request and drops it; more than the limits allow, and the socket is closed. */
function discard(request: IncomingMessage, { maxBytes, maxMs }: { maxBytes: number; maxMs: number }): void {
  // A stream still piped into a decompressor would inflate what is dropped: take the raw bytes.
  request.unpipe();
  // IncomingMessage#destroy closes the connection the request came on.
  const timer = setTimeout(() => request.destroy(), maxMs);
  timer.unref();
  let received = 0;
  request.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) request.destroy();
  });
  request.once('end', () => clearTimeout(timer));
  request.once('close', () => clearTimeout(timer));
  request.resume();
}
