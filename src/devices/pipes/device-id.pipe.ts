import { Injectable, type PipeTransform } from '@nestjs/common';

import { InvalidRequestError } from '../../common/errors';
import { DEVICE_ID_MAX_LENGTH, NOT_BLANK, WELL_FORMED_UNICODE, WITHOUT_CONTROL_CHARACTERS } from '../dto/limits';

/** Validates the `deviceId` path parameter: 1..256 characters, not blank, no control characters. */
@Injectable()
export class DeviceIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const problem =
      // Characters are counted as code points, as class-validator and PostgreSQL count them.
      [...value].length > DEVICE_ID_MAX_LENGTH
        ? `deviceId must be at most ${DEVICE_ID_MAX_LENGTH} characters`
        : !NOT_BLANK.test(value)
          ? 'deviceId must not be empty or blank'
          : !WITHOUT_CONTROL_CHARACTERS.test(value)
            ? 'deviceId must not contain control characters'
            : !WELL_FORMED_UNICODE.test(value)
              ? 'deviceId must be well-formed Unicode (no lone surrogates)'
              : undefined;
    if (problem) throw new InvalidRequestError(problem, [{ path: 'deviceId', message: problem }]);
    return value;
  }
}
