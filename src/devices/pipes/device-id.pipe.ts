import { Injectable, type PipeTransform } from '@nestjs/common';
import { validateSync } from 'class-validator';

import type { FieldError } from '../../common/envelope';
import { InvalidRequestError } from '../../common/errors';
import { toFieldErrors, VALIDATOR_OPTIONS } from '../../common/validation';
import { DEVICE_ID_MAX_LENGTH } from '../dto/limits';
import { IsSafeText } from '../dto/safe-text.decorator';
import { compileSafeTextSchema } from './point-list.schema';

/** The path parameter, validated by the same rules as the ids in bodies. */
class DeviceIdParam {
  @IsSafeText(DEVICE_ID_MAX_LENGTH)
  deviceId!: string;
}

/** The same rules compiled by Ajv: valid ids (nearly all) skip class-validator; a test checks both agree. */
export const isValidDeviceId = compileSafeTextSchema(DEVICE_ID_MAX_LENGTH);

/** The declared contract (class-validator on DeviceIdParam): what is wrong with an id, by message. */
export function deviceIdErrors(value: string): FieldError[] {
  return toFieldErrors(validateSync(Object.assign(new DeviceIdParam(), { deviceId: value }), VALIDATOR_OPTIONS));
}

/** Validates the `deviceId` path parameter: 1..256 characters, not blank, no control characters. */
@Injectable()
export class DeviceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (isValidDeviceId(value)) return value;
    const errors = deviceIdErrors(value);
    if (errors[0]) throw new InvalidRequestError(errors[0].message, errors);
    return value;
  }
}
