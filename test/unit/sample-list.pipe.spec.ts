import { MAX_REPORTED_ERRORS } from '../../src/common/field-errors';
import { loadConfig } from '../../src/config/config';
import { SampleListPipe } from '../../src/samples/pipes/sample-list.pipe';
import { rejectionOf as rejected } from '../support/rejection';

const TS = '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1';
const pipe = new SampleListPipe(loadConfig({ MAX_SAMPLES_PER_REQUEST: '200' }));

const rejectionOf = (body: unknown) => rejected(() => pipe.transform(body));

describe('SampleListPipe', () => {
  it('converts the samples to parallel arrays: lower-case ids, instants in epoch µs, values as numbers, Raw by default', () => {
    expect(
      pipe.transform([
        { timeseriesId: TS.toUpperCase(), val: '21.75', timestamp: '2026-11-26T09:15:00.123456+01:00' },
        { timeseriesId: TS, val: -3, timestamp: '1900-01-01T00:00:00Z', metric: 'Raw' },
      ]),
    ).toEqual({
      timeseriesIds: [TS, TS],
      metrics: [0, 0],
      instants: [Date.UTC(2026, 10, 26, 8, 15) * 1000 + 123_456, Date.UTC(1900, 0, 1) * 1000],
      values: [21.75, -3],
    });
  });

  it.each<[string, unknown, string]>([
    ['not an array', { timeseriesId: TS }, 'The request body must be a JSON array of samples'],
    ['empty', [], 'No samples provided'],
    [
      'over the limit',
      Array.from({ length: 201 }, (_, i) => ({ timeseriesId: TS, val: i, timestamp: '2026-01-01T00:00:00Z' })),
      'Too many samples: a request may write at most 200 samples, got 201',
    ],
  ])('refuses a body %s, saying so', (_case, body, message) => {
    const error = rejectionOf(body);
    expect(error.message).toBe(message);
    expect(error.errors).toBeUndefined();
  });

  it('names every problem of every item by its path, in one summary', () => {
    const error = rejectionOf([
      { timeseriesId: TS, val: 1, timestamp: '2026-01-01T00:00:00Z' },
      'x',
      { timeseriesId: 'nope', val: 'NaN', timestamp: '2026-02-30T00:00:00Z', metric: 'Average', mertic: 'Raw' },
      { val: null },
    ]);
    expect(error.errors).toEqual([
      { path: '[1]', message: 'each sample must be an object with timeseriesId, val and timestamp' },
      { path: '[2].mertic', message: 'mertic is not a known field' },
      { path: '[2].timeseriesId', message: 'timeseriesId must be a UUID' },
      { path: '[2].val', message: 'val must be a number, or a string holding a decimal number' },
      { path: '[2].timestamp', message: 'timestamp has no such date: 2026-02-30' },
      { path: '[2].metric', message: "metric must be one of the timeseries' metrics: Raw" },
      { path: '[3].timeseriesId', message: 'timeseriesId is required' },
      { path: '[3].val', message: 'val must be a number, or a string holding a decimal number' },
      { path: '[3].timestamp', message: 'timestamp is required' },
    ]);
    expect(error.message).toBe(
      'Invalid samples: [1]: each sample must be an object with timeseriesId, val and timestamp; ' +
        '[2].mertic: mertic is not a known field; [2].timeseriesId: timeseriesId must be a UUID; ' +
        '[2].val: val must be a number, or a string holding a decimal number; ' +
        '[2].timestamp: timestamp has no such date: 2026-02-30; and 4 more (see errors)',
    );
  });

  it('lists at most MAX_REPORTED_ERRORS problems, however many there are', () => {
    const error = rejectionOf(Array.from({ length: 200 }, () => ({ timeseriesId: 'x', val: 'y', timestamp: 'z' })));
    expect(error.errors).toHaveLength(MAX_REPORTED_ERRORS);
  });

  it('answers one item of 200,000 unknown fields with a 400 naming the first ones, not a crash', () => {
    const item: Record<string, unknown> = { timeseriesId: TS, val: 1, timestamp: '2026-01-01T00:00:00Z' };
    for (let i = 0; i < 200_000; i++) item[`k${i}`] = 1;
    const error = rejectionOf([item]);
    expect(error.errors).toHaveLength(MAX_REPORTED_ERRORS);
    expect(error.errors![0]).toEqual({ path: '[0].k0', message: 'k0 is not a known field' });
  });

  it('tells a value too large for a double from one that is no number', () => {
    expect(rejectionOf([{ timeseriesId: TS, val: '1e999', timestamp: '2026-01-01T00:00:00Z' }]).errors).toEqual([
      { path: '[0].val', message: 'val must be a finite number' },
    ]);
  });

  it('sees one instant written with two offsets as one key, naming the repeat and the first', () => {
    const error = rejectionOf([
      { timeseriesId: TS, val: 1, timestamp: '2026-11-26T08:00:00Z' },
      { timeseriesId: TS.toUpperCase(), val: 2, timestamp: '2026-11-26T09:00:00.000+01:00' },
    ]);
    expect(error.message).toBe(
      'Duplicate samples in the request: [1]: the same timeseriesId, metric and instant as [0]: 2026-11-26T08:00:00.000Z',
    );
  });

  it('takes the same instant of two timeseries as two samples', () => {
    const other = '9f0d2a57-6a43-4bb4-8f5e-2c1c8b7e6d02';
    const batch = pipe.transform([
      { timeseriesId: TS, val: 1, timestamp: '2026-11-26T08:00:00Z' },
      { timeseriesId: other, val: 2, timestamp: '2026-11-26T08:00:00Z' },
    ]);
    expect(batch.timeseriesIds).toEqual([TS, other]);
  });
});
