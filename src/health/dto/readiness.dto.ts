import { ApiProperty } from '@nestjs/swagger';

/** A read replica, as readiness reports it. */
export class ReplicaReadinessDto {
  @ApiProperty({ description: 'host:port/database', example: 'replica:5432/apollo' })
  name!: string;

  @ApiProperty({ enum: ['up', 'down', 'lagging'], example: 'up' })
  state!: 'up' | 'down' | 'lagging';

  @ApiProperty({ type: 'integer', nullable: true, description: 'Milliseconds behind the primary.', example: 0 })
  lagMs!: number | null;
}

/**
 * Readiness, dependency by dependency. `ok`: everything configured answers; `degraded`: the
 * database answers (the service serves) but Redis or a replica does not (the rate limit is per
 * instance, reads go to the primary).
 */
export class ReadinessDto {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' })
  status!: 'ok' | 'degraded';

  @ApiProperty({ enum: ['up'], description: 'The primary database (down is a 503).', example: 'up' })
  database!: 'up';

  @ApiProperty({
    enum: ['up', 'down', 'not configured'],
    description: 'Redis of REDIS_URL.',
    example: 'not configured',
  })
  redis!: 'up' | 'down' | 'not configured';

  @ApiProperty({ type: [ReplicaReadinessDto], description: 'The replicas of DATABASE_REPLICA_URLS.' })
  replicas!: ReplicaReadinessDto[];
}
