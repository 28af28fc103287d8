import { EXAMPLE_TIMESERIES_ID as TS1 } from '../device-routes/examples';

/** Examples of the analytics routes shown in the OpenAPI document. */

const OK = { Message: '', Code: '200' };

export const LATEST_RESPONSE = {
  status: OK,
  data: [
    {
      timeseriesId: TS1,
      metric: 'Raw',
      samples: [
        {
          timeseriesId: TS1,
          metric: 'Raw',
          timestamp: '2026-11-26T08:15:00.000Z',
          val: 21.75,
          unixTimestamp: 1795680900000,
          ingestUnixTimestamp: 1795680912345,
        },
      ],
    },
  ],
};

export const STATS_RESPONSE = {
  status: OK,
  data: [
    {
      timeseriesId: TS1,
      metric: 'Raw',
      count: 96,
      min: 18.25,
      max: 23.5,
      avg: 21.04,
      sum: 2019.84,
      firstTimestamp: '2026-11-26T00:00:00.000Z',
      lastTimestamp: '2026-11-26T23:45:00.000Z',
      firstVal: 19.5,
      lastVal: 20.75,
    },
  ],
};

export const AGGREGATES_RESPONSE = {
  status: OK,
  data: [
    {
      timeseriesId: TS1,
      metric: 'Raw',
      granularity: 'PT1H',
      timeZone: 'Europe/Berlin',
      buckets: [
        { start: '2026-11-26T00:00:00+01:00', end: '2026-11-26T01:00:00+01:00', count: 4, avg: 21.5, min: 20, max: 23 },
        {
          start: '2026-11-26T01:00:00+01:00',
          end: '2026-11-26T02:00:00+01:00',
          count: 4,
          avg: 21,
          min: 20.5,
          max: 21.5,
        },
      ],
    },
  ],
};
