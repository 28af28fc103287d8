import { Injectable, Param, type PipeTransform } from '@nestjs/common';
import { validateSync } from 'class-validator';

import type { FieldError } from '../common/envelope';
import { InvalidRequestError } from '../common/errors';
import { compileSafeText, IsSafeText, safeTextSchema } from '../common/safe-text';
import { toFieldErrors, VALIDATOR_OPTIONS } from '../common/validation';

/**
 * Longest raw path parameter the router reads (its default, 100, would answer 414 for ordinary
 * ids): room for a 256-character id even when every character is percent-encoded UTF-8.
 */
export const MAX_PARAM_LENGTH = 4096;

/** Longest device id, in characters (code points). */
export const DEVICE_ID_MAX_LENGTH = 256;

/** The `deviceId` path parameter as every device route documents it (see DeviceController). */
export const DEVICE_ID_PARAM = {
  name: 'deviceId',
  description: `ID of the device (1..${DEVICE_ID_MAX_LENGTH} characters, no control characters), percent-encoded in the path.`,
  example: 'TestDevice',
  schema: safeTextSchema(DEVICE_ID_MAX_LENGTH),
} as const;

/** The path parameter, validated by the same rule as the ids in bodies. */
class DeviceIdParam {
  @IsSafeText(DEVICE_ID_MAX_LENGTH)
  deviceId!: string;
}

/** The rule compiled by Ajv: valid ids (nearly all) skip class-validator, which only explains. */
export const isValidDeviceId = compileSafeText(DEVICE_ID_MAX_LENGTH);

/** What is wrong with an id, as class-validator words it. */
export function deviceIdErrors(value: string): FieldError[] {
  return toFieldErrors(validateSync(Object.assign(new DeviceIdParam(), { deviceId: value }), VALIDATOR_OPTIONS));
}

/** Validates the `deviceId` path parameter: safe text of 1..256 characters. */
@Injectable()
export class DeviceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (isValidDeviceId(value)) return value;
    const errors = deviceIdErrors(value);
    if (errors[0]) throw new InvalidRequestError(errors[0].message, errors);
    return value;
  }
}

/** The handler parameter of the validated `deviceId` path parameter. */
export const DeviceId = (): ParameterDecorator => Param('deviceId', DeviceIdPipe);
