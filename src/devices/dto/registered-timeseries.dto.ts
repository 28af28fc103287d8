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
