import { applyDecorators, SetMetadata, UseGuards, type Type } from '@nestjs/common';
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

import { REQUIRED_SCOPES } from '../auth/auth.constants';
import { CollectionGuard } from '../auth/collection.guard';
import { ImsScopeGuard } from '../auth/ims-scope.guard';
import {
  ApiEnvelopeResponse,
  ApiErrorResponses,
  type EnvelopeResponseOptions,
  type ErrorResponse,
} from '../common/api-responses.decorator';

/** Route metadata: the route is a device route (tests check every `:deviceId` route carries it). */
export const DEVICE_ROUTE = 'device-routes:route';

/** The guards of every device route, in the order they run: the scope check, then the collections. */
export const DEVICE_ROUTE_GUARDS = [ImsScopeGuard, CollectionGuard] as const;

/** A request body that is a JSON array of `items` (validated by a JsonArrayPipe). */
export interface ArrayBodyOptions {
  items: Type<unknown>;
  /** The default limit of items (the configured one applies; the description says which variable). */
  maxItems: number;
  description: string;
  /** Named examples, as Swagger UI offers them. */
  examples: Record<string, { summary: string; value: unknown }>;
}

/** Everything a device route is, in one object: its feature's `*.routes.ts` declares it. */
export interface DeviceRouteOptions {
  /** Any one of these admits the caller (READ_SCOPES or WRITE_SCOPES). */
  scopes: readonly string[];
  operationId: string;
  summary: string;
  description: string;
  /** The success answer: its status, the DTO of `data` (`[Dto]` for an array), description and example. */
  answer: EnvelopeResponseOptions & { status: number; data: Type<unknown> | [Type<unknown>] };
  /** The route's own error answers (401, 403, 414, 429, 431 and 503 every device route has). */
  errors?: Readonly<Record<number, ErrorResponse>>;
  body?: ArrayBodyOptions;
  /** Request headers of this route alone. */
  headers?: readonly ApiHeaderOptions[];
  /** Path parameters after the deviceId. */
  params?: readonly ApiParamOptions[];
}

/**
 * A route of a DeviceController, in one decorator: the scopes it needs, the access checks in a
 * fixed order (ImsScopeGuard, then CollectionGuard, whose outcome the handler receives with
 * @DeviceAccess()), and its whole OpenAPI operation (body, answers, errors, headers). The service
 * checks the loaded device with `DeviceAccessScope.assertCanAccess`, the same 403 for a foreign and
 * a missing device.
 */
export function DeviceRoute(options: DeviceRouteOptions): MethodDecorator {
  const { status, data, ...answer } = options.answer;
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, options.scopes),
    SetMetadata(DEVICE_ROUTE, true),
    UseGuards(...DEVICE_ROUTE_GUARDS),
    ApiOperation({ operationId: options.operationId, summary: options.summary, description: options.description }),
    ...(options.body ? [arrayBody(options.body)] : []),
    ...(options.headers ?? []).map((header) => ApiHeader(header)),
    ...(options.params ?? []).map((param) => ApiParam(param)),
    ApiEnvelopeResponse(status, data, answer),
    ApiErrorResponses({
      403: {
        description: `The token lacks every one of the scopes ${options.scopes.join(', ')}, or the caller has no access to the collection or device.`,
        message: 'User does not have access to device',
      },
      ...options.errors,
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
