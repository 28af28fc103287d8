import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiHeader, type ApiHeaderOptions } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

import { CORRELATION_ID_HEADER } from '../common/correlation-id';

/** The paging header, as Fastify names it (lower case). */
export const CONTINUATION_TOKEN_HEADER = 'continuationtoken';

/** The correlation id every route reads (echoed on every answer): documented once per controller. */
export function ApiCorrelationIdHeader(): ClassDecorator & MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: CORRELATION_ID_HEADER,
      required: false,
      // No example: Swagger UI would fill it into every "Try it out", one id for every call.
      description:
        'Correlation id for tracing across calls (1..128 of A-Z a-z 0-9 . _ : @ -), such as a UUID. Echoed on the response; generated when absent or unsafe.',
      schema: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:@-]+$' },
    }),
  );
}

/** Documents a request header on the operation whose handler parameter reads it. */
function documentsHeader(options: ApiHeaderOptions): ParameterDecorator {
  return (target, key) => {
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (descriptor) ApiHeader(options)(target, key, descriptor);
  };
}

/**
 * The `ContinuationToken` request header of a paged operation: the handler parameter receives it
 * (undefined when absent), and the operation, only it, documents it.
 */
export const ContinuationTokenHeader = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | undefined => {
    const value = context.switchToHttp().getRequest<FastifyRequest>().headers[CONTINUATION_TOKEN_HEADER];
    return typeof value === 'string' && value !== '' ? value : undefined;
  },
  [
    documentsHeader({
      name: 'ContinuationToken',
      required: false,
      description:
        'The ContinuationToken response header of the previous page, to read the next one (omit it for the first page). Send it with the same query.',
    }),
  ],
);
