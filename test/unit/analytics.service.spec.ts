import { DeviceAccessScope } from '../../src/auth/device-access-scope';
import { MAX_BUCKETS, aggregatesOf } from '../../src/analytics/aggregates';
import type { AnalyticsRepository } from '../../src/analytics/analytics.repository';
import { AnalyticsService } from '../../src/analytics/analytics.service';
import type { AggregateParams, AggregateRow, AggregateShape, LatestRow } from '../../src/analytics/analytics.sql';
import { isTimeZone, maxBucketsOf, parseGranularity } from '../../src/analytics/granularity';
import { loadConfig } from '../../src/config/config';
import type { TimeseriesSelection } from '../../src/series/timeseries-selection';

const TS = ['0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1', '9f0d2a57-6a43-4bb4-8f5e-2c1c8b7e6d02'];
const access = new DeviceAccessScope(['c1'], 'c1');
const selection = {
  seriesKeysOf: (_d: string, ids: readonly string[]) => Promise.resolve(ids.map((_, i) => 10 + i)),
} as unknown as TimeseriesSelection;

class FakeRepository implements Pick<AnalyticsRepository, 'latest' | 'aggregates'> {
  asked: Array<{ shape: AggregateShape; params: AggregateParams }> = [];
  constructor(private readonly rows: unknown[] = []) {}
  latest(): Promise<LatestRow[]> {
    return Promise.resolve(this.rows as LatestRow[]);
  }
  aggregates(shape: AggregateShape, params: AggregateParams): Promise<AggregateRow[]> {
    this.asked.push({ shape, params });
    return Promise.resolve(this.rows as AggregateRow[]);
  }
}
const service = (repository: FakeRepository, rollups = true) =>
  new AnalyticsService(
    repository as unknown as AnalyticsRepository,
    selection,
    loadConfig({ SAMPLES_ROLLUPS: String(rollups) }),
  );

describe('AnalyticsService', () => {
  it('puts each row under its timeseries by `ord`, empty series included, in the order of timeseries_ids', async () => {
    const sample = (ord: number, val: number): LatestRow => ({
      ord,
      timeseries_id: TS[ord - 1]!,
      metric: 0,
      timestamp: '2026-11-26T08:00:00.000Z',
      val,
      unix_ms: 1,
      ingest_unix_ms: 2,
      ts_us: 1000,
    });
    const answer = await service(new FakeRepository([sample(2, 5), sample(2, 4)])).latest(
      'd1',
      { timeseries_ids: TS },
      access,
    );
    expect(answer.map((series) => [series.timeseriesId, series.samples.map((s) => s.val)])).toEqual([
      [TS[0], []],
      [TS[1], [5, 4]],
    ]);
  });

  it.each([
    ['PT1H', true, true],
    ['PT3H', true, true],
    ['PT90M', true, false],
    ['PT15M', true, false],
    ['P1W', true, true],
    ['P1M', true, true],
    ['P1D', false, false],
  ])(
    'reads summaries for %s when SAMPLES_ROLLUPS is %s: %s (only buckets of whole hours hold whole hours)',
    async (granularity, on, expected) => {
      const repository = new FakeRepository([]);
      await service(repository, on).aggregates(
        'd1',
        { timeseries_ids: [TS[0]!], startTime: '2026-11-01T00:00:00Z', endTime: '2026-11-02T00:00:00Z', granularity },
        access,
      );
      expect(repository.asked[0]!.shape.rollups).toBe(expected);
    },
  );

  it('asks for the shape of the request and answers only the aggregates asked, count always', async () => {
    const repository = new FakeRepository([
      { bucket_count: 2, ord: 1, start: 's', end: 'e', count: 3, avg: 1.5, min: 1, max: 2 },
      { bucket_count: 2, ord: null, start: null, end: null, count: null },
    ]);
    const answer = await service(repository).aggregates(
      'd1',
      {
        timeseries_ids: [TS[0]!],
        startTime: '2026-11-01T00:00:00+01:00',
        endTime: '2026-11-03T00:00:00+01:00',
        granularity: 'P1D',
        aggregates: 'min,avg,min',
        timeZone: 'Europe/Berlin',
        fill: 'null',
      },
      access,
    );
    expect(repository.asked[0]!.shape).toEqual({ kind: 'days', aggregates: ['min', 'avg'], fill: true, rollups: true });
    expect(repository.asked[0]!.params).toMatchObject({
      start: '2026-10-31T23:00:00.000000Z',
      end: '2026-11-02T23:00:00.000000Z',
      timeZone: 'Europe/Berlin',
      step: '1 days',
      days: 1,
      maxBuckets: MAX_BUCKETS,
    });
    expect(answer[0]!.buckets).toEqual([{ start: 's', end: 'e', count: 3, avg: 1.5, min: 1 }]);
  });

  it('refuses a range of too many buckets before any SQL when it clearly holds too many, and after it otherwise', async () => {
    const query = {
      timeseries_ids: [TS[0]!],
      startTime: '2000-01-01T00:00:00Z',
      endTime: '2026-01-01T00:00:00Z',
      granularity: 'PT1M',
    };
    const clearly = new FakeRepository();
    await expect(service(clearly).aggregates('d1', query, access)).rejects.toThrow(`more than ${MAX_BUCKETS} buckets`);
    expect(clearly.asked).toEqual([]);
    const exactly = new FakeRepository([
      { bucket_count: MAX_BUCKETS + 1, ord: null, start: null, end: null, count: null },
    ]);
    await expect(
      service(exactly).aggregates('d1', { ...query, startTime: '2025-12-25T00:00:00Z' }, access),
    ).rejects.toThrow(`more than ${MAX_BUCKETS} buckets`);
    expect(exactly.asked).toHaveLength(1);
  });
});

