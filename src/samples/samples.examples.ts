import { EXAMPLE_TIMESERIES_ID as TS1 } from '../device-routes/examples';

/** Examples shown in the OpenAPI document (Swagger UI "Example Value"). */

export const WRITE_REQUEST = [
  { timeseriesId: TS1, val: 21.5, timestamp: '2026-11-26T08:00:00Z', metric: 'Raw' },
  { timeseriesId: TS1, val: '21.75', timestamp: '2026-11-26T09:15:00.123456+01:00' },
];

export const WRITE_RESPONSE = { status: { Message: '', Code: '202' }, data: { accepted: 2 } };

export const READ_RESPONSE = {
  status: { Message: '', Code: '200' },
  data: [
    {
      timeseriesId: TS1,
      metric: 'Raw',
      timestamp: '2026-11-26T08:00:00.000Z',
      val: 21.5,
      unixTimestamp: 1795680000000,
      ingestUnixTimestamp: 1795680012345,
    },
    {
      timeseriesId: TS1,
      metric: 'Raw',
      timestamp: '2026-11-26T08:15:00.123456Z',
      val: 21.75,
      unixTimestamp: 1795680900123,
      ingestUnixTimestamp: 1795680012345,
    },
  ],
};

export const DELETE_RESPONSE = { status: { Message: '', Code: '200' }, data: { deleted: 2 } };
