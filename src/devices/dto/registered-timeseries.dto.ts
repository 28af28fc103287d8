import { ApiProperty } from '@nestjs/swagger';

import { EnvelopeStatusDto } from '../../common/envelope.dto';
import { TimeseriesRelationshipDto } from './timeseries-relationship.dto';

/** The device and the timeseries of the points posted, in request order. */
export class RegisteredTimeseriesDto {
  /**
   * Id of the device points were added to.
   * @example "TestDevice"
   */
  deviceId!: string;

  /** One entry per posted point, in request order. */
  relationships!: TimeseriesRelationshipDto[];
}

export class RegisterTimeseriesResponseDto {
  @ApiProperty({ type: EnvelopeStatusDto, example: { Message: '', Code: '202' } })
  status!: EnvelopeStatusDto;

  data!: RegisteredTimeseriesDto;
}
