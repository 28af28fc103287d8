import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

import { ErrorEnvelopeDto } from '../common/envelope.dto';
import { BEARER_AUTH, REQUIRED_SCOPES } from './auth.constants';
import { ImsScopeGuard } from './ims-scope.guard';

/**
 * Declares, in one line, the IMS scopes a route needs (any one of them admits the caller):
 * it sets the guard's metadata, applies ImsScopeGuard and documents the security in OpenAPI.
 */
export function RequireScopes(...anyOf: string[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPES, anyOf),
    UseGuards(ImsScopeGuard),
    ApiBearerAuth(BEARER_AUTH),
    ApiUnauthorizedResponse({
      description: 'The bearer token is missing, invalid or expired.',
      type: ErrorEnvelopeDto,
      example: {
        status: { Message: 'A bearer token is required in the Authorization header', Code: '401' },
        data: null,
      },
    }),
    ApiForbiddenResponse({
      description: `The token lacks every one of the scopes ${anyOf.join(', ')}, or the caller has no access to the collection or device.`,
      type: ErrorEnvelopeDto,
      example: { status: { Message: 'User does not have access to device', Code: '403' }, data: null },
    }),
  );
}
