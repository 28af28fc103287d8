import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiOperation,
  ApiParam,
  ApiResponse,
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

/** A request body that is one JSON object of `type` (validated by the global ValidationPipe). */
export interface ObjectBodyOptions {
  type: Type<unknown>;
  description: string;
  examples: Record<string, { summary: string; value: unknown }>;
}

/** Everything the OpenAPI document says of a route, in one object: its feature's `*.routes.ts` declares it. */
export interface RouteOptions {
  operationId: string;
  summary: string;
  description: string;
  /** The success answer: its status, the DTO of `data` (`[Dto]` for an array), description and example; or an event stream. */
  answer: (EnvelopeResponseOptions & { status: number; data: Type<unknown> | [Type<unknown>] }) | EventStreamAnswer;
  /** The route's own error answers (those its controller shares are declared there). */
  errors?: Readonly<Record<number, ErrorResponse>>;
  body?: ArrayBodyOptions | ObjectBodyOptions;
  /** Request headers of this route alone. */
  headers?: readonly ApiHeaderOptions[];
  /** Path parameters of this route alone. */
  params?: readonly ApiParamOptions[];
}

/** A success answer that is a stream of Server-Sent Events (`text/event-stream`), not an envelope. */
export interface EventStreamAnswer {
  status: number;
  eventStream: {
    description: string;
    /** A piece of the stream as a client reads it (in the description). */
    example: string;
    /** The `data` of the first event there, the media type's example (it follows the schema). */
    dataExample: unknown;
    /** The schemas of the events' `data`, by event name. */
    events: Record<string, { description: string; data: Type<unknown> | [Type<unknown>] }>;
  };
}

/**
 * A route's whole OpenAPI operation from one RouteOptions object: operation, body, parameters,
 * headers, success answer (which also sets the status code) and errors. DeviceRoute adds the
 * device routes' guards to it; public routes (health) use it as it is.
 */
export function ApiRoute(options: RouteOptions): MethodDecorator {
  return applyDecorators(
    ApiOperation({ operationId: options.operationId, summary: options.summary, description: options.description }),
    ...(options.body ? ['type' in options.body ? ApiBody(options.body) : arrayBody(options.body)] : []),
    ...(options.headers ?? []).map((header) => ApiHeader(header)),
    ...(options.params ?? []).map((param) => ApiParam(param)),
    'eventStream' in options.answer ? eventStreamResponse(options.answer) : envelopeResponse(options.answer),
    ...(options.errors ? [ApiErrorResponses(options.errors)] : []),
  );
}

function envelopeResponse(options: Exclude<RouteOptions['answer'], EventStreamAnswer>): MethodDecorator {
  const { status, data, ...answer } = options;
  return ApiEnvelopeResponse(status, data, answer);
}

/**
 * `text/event-stream`: the schemas of the events' `data` (OpenAPI 3.0 has no way to type SSE events:
 * `oneOf` lists them, `x-events` maps event names to them, the description says each).
 */
function eventStreamResponse({ status, eventStream }: EventStreamAnswer): MethodDecorator {
  const events = Object.entries(eventStream.events);
  const models = events.map(([, event]) => (Array.isArray(event.data) ? event.data[0] : event.data));
  const dataSchema = (data: Type<unknown> | [Type<unknown>]) =>
    Array.isArray(data) ? { type: 'array', items: { $ref: getSchemaPath(data[0]) } } : { $ref: getSchemaPath(data) };
  // Each event's `data` is one of the schemas; `x-events` (an extension: @nestjs/swagger's type lists no `x-` keys) names which.
  const schema = {
    description: events.map(([name, event]) => `event: ${name}: ${event.description}`).join('\n'),
    oneOf: events
      .map(([, event]) => dataSchema(event.data))
      .filter((item, index, all) => all.findIndex((other) => JSON.stringify(other) === JSON.stringify(item)) === index),
    'x-events': Object.fromEntries(events.map(([name, event]) => [name, dataSchema(event.data)])),
  };
  return applyDecorators(
    ApiExtraModels(...models),
    ApiResponse({
      status,
      // The example is the stream's text, which no event's schema describes: it goes with the description.
      description: `${eventStream.description}\n\n\`\`\`text\n${eventStream.example}\`\`\``,
      content: { 'text/event-stream': { schema, example: eventStream.dataExample } },
    }),
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
