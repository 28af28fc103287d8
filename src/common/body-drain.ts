import type { IncomingMessage } from 'node:http';

import type { FastifyInstance } from 'fastify';

/** The most of a refused body the server reads and discards so that the client can read the answer. */
export const MAX_DRAINED_BYTES = 64 * 1024 * 1024;

/**
 * Fastify answers a body it refuses while the client is still sending it (413 over the limit, a
 * corrupt gzip stream) with `Connection: close`, and Node then closes the socket at once: a client
 * still writing gets EPIPE instead of the answer (Node's fetch, undici, fails every time with
 * `fetch failed`). Instead the server keeps the connection, reads and discards the rest of the
 * body up to MAX_DRAINED_BYTES, and only then, if more keeps coming, closes it. Install before any
 * hook that closes connections for its own reasons (shutdown).
 */
export function drainRefusedBodies(fastify: FastifyInstance, maxBytes = MAX_DRAINED_BYTES): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.getHeader('connection') === 'close' && reply.statusCode >= 400 && !request.raw.complete) {
      reply.removeHeader('connection');
      discard(request.raw, maxBytes);
    }
    done(null, payload);
  });
}

/** Reads the rest of the request and drops it; more than `maxBytes`, and the socket is closed. */
function discard(request: IncomingMessage, maxBytes: number): void {
  // A stream still piped into a decompressor would inflate what is dropped: take the raw bytes.
  request.unpipe();
  let received = 0;
  request.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxBytes) request.socket.destroy();
  });
  request.resume();
}
