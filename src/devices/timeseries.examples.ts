/** Examples shown in the OpenAPI document (Swagger UI "Example Value"). */

export const SEED_REQUEST = [
  { id: 'PointId1', pointType: 'temperature' },
  { id: 'PointId2', pointType: 'humidity' },
];

const TS1 = '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1';
const TS2 = '9f0d2a57-6a43-4bb4-8f5e-2c1c8b7e6d02';

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
