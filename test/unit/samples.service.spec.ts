import { DeviceAccessScope } from '../../src/auth/device-access-scope';
import { ContinuationTokens } from '../../src/common/continuation-token';
import { DeviceAccessDeniedError, InvalidRequestError } from '../../src/common/errors';
import { loadConfig } from '../../src/config/config';
import type { SampleBatch } from '../../src/samples/pipes/sample-list.pipe';
import { SamplesReadService } from '../../src/samples/samples-read.service';
import type { OpenExport, SamplesRepository } from '../../src/samples/samples.repository';
import { SamplesService } from '../../src/samples/samples.service';
import type {
  DeleteSamplesParams,
  DeleteSamplesRow,
  ReadSamplesParams,
  WriteSamplesParams,
  WriteSamplesRow,
} from '../../src/samples/samples.sql';
import { SampleEventSignal, type CommittedEvent } from '../../src/events/sample-event-signal';
import type { SampleMaintenance } from '../../src/series/sample-maintenance';
import type { SampleRow } from '../../src/series/series.sql';
import type { TimeseriesSelection } from '../../src/series/timeseries-selection';

const TS = ['0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1', '9f0d2a57-6a43-4bb4-8f5e-2c1c8b7e6d02'];
const access = new DeviceAccessScope(['c1'], 'c1');

/** The repository's methods the services call, answering with given rows and recording what they were asked. */
class FakeRepository implements Pick<SamplesRepository, 'write' | 'delete' | 'readPage' | 'openExport'> {
  writes: WriteSamplesParams[] = [];
  deletes: DeleteSamplesParams[] = [];
  reads: Array<{ params: ReadSamplesParams; descending: boolean }> = [];
  closed = 0;
  constructor(
    private readonly writeRow: WriteSamplesRow = { collection_id: 'c1', written: 0, unknown_ids: null, event_id: null },
    private readonly rows: SampleRow[] = [],
  ) {}
  write(params: WriteSamplesParams): Promise<WriteSamplesRow> {
    this.writes.push(params);
    return Promise.resolve(this.writeRow);
  }
  deleteEvents: unknown[] = [];
  delete(
    params: DeleteSamplesParams,
    eventOf: (row: DeleteSamplesRow) => { deviceId: string; payload: string } | undefined,
  ): Promise<{ deleted: number; eventId: number | undefined }> {
    this.deletes.push(params);
    const event = eventOf({ deleted: 7, blocks: 0, by_series: [[10, 7]] });
    this.deleteEvents.push(event && { deviceId: event.deviceId, payload: JSON.parse(event.payload) as unknown });
    return Promise.resolve({ deleted: 7, eventId: 42 });
  }
  readPage(params: ReadSamplesParams, descending: boolean): Promise<SampleRow[]> {
    this.reads.push({ params, descending });
    return Promise.resolve(this.rows.slice(0, params.limit));
  }
  openExport(params: ReadSamplesParams, descending: boolean): Promise<OpenExport> {
    this.reads.push({ params, descending });
    const rows = this.rows.slice(0, params.limit + 1);
    return Promise.resolve({
      probe: rows.slice(params.limit - 1, params.limit + 1),
      // eslint-disable-next-line @typescript-eslint/require-await -- a fake has nothing to wait for
      rows: async function* () {
        yield rows.slice(0, params.limit);
      },
      close: () => {
        this.closed += 1;
        return Promise.resolve();
      },
    });
  }
}

/** The selection: every id is the device's, with series keys 10, 11, ... */
const selection = {
  calls: [] as Array<{ ids: readonly string[]; forWrite: boolean }>,
  seriesKeysOf(_deviceId: string, ids: readonly string[], _access: DeviceAccessScope, forWrite = false) {
    this.calls.push({ ids, forWrite });
    return Promise.resolve(ids.map((_, i) => 10 + i));
  },
};
const maintenance = (retentionDays: number) =>
  ({
    retention: retentionDays,
    oldestAcceptedUs: () => (retentionDays > 0 ? Date.now() * 1000 - retentionDays * 86_400_000_000 : undefined),
  }) as unknown as SampleMaintenance;

/** The 400 a call fails with (and fails the test when it does not). */
async function rejection(promise: Promise<unknown>): Promise<InvalidRequestError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('the call succeeded');
}

