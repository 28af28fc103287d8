import { Inject, Injectable } from '@nestjs/common';

import { JsonArrayPipe } from '../../common/json-array.pipe';
import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import { PointDto, POINT_SCHEMA } from '../dto/point.dto';

/**
 * The registration's body: a JSON array of 1..MAX_POINTS_PER_REQUEST PointDto items with distinct
 * ids, validated the one way array bodies are (JsonArrayPipe).
 */
@Injectable()
export class PointListPipe extends JsonArrayPipe<PointDto, PointDto[]> {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      noun: { one: 'point', many: 'points' },
      verb: 'register',
      maxItems: config.limits.maxPointsPerRequest,
      dto: PointDto,
      itemSchema: POINT_SCHEMA,
      convert: (points) => [...points],
      size: (points) => points.length,
      duplicates: {
        key: (points, index) => points[index]!.id,
        path: '.id',
        name: 'id',
        shown: (points, index) => JSON.stringify(points[index]!.id),
      },
    });
  }
}
