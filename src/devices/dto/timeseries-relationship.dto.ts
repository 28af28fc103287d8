/** The timeseries of one point. */
export class TimeseriesRelationshipDto {
  /**
   * Id of the point.
   * @example "PointId1"
   */
  pointId!: string;

  /**
   * Type of the point.
   * @example "temperature"
   */
  pointType!: string;

  /**
   * Id of the timeseries on the point (a UUID).
   * @example "2b7e7b5e-3c1a-4f3e-9a57-6f1d7f2c9e11"
   */
  timeseriesId!: string;

  /**
   * True when this request created the timeseries, false when it already existed.
   * @example true
   */
  created!: boolean;
}
