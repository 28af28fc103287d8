import { applyDecorators, HttpCode, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath, type ApiResponseOptions } from '@nestjs/swagger';

import { errorEnvelope } from '../common/envelope';
import { EnvelopeStatusDto, ErrorEnvelopeDto } from '../common/envelope.dto';

type ResponseHeaders = NonNullable<Extract<ApiResponseOptions, { headers?: unknown }>['headers']>;

export interface EnvelopeResponseOptions {
  description: string;
  /** The whole answer, envelope included, as Swagger UI shows it. */
  example: unknown;
  headers?: ResponseHeaders;
}

/**
 * The success answer of an operation: `{status: {Message, Code}, data}` with `data` of the given
 * DTO (or an array of it: `[Dto]`), documented from the DTO and answered with this status code.
 * The documented schema is also the answer's serializer (src/common/response-serialization.ts).
 */
export function ApiEnvelopeResponse(
  status: number,
  data: Type<unknown> | [Type<unknown>],
  options: EnvelopeResponseOptions,
): MethodDecorator {
  const model = Array.isArray(data) ? data[0] : data;
  const dataSchema = Array.isArray(data)
    ? { type: 'array' as const, items: { $ref: getSchemaPath(model) } }
    : { $ref: getSchemaPath(model) };
  return applyDecorators(
    HttpCode(status),
    ApiExtraModels(EnvelopeStatusDto, model),
    ApiResponse({
      status,
      description: options.description,
      example: options.example,
      ...(options.headers ? { headers: options.headers } : {}),
      schema: {
        type: 'object',
        required: ['status', 'data'],
        properties: { status: { $ref: getSchemaPath(EnvelopeStatusDto) }, data: dataSchema },
      },
    }),
  );
}

export interface ErrorResponse {
  /** When the operation answers this status. */
  description: string;
  /** The `status.Message` of the example. */
  message: string;
  headers?: ResponseHeaders;
}

/** Error answers, by status code, each documented with the error envelope and an example of it. */
export function ApiErrorResponses(
  responses: Readonly<Record<number, ErrorResponse>>,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...Object.entries(responses).map(([code, response]) =>
      ApiResponse({
        status: Number(code),
        description: response.description,
        type: ErrorEnvelopeDto,
        example: errorEnvelope(Number(code), response.message),
        ...(response.headers ? { headers: response.headers } : {}),
      }),
    ),
  );
}
