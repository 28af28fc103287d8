import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

/** The paging header, as Fastify names it (lower case). */
export const CONTINUATION_TOKEN_HEADER = 'continuationtoken';

/**
 * Documents the optional headers every apollo route shares, as the founding document lists them:
 * the correlation id, and the paging token (read by list operations, ignored by the others).
 */
export function ApiApolloHeaders(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'x-correlation-id',
      required: false,
      description:
        'Correlation id for tracing across calls (1..128 of A-Z a-z 0-9 . _ : @ -). Echoed on the response; generated when absent or unsafe.',
      example: '764ff302-7ba1-42dc-bd4e-e1e883e9a76b',
    }),
    ApiHeader({
      name: 'ContinuationToken',
      required: false,
      description:
        'Paging token of list operations: the ContinuationToken of the previous page (omit it for the first page). Other operations ignore it.',
    }),
  );
}
