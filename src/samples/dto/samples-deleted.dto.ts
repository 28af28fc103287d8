import { ApiProperty } from '@nestjs/swagger';

/** What a delete answers. */
export class SamplesDeletedDto {
  @ApiProperty({ type: 'integer', example: 96 })
  deleted!: number;
}
