import { Inject, Injectable, type PipeTransform } from '@nestjs/common';
import { validateSync } from 'class-validator';

import { APP_CONFIG } from '../../config/config.module';
import type { AppConfig } from '../../config/config';
import type { FieldError } from '../../common/envelope';
import { InvalidRequestError, NoPointsProvidedError } from '../../common/errors';
import { toFieldErrors, VALIDATOR_OPTIONS } from '../../common/validation';
import { PointDto } from '../dto/point.dto';
import { compilePointListSchema } from './point-list.schema';

/**
 * Validates the POST body: a JSON array of 1..MAX_POINTS_PER_REQUEST PointDto items with distinct
 * ids. (Nest's ValidationPipe does not validate top-level arrays.) Errors name the items by path.
 */
@Injectable()
export class PointListPipe implements PipeTransform<unknown, PointDto[]> {
  private readonly maxPoints: number;
  private readonly isValidFast: ReturnType<typeof compilePointListSchema>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.maxPoints = config.limits.maxPointsPerRequest;
    this.isValidFast = compilePointListSchema(this.maxPoints);
  }

  transform(body: unknown): PointDto[] {
    // Most bodies are valid: the compiled schema says so in microseconds per point.
    if (this.isValidFast(body)) return withoutDuplicates(body);
    return withoutDuplicates(this.validateThoroughly(body));
  }

  /** class-validator, item by item: slower, and names every problem by its path. */
  private validateThoroughly(body: unknown): PointDto[] {
    if (!Array.isArray(body)) {
      throw new InvalidRequestError('The request body must be a JSON array of points');
    }
    if (body.length === 0) throw new NoPointsProvidedError();
    if (body.length > this.maxPoints) {
      throw new InvalidRequestError(
        `Too many points: a request may register at most ${this.maxPoints} points, got ${body.length}`,
      );
    }

    const points: PointDto[] = [];
    const errors: FieldError[] = [];
    for (const [index, item] of (body as unknown[]).entries()) {
      // Enough to fix a request; a hostile body must not get an answer larger than itself.
      if (errors.length >= MAX_REPORTED_ERRORS) break;
      const path = `[${index}]`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        errors.push({ path, message: 'each point must be an object with id and pointType' });
        continue;
      }
      // Unknown fields are named here, and only the known ones are copied: a key such as
      // "constructor" never reaches the DTO instance, and a value nested 10,000 levels deep fails
      // as "not a string" instead of recursing through class-transformer until the stack overflows.
      for (const key of Object.keys(item)) {
        if (errors.length >= MAX_REPORTED_ERRORS) break;
        if (!POINT_FIELDS.has(key)) errors.push({ path: `${path}.${key}`, message: `${key} is not a known field` });
      }
      const { id, pointType } = item as Record<string, unknown>;
      const point = Object.assign(new PointDto(), { id, pointType });
      errors.push(...toFieldErrors(validateSync(point, VALIDATOR_OPTIONS), path));
      points.push(point);
    }
    if (errors.length > 0) {
      const reported = errors.slice(0, MAX_REPORTED_ERRORS);
      throw new InvalidRequestError(`Invalid points: ${summarize(reported)}`, reported);
    }
    return points;
  }
}

function withoutDuplicates<T extends Pick<PointDto, 'id'>>(points: T[]): T[] {
  // The common case, distinct ids, costs one Set; the paths are worked out only to report duplicates.
  if (new Set(points.map((point) => point.id)).size === points.length) return points;
  const duplicates = duplicateIds(points);
  if (duplicates.length > 0) {
    throw new InvalidRequestError(
      `Duplicate point ids in the request: ${duplicates.map((d) => `${JSON.stringify(d.id)} at ${d.paths.join(', ')}`).join('; ')}`,
      duplicates.flatMap((d) =>
        d.paths.map((path) => ({ path: `${path}.id`, message: `duplicate id ${JSON.stringify(d.id)}` })),
      ),
    );
  }
  return points;
}

const SUMMARY_ITEMS = 5;
/** Most field errors one answer lists. */
const MAX_REPORTED_ERRORS = 100;
const POINT_FIELDS: ReadonlySet<string> = new Set<keyof PointDto>(['id', 'pointType']);

function summarize(errors: readonly FieldError[]): string {
  const shown = errors.slice(0, SUMMARY_ITEMS).map((e) => `${e.path}: ${e.message}`);
  const more = errors.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more (see errors)` : '');
}

function duplicateIds(points: ReadonlyArray<Pick<PointDto, 'id'>>): Array<{ id: string; paths: string[] }> {
  const seen = new Map<string, string[]>();
  points.forEach((point, index) => {
    const paths = seen.get(point.id);
    if (paths) paths.push(`[${index}]`);
    else seen.set(point.id, [`[${index}]`]);
  });
  return [...seen].filter(([, paths]) => paths.length > 1).map(([id, paths]) => ({ id, paths }));
}
