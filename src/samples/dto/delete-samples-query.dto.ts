import { IsRequiredInstant } from '../../series/dto/instant.decorator';
import { MetricSelectionDto } from '../../series/dto/timeseries-selection.dto';

/** Query of `DELETE .../samples`: both ends required, so no request deletes everything by accident. */
export class DeleteSamplesQueryDto extends MetricSelectionDto {
  @IsRequiredInstant('The first instant deleted (inclusive).', '2026-11-26T00:00:00Z')
  startTime!: string;

  @IsRequiredInstant('The end of the range deleted (exclusive).', '2026-11-27T00:00:00Z')
  endTime!: string;
}
