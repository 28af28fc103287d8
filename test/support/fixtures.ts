import type { TestApp } from './test-app';
import { token, uniqueCollection, uniqueDevice } from './tokens';

export interface DeviceFixture {
  deviceId: string;
  collection: string;
  /** A token with the write scope and the device's collection. */
  writer: string;
  /** A token with the read scope only and the device's collection. */
  reader: string;
  points: Array<{ id: string; pointType: string }>;
  /** The timeseries of `points`, in their order. */
  timeseriesIds: string[];
}

/** `count` points named `p0..`, alternately temperature and humidity. */
export function somePoints(count: number, prefix = 'p'): Array<{ id: string; pointType: string }> {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${i}`,
    pointType: i % 2 === 0 ? 'temperature' : 'humidity',
  }));
}

/**
 * A device of its own collection (no other test sees it), registered through the API with its
 * points, and tokens to write and read it.
 */
export async function createDevice(
  t: TestApp,
  options: { points?: Array<{ id: string; pointType: string }>; collection?: string; deviceId?: string } = {},
): Promise<DeviceFixture> {
  const collection = options.collection ?? uniqueCollection();
  const deviceId = options.deviceId ?? uniqueDevice();
  const points = options.points ?? somePoints(2);
  const writer = token({ scope: 'apollo_write', collections: [collection] });
  const reader = token({ scope: 'apollo_read', collections: [collection] });
  const response = await t.api.registerTimeseries(deviceId, points, { token: writer });
  if (response.statusCode !== 202) {
    throw new Error(`createDevice: registering ${deviceId} answered ${response.statusCode}: ${response.body}`);
  }
  const relationships = response.json<{ data: { relationships: Array<{ timeseriesId: string }> } }>().data
    .relationships;
  return { deviceId, collection, writer, reader, points, timeseriesIds: relationships.map((r) => r.timeseriesId) };
}

/** Writes `samples` to the device as its writer, 10,000 to a request (the write limit); fails on any answer but 202. */
export async function writeSamples(t: TestApp, device: DeviceFixture, samples: readonly unknown[]): Promise<void> {
  for (let i = 0; i < samples.length; i += 10_000) {
    const response = await t.api.writeSamples(device.deviceId, samples.slice(i, i + 10_000), { token: device.writer });
    if (response.statusCode !== 202) {
      throw new Error(
        `writeSamples: ${device.deviceId} answered ${response.statusCode}: ${response.body.slice(0, 500)}`,
      );
    }
  }
}
