import { PassThrough, type Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';

import type { AppConfig } from '../config/config';
import { InvalidRequestError, UnsupportedMediaTypeError } from './errors';

/** Route config of a route that takes compressed JSON bodies (see CompressedJsonBody). */
interface CompressedBodyRoute {
  compressedJsonBody?: { bodyLimit: (config: AppConfig) => number };
}

/**
 * The route accepts a JSON body sent with `Content-Encoding: gzip` or `deflate` (device gateways
 * compress their batches), with a body limit of its own: `bodyLimit` of the configuration, which
 * applies to the decompressed body (a small body that inflates past it is a 413 too). Another
 * encoding is a 415, a corrupt stream a 400. Routes without it refuse every encoding but identity.
 */
export function CompressedJsonBody(bodyLimit: (config: AppConfig) => number): MethodDecorator {
  return RouteConfig({ compressedJsonBody: { bodyLimit } } satisfies CompressedBodyRoute);
}

/** Installs what CompressedJsonBody declares; call before the routes are registered. */
export function decompressBodies(fastify: FastifyInstance, config: AppConfig): void {
  fastify.addHook('onRoute', (route) => {
    // Fastify types a route's config loosely; this route config is ours (CompressedJsonBody).
    const routeConfig: unknown = route.config;
    const declared = (routeConfig as CompressedBodyRoute | undefined)?.compressedJsonBody;
    if (declared) route.bodyLimit = declared.bodyLimit(config);
  });
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const header = request.headers['content-encoding'];
    const encoding = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
    if (encoding === '' || encoding === 'identity') {
      done(null, payload);
      return;
    }
    const accepts = (request.routeOptions.config as CompressedBodyRoute | undefined)?.compressedJsonBody;
    if (!accepts || (encoding !== 'gzip' && encoding !== 'deflate')) {
      done(
        new UnsupportedMediaTypeError(
          accepts
            ? 'Content-Encoding must be gzip, deflate or identity'
            : 'Content-Encoding is not accepted on this route: send the body uncompressed',
        ),
      );
      return;
    }
    done(null, inflated(payload, encoding));
  });
}

/**
 * The decompressed body. Fastify counts its bytes against the route's body limit, and compares
 * `receivedEncodedLength` (the bytes on the wire) with Content-Length.
 */
function inflated(payload: Readable, encoding: 'gzip' | 'deflate'): Readable {
  const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
  const body = new PassThrough() as PassThrough & { receivedEncodedLength: number };
  body.receivedEncodedLength = 0;
  payload.on('data', (chunk: Buffer) => (body.receivedEncodedLength += chunk.length));
  inflate.on('error', () => {
    body.destroy(new InvalidRequestError(`The request body is not a valid ${encoding} stream`));
  });
  payload.on('error', (error) => body.destroy(error));
  payload.pipe(inflate).pipe(body);
  return body;
}
