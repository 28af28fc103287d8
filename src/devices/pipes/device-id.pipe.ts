import { Injectable, type PipeTransform } from '@nestjs/common';
import { validateSync } from 'class-validator';

import { InvalidRequestError } from '../../common/errors';
import { toFieldErrors, VALIDATOR_OPTIONS } from '../../common/validation';
import { DEVICE_ID_MAX_LENGTH } from '../dto/limits';
import { IsSafeText } from '../dto/safe-text.decorator';

/** The path parameter, validated by the same rules as the ids in bodies. */
class DeviceIdParam {
  @IsSafeText(DEVICE_ID_MAX_LENGTH)
  deviceId!: string;
}

/** Validates the `deviceId` path parameter: 1..256 characters, not blank, no control characters. */
@Injectable()
export class DeviceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const errors = toFieldErrors(
      validateSync(Object.assign(new DeviceIdParam(), { deviceId: value }), VALIDATOR_OPTIONS),
    );
    if (errors[0]) throw new InvalidRequestError(errors[0].message, errors);
    return value;
  }
}
