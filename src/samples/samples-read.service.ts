import type { Readable } from 'node:stream';

import { Inject, Injectable } from '@nestjs/common';

import type { DeviceAccessScope } from '../auth/device-access-scope';
import { ContinuationTokens, invalidToken } from '../common/continuation-token';
import { InvalidRequestError } from '../common/errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import type { SampleDto } from '../series/dto/sample.dto';
import { metricCode, METRICS } from '../series/metrics';
import { rangeOf } from '../series/range';
import { toSampleDto } from '../series/sample-answer';
import { TimeseriesSelection } from '../series/timeseries-selection';
import { DEFAULT_SAMPLES_PAGE, MAX_SAMPLES_PAGE, type ReadSamplesQueryDto } from './dto/read-samples-query.dto';
import { bounds, isAfter, positionOf, READ_TOKENS, type ReadPosition } from './read-position';
import { exportStream } from './samples-export';
import { SamplesRepository } from './samples.repository';
import type { ReadSamplesParams, SampleStream } from './samples.sql';

/** A read's answer: a page in memory, or a stream of the whole envelope (unpaginated reads). */
export type SamplesAnswer =
  | { kind: 'page'; samples: SampleDto[]; continuationToken: string | undefined }
  | { kind: 'stream'; body: Readable; continuationToken: string | undefined };

/** The domain rules of reading samples: paging, tokens, export limits. The SQL is SamplesRepository's. */
@Injectable()
export class SamplesReadService {
  private readonly exportLimit: number;

  constructor(
    private readonly repository: SamplesRepository,
    private readonly selection: TimeseriesSelection,
    private readonly tokens: ContinuationTokens,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.exportLimit = config.limits.samplesExportLimit;
  }

  /**
   * Samples of the device's timeseries in a range, in timestamp order: a page (paginated) or the
   * whole range streamed (not paginated), with the next page's token when more remain.
   */
  async read(
    deviceId: string,
    query: ReadSamplesQueryDto,
    continuationToken: string | undefined,
    access: DeviceAccessScope,
  ): Promise<SamplesAnswer> {
    const range = rangeOf(query.startTime, query.endTime);
    const paginated = query.paginated ?? false;
    const descending = query.orderby === 'timestamp desc';
    const limit = this.limitOf(paginated, query.limit);
    const ids = query.timeseries_ids;
    const context = [
      deviceId,
      [...ids].sort(),
      query.metric ?? null,
      range.startUs,
      range.endUs,
      descending,
      paginated,
    ];
    const after = continuationToken ? this.readPosition(continuationToken, context) : undefined;

    const seriesKeys = await this.selection.seriesKeysOf(deviceId, ids, access);
    const metrics = query.metric === undefined ? METRICS.map((_, code) => code) : [metricCode(query.metric)!];
    const streams: SampleStream[] = ids.flatMap((id, index) =>
      metrics.map((metric) => ({
        seriesKey: seriesKeys[index]!,
        metric,
        timeseriesId: id,
        includeBound: after === undefined ? !descending : isAfter([id, metric], [after.i, after.m], descending),
      })),
    );
    const params: ReadSamplesParams = {
      streams,
      ...bounds(range, after, descending),
      limit: limit ?? this.exportLimit,
    };
    const issue = (position: ReadPosition) => this.tokens.issue(READ_TOKENS, context, position);

    if (paginated) {
      const rows = await this.repository.readPage({ ...params, limit: params.limit + 1 }, descending);
      const page = rows.slice(0, params.limit);
      const last = page[page.length - 1];
      return {
        kind: 'page',
        samples: page.map(toSampleDto),
        continuationToken: rows.length > params.limit && last ? issue(positionOf(last)) : undefined,
      };
    }

    const opened = await this.repository.openExport(params, descending);
    const [limitth, beyond] = opened.probe;
    if (beyond && limit === undefined) {
      await opened.close();
      throw new InvalidRequestError(
        `The range holds more than SAMPLES_EXPORT_LIMIT (${this.exportLimit}) samples: read it with paginated=true, ` +
          'or with limit and the ContinuationToken of each answer, or a shorter range',
      );
    }
    return {
      kind: 'stream',
      body: exportStream(opened),
      continuationToken: beyond && limitth ? issue(positionOf(limitth)) : undefined,
    };
  }

  private limitOf(paginated: boolean, limit: number | undefined): number | undefined {
    if (paginated) {
      if (limit !== undefined && limit > MAX_SAMPLES_PAGE) {
        throw limitError(`limit must be at most ${MAX_SAMPLES_PAGE} when paginated=true`);
      }
      return limit ?? DEFAULT_SAMPLES_PAGE;
    }
    if (limit !== undefined && limit > this.exportLimit) {
      throw limitError(`limit must be at most SAMPLES_EXPORT_LIMIT (${this.exportLimit}) when paginated=false`);
    }
    return limit;
  }

  private readPosition(token: string, context: readonly unknown[]): ReadPosition {
    const { t, i, m } = this.tokens.read(READ_TOKENS, context, token);
    if (typeof t !== 'number' || typeof i !== 'string' || typeof m !== 'number') {
      throw invalidToken('ContinuationToken is malformed');
    }
    return { t, i, m };
  }
}

function limitError(message: string): InvalidRequestError {
  return new InvalidRequestError(message, [{ path: 'limit', message }]);
}