const batchOf = (instants: number[], ids = instants.map(() => TS[0]!)): SampleBatch => ({
  timeseriesIds: ids,
  metrics: instants.map(() => 0),
  instants,
  values: instants.map((_, i) => i + 0.5),
});

const signal = new SampleEventSignal();
const committed: CommittedEvent[] = [];
signal.listen((event) => committed.push(event));

describe('SamplesService', () => {
  const service = (repository: FakeRepository, retentionDays = 0) =>
    new SamplesService(
      repository as unknown as SamplesRepository,
      selection as unknown as TimeseriesSelection,
      maintenance(retentionDays),
      signal,
    );

  it('writes the batch as array literals, the distinct ids once, and answers how many were stored', async () => {
    const repository = new FakeRepository({ collection_id: 'c1', written: 3, unknown_ids: null, event_id: '41' });
    const answer = await service(repository).write('d1', batchOf([1, 2, 3], [TS[0]!, TS[1]!, TS[0]!]), access);
    expect(answer).toEqual({ accepted: 3 });
    expect(repository.writes).toEqual([
      {
        deviceId: 'd1',
        allowedCollections: ['c1'],
        timeseriesIds: [TS[0], TS[1]],
        sampleTimeseriesIds: `{${TS[0]},${TS[1]},${TS[0]}}`,
        metrics: '{0,0,0}',
        instantsUs: '{1,2,3}',
        values: '{0.5,1.5,2.5}',
        eventPayload: JSON.stringify({
          t: [TS[0], TS[1]],
          i: [0, 1, 0],
          m: [0, 0, 0],
          us: [1, 2, 3],
          v: [0.5, 1.5, 2.5],
        }),
      },
    ]);
    // Its event, committed with it, is announced to this instance's streams.
    expect(committed).toContainEqual({ id: 41, deviceId: 'd1' });
  });

  it('answers 403 when the statement found no device of the caller', async () => {
    for (const collection of [null, 'c2']) {
      const repository = new FakeRepository({
        collection_id: collection,
        written: 0,
        unknown_ids: [TS[0]!],
        event_id: null,
      });
      await expect(service(repository).write('d1', batchOf([1]), access)).rejects.toBeInstanceOf(
        DeviceAccessDeniedError,
      );
    }
  });

  it("names the items whose timeseries is not the device's", async () => {
    const repository = new FakeRepository({ collection_id: 'c1', written: 0, unknown_ids: [TS[1]!], event_id: null });
    const error = await rejection(
      service(repository).write('d1', batchOf([1, 2, 3], [TS[0]!, TS[1]!, TS[1]!]), access),
    );
    expect(error.message).toBe(
      'Unknown timeseries: [1].timeseriesId, [2].timeseriesId are not timeseries of this device',
    );
  });

  it('refuses samples older than the retention before writing anything, naming them', async () => {
    const repository = new FakeRepository();
    const old = (Date.now() - 40 * 86_400_000) * 1000;
    const error = await rejection(service(repository, 30).write('d1', batchOf([Date.now() * 1000, old, old]), access));
    expect(error.message).toBe(
      'Samples older than the retention of 30 days are not stored: [1].timestamp, [2].timestamp',
    );
    expect(error.errors).toHaveLength(2);
    expect(repository.writes).toEqual([]);
  });

  it('deletes [startTime, endTime) of the timeseries, looked up on the primary', async () => {
    const repository = new FakeRepository();
    selection.calls.length = 0;
    const answer = await service(repository).delete(
      'd1',
      { timeseries_ids: [TS[0]!], startTime: '2026-11-26T00:00:00+01:00', endTime: '2026-11-27T00:00:00Z' },
      access,
    );
    expect(answer).toEqual({ deleted: 7 });
    expect(selection.calls).toEqual([{ ids: [TS[0]], forWrite: true }]);
    // The streams' event names the timeseries of the series key, the metric and the range in epoch µs.
    expect(repository.deleteEvents).toEqual([
      { deviceId: 'd1', payload: { t: [TS[0]], n: [7], m: 0, from: 1795647600000000, to: 1795737600000000 } },
    ]);
    expect(committed).toContainEqual({ id: 42, deviceId: 'd1' });
    expect(repository.deletes).toEqual([
      { seriesKeys: [10], metric: 0, start: '2026-11-25T23:00:00.000000Z', end: '2026-11-27T00:00:00.000000Z' },
    ]);
  });
});