describe('granularity', () => {
  it.each([
    ['PT1M', { kind: 'subDay', step: '1 minutes' }],
    ['PT15M', { kind: 'subDay', step: '15 minutes' }],
    ['PT6H', { kind: 'subDay', step: '360 minutes' }],
    ['PT24H', { kind: 'days', step: '1 days', days: 1 }],
    ['PT1440M', { kind: 'days', step: '1 days', days: 1 }],
    ['P1D', { kind: 'days', step: '1 days', days: 1 }],
    ['P366D', { kind: 'days', days: 366 }],
    ['P1W', { kind: 'week' }],
    ['P1M', { kind: 'month' }],
  ])('reads %s', (text, expected) => {
    expect(parseGranularity(text)).toMatchObject(expected);
  });

  it.each(['PT0M', 'PT1441M', 'PT25H', 'P0D', 'P367D', 'P2W', 'P2M', 'P1Y', 'PT1S', 'PT1.5H', 'pt1h', '', 'P1DT1H'])(
    'refuses %p',
    (text) => {
      expect(parseGranularity(text)).toBeUndefined();
    },
  );

  it('bounds the bucket count from above, across DST days too', () => {
    // Europe/Berlin, 2026: 365 days, two of them 23 and 25 hours long.
    const start = Date.UTC(2025, 11, 31, 23) * 1000;
    const end = Date.UTC(2026, 11, 31, 23) * 1000;
    expect(maxBucketsOf(parseGranularity('P1D')!, start, end)).toBeGreaterThanOrEqual(365);
    expect(maxBucketsOf(parseGranularity('PT1H')!, start, end)).toBeGreaterThanOrEqual(8760);
    expect(maxBucketsOf(parseGranularity('PT7M')!, start, end)).toBeGreaterThanOrEqual(365 * Math.ceil(1440 / 7));
  });

  it('knows IANA zones and refuses the rest', () => {
    expect(['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/Argentina/Buenos_Aires'].every(isTimeZone)).toBe(true);
    expect(['Mars/Olympus', '', 'Europe/Berlin; DROP', '../etc/passwd'].some(isTimeZone)).toBe(false);
  });

  it('reads the aggregates of a request once each, avg by default', () => {
    expect(aggregatesOf(undefined)).toEqual(['avg']);
    expect(aggregatesOf('twa,min,twa')).toEqual(['twa', 'min']);
  });
});
