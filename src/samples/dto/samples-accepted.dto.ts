import { ApiProperty } from '@nestjs/swagger';

/** What a samples write answers once the samples are committed. */
export class SamplesAcceptedDto {
  @ApiProperty({ type: 'integer', description: 'Samples stored (new or replacing a stored one).', example: 2 })
  accepted!: number;
}
