import { ApiProperty } from '@nestjs/swagger';

/** What the probes answer in `data` when the service is up (or ready). */
export class HealthStatusDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}
