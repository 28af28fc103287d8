import { applyDecorators, Controller } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiParam, ApiTags } from '@nestjs/swagger';

import { BEARER_AUTH } from '../openapi/openapi';
import { ApiCorrelationIdHeader } from '../openapi/api-headers.decorator';
import { ApiErrorResponses } from '../openapi/api-responses.decorator';
import { DEVICE_ID_PARAM, MAX_PARAM_LENGTH } from './device-id';

/** Where every device route lives: `/apollo/devices/{deviceId}/...`. */
const DEVICE_ROUTES_PREFIX = 'apollo/devices/:deviceId';

/**
 * A controller of device routes, `/apollo/devices/{deviceId}/<path>`, under one OpenAPI tag: the
 * bearer scheme, the shared headers (x-correlation-id, erCollectionId), the deviceId parameter and
 * the error answers every device route shares (401, 405, 414, 429, 431, 503). Each route adds
 * @DeviceRoute().
 */
export function DeviceController(path: string, tag: { name: string }): ClassDecorator {
  return applyDecorators(
    Controller(`${DEVICE_ROUTES_PREFIX}/${path}`),
    ApiTags(tag.name),
    ApiBearerAuth(BEARER_AUTH),
    ApiCorrelationIdHeader(),
    ApiHeader({
      name: 'erCollectionId',
      required: false,
      description:
        "Collection (security group) the device belongs to or is created in. Must be one of the token's collections. Required to create a device when the token grants several collections.",
      example: 'testcollection',
    }),
    ApiParam(DEVICE_ID_PARAM),
    ApiErrorResponses({
      401: {
        description: 'The bearer token is missing, invalid or expired.',
        message: 'A bearer token is required in the Authorization header',
      },
      429: {
        description: 'More than RATE_LIMIT_PER_MINUTE requests in a minute for this token subject.',
        message: 'Too many requests',
        headers: { 'Retry-After': { description: 'Seconds until the limit resets.', schema: { type: 'integer' } } },
      },
      405: {
        description: 'The path is served, but not with this method: the Allow header lists the methods that are.',
        message: 'Method not allowed',
        headers: { Allow: { description: 'The methods the path serves.', schema: { type: 'string' } } },
      },
      414: {
        description: `A path parameter is longer than the ${MAX_PARAM_LENGTH} bytes the router reads (percent-encoded).`,
        message: 'A path parameter is too long',
      },
      431: { description: 'The request headers are too large.', message: 'The request headers are too large' },
      503: { description: 'The database is unavailable.', message: 'The database is unavailable; try again shortly' },
    }),
  );
}