describe('SamplesReadService', () => {
  const tokens = new ContinuationTokens(Buffer.from('k'.repeat(32)));
  const row = (us: number, id = TS[0]!): SampleRow => ({
    timeseries_id: id,
    metric: 0,
    timestamp: new Date(us / 1000).toISOString(),
    val: us,
    unix_ms: us / 1000,
    ingest_unix_ms: 0,
    ts_us: us,
  });
  const rows = [1, 2, 3, 4, 5].map((s) => row(s * 1_000_000));
  const reads = (repository: FakeRepository, exportLimit = 100_000) =>
    new SamplesReadService(
      repository as unknown as SamplesRepository,
      selection as unknown as TimeseriesSelection,
      tokens,
      loadConfig({ SAMPLES_EXPORT_LIMIT: String(exportLimit) }),
    );

  it('reads a page of limit + 1 to know whether a next page exists, and issues its token from the last sample', async () => {
    const repository = new FakeRepository(undefined, rows);
    const answer = await reads(repository).read(
      'd1',
      { timeseries_ids: [TS[0]!], paginated: true, limit: 2 },
      undefined,
      access,
    );
    expect(answer.kind).toBe('page');
    expect(repository.reads[0]!.params).toMatchObject({ limit: 3, bound: '-infinity', other: 'infinity' });
    expect(repository.reads[0]!.params.streams).toEqual([
      { seriesKey: 10, metric: 0, timeseriesId: TS[0], includeBound: true },
    ]);
    const next = await reads(repository).read(
      'd1',
      { timeseries_ids: [TS[0]!], paginated: true, limit: 2 },
      answer.continuationToken,
      access,
    );
    // The next page starts strictly after the last sample of the first.
    expect(repository.reads[1]!.params).toMatchObject({ bound: '1970-01-01T00:00:02.000000Z' });
    expect(repository.reads[1]!.params.streams[0]!.includeBound).toBe(false);
    expect(next.kind).toBe('page');
  });

  it('refuses limits over the page size or the export limit, never capping them', async () => {
    const service = reads(new FakeRepository(), 4);
    await expect(
      service.read('d1', { timeseries_ids: [TS[0]!], paginated: true, limit: 1001 }, undefined, access),
    ).rejects.toThrow('limit must be at most 1000 when paginated=true');
    await expect(service.read('d1', { timeseries_ids: [TS[0]!], limit: 5 }, undefined, access)).rejects.toThrow(
      'limit must be at most SAMPLES_EXPORT_LIMIT (4) when paginated=false',
    );
  });

  it('refuses an unpaginated range over the export limit, and frees the read it opened', async () => {
    const repository = new FakeRepository(undefined, rows);
    await expect(reads(repository, 4).read('d1', { timeseries_ids: [TS[0]!] }, undefined, access)).rejects.toThrow(
      /more than SAMPLES_EXPORT_LIMIT \(4\)/,
    );
    expect(repository.closed).toBe(1);
  });

  it('gives an unpaginated read with a limit the token of the limit-th sample when more remain', async () => {
    const repository = new FakeRepository(undefined, rows);
    const answer = await reads(repository).read('d1', { timeseries_ids: [TS[0]!], limit: 2 }, undefined, access);
    expect(answer.kind).toBe('stream');
    const position = JSON.parse(
      Buffer.from(answer.continuationToken!.split('.')[0]!, 'base64url').toString(),
    ) as object;
    expect(position).toEqual({ t: 2_000_000, i: TS[0], m: 0 });
  });

  it('reads a descending page down from endTime, the far end inclusive', async () => {
    const repository = new FakeRepository(undefined, rows);
    await reads(repository).read(
      'd1',
      {
        timeseries_ids: [TS[0]!],
        paginated: true,
        orderby: 'timestamp desc',
        startTime: '1970-01-01T00:00:01Z',
        endTime: '1970-01-01T00:00:04Z',
      },
      undefined,
      access,
    );
    expect(repository.reads[0]).toMatchObject({
      descending: true,
      params: { bound: '1970-01-01T00:00:04.000000Z', other: '1970-01-01T00:00:01.000000Z' },
    });
    // endTime is exclusive: a descending read excludes its starting bound.
    expect(repository.reads[0]!.params.streams[0]!.includeBound).toBe(false);
  });
});
