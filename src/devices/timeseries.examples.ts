import { EXAMPLE_TIMESERIES_ID as TS1, EXAMPLE_TIMESERIES_ID_2 as TS2 } from '../device-routes/examples';

/** Examples shown in the OpenAPI document (Swagger UI "Example Value"). */

export const SEED_REQUEST = [
  { id: 'PointId1', pointType: 'temperature' },
  { id: 'PointId2', pointType: 'humidity' },
];

export const SEED_RESPONSE = {
  status: { Message: '', Code: '202' },
  data: {
    deviceId: 'TestDevice',
    relationships: [
      { pointId: 'PointId1', pointType: 'temperature', timeseriesId: TS1, created: true },
      { pointId: 'PointId2', pointType: 'humidity', timeseriesId: TS2, created: true },
    ],
  },
};

export const LIST_RESPONSE = {
  status: { Message: '', Code: '200' },
  data: {
    deviceId: 'TestDevice',
    relationships: [
      {
        pointId: 'PointId1',
        pointType: 'temperature',
        timeseriesId: TS1,
        status: 'active',
        createdAt: '2026-11-26T08:00:00.000Z',
      },
      {
        pointId: 'PointId2',
        pointType: 'humidity',
        timeseriesId: TS2,
        status: 'active',
        createdAt: '2026-11-26T08:00:00.000Z',
      },
    ],
    continuationToken: null,
  },
};

export const DETAIL_RESPONSE = {
  status: { Message: '', Code: '200' },
  data: {
    timeseriesId: TS1,
    deviceId: 'TestDevice',
    pointId: 'PointId1',
    pointType: 'temperature',
    orgId: 'testcollection',
    timeseriesType: 'None',
    dag: [{ metric: 'Raw', processingType: 'raw', dataType: 'double', validateInputData: false }],
    status: 'active',
    createdAt: '2026-11-26T08:00:00.000Z',
  },
};
