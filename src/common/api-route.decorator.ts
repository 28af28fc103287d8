import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiParam,
  getSchemaPath,
  type ApiHeaderOptions,
  type ApiParamOptions,
} from '@nestjs/swagger';

import {
  ApiEnvelopeResponse,
  ApiErrorResponses,
  type EnvelopeResponseOptions,
  type ErrorResponse,
} from './api-responses.decorator';

/** A request body that is a JSON array of `items` (validated by a JsonArrayPipe). */
export interface ArrayBodyOptions {
  items: Type<unknown>;
  /** The default limit of items (the configured one applies; the description says which variable). */
  maxItems: number;
  description: string;
  /** Named examples, as Swagger UI offers them. */
  examples: Record<string, { summary: string; value: unknown }>;
}

/** Everything the OpenAPI document says of a route, in one object: its feature's `*.routes.ts` declares it. */
export interface RouteOptions {
  operationId: string;
  summary: string;
  description: string;
  /** The success answer: its status, the DTO of `data` (`[Dto]` for an array), description and example. */
  answer: EnvelopeResponseOptions & { status: number; data: Type<unknown> | [Type<unknown>] };
  /** The route's own error answers (those its controller shares are declared there). */
  errors?: Readonly<Record<number, ErrorResponse>>;
  body?: ArrayBodyOptions;
  /** Request headers of this route alone. */
  headers?: readonly ApiHeaderOptions[];
  /** Path parameters of this route alone. */
  params?: readonly ApiParamOptions[];
}

/**
 * A route's whole OpenAPI operation from one RouteOptions object: operation, body, parameters,
 * headers, success answer (which also sets the status code) and errors. DeviceRoute adds the
 * device routes' guards to it; public routes (health) use it as it is.
 */
export function ApiRoute(options: RouteOptions): MethodDecorator {
  const { status, data, ...answer } = options.answer;
  return applyDecorators(
    ApiOperation({ operationId: options.operationId, summary: options.summary, description: options.description }),
    ...(options.body ? [arrayBody(options.body)] : []),
    ...(options.headers ?? []).map((header) => ApiHeader(header)),
    ...(options.params ?? []).map((param) => ApiParam(param)),
    ApiEnvelopeResponse(status, data, answer),
    ...(options.errors ? [ApiErrorResponses(options.errors)] : []),
  );
}

function arrayBody({ items, maxItems, description, examples }: ArrayBodyOptions): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(items),
    ApiBody({
      description,
      schema: { type: 'array', minItems: 1, maxItems, items: { $ref: getSchemaPath(items) } },
      examples,
    }),
  );
}
