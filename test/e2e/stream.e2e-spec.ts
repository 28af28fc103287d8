import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

import { Client } from 'pg';

import { StreamHub } from '../../src/stream/stream-hub';
import { createDevice, writeSamples, type DeviceFixture } from '../support/fixtures';
import { SseClient } from '../support/sse-client';
import { startTestApp, usesServer, type TestApp } from '../support/test-app';
import { token, uniqueCollection } from '../support/tokens';

/**
 * Live samples (docs/stream.md) on the test database (PGlite, or the server with DATABASE_URL):
 * events after commit and only then, resume with Last-Event-ID, 410, overflow, expiry, the
 * limit per subject, deletes, foreign and missing timeseries, heartbeats and tickets.
 * Across instances and SIGTERM: stream-server.e2e-spec.ts.
 */
describe('Live samples stream', () => {
  let t: TestApp;
  let base: string;
  let device: DeviceFixture;
  let n = 0;

  beforeAll(async () => {
    t = await startTestApp(
      {
        RATE_LIMIT_PER_MINUTE: '0',
        SAMPLES_STREAM_HEARTBEAT_MS: '300',
        SAMPLES_STREAM_BUFFER: '3',
        SAMPLES_STREAM_CONNECTIONS_PER_SUBJECT: '2',
        SAMPLES_STREAM_RESUME_S: '1',
        SAMPLES_STREAM_TICKET_S: '1',
      },
      { ownDatabase: true },
    );
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    device = await createDevice(t, {
      points: [
        { id: 'a', pointType: 't' },
        { id: 'b', pointType: 'h' },
      ],
    });
  });
  afterAll(() => t?.close());

  const streamUrl = (d: DeviceFixture, ids = [d.timeseriesIds[0]!]) =>
    `${base}/apollo/devices/${encodeURIComponent(d.deviceId)}/timeseries/samples/stream?` +
    ids.map((id) => `timeseries_ids=${id}`).join('&');
  const open = (d = device, headers: Record<string, string> = {}, ids?: string[], bearer = d.reader) =>
    SseClient.open(streamUrl(d, ids), { authorization: `Bearer ${bearer}`, ...headers });
  /** A sample of a distinct value, so each write is known by its values. */
  const sample = (series = 0, d = device) => ({
    timeseriesId: d.timeseriesIds[series],
    timestamp: new Date(Date.UTC(2026, 11, 1) + ++n * 1000).toISOString(),
    val: n,
  });
  const valuesOf = (client: SseClient) =>
    client.named('samples').flatMap((e) => (JSON.parse(e.data) as Array<{ val: number }>).map((s) => s.val));

  it('sends each committed write once, in commit order, only of the subscribed series, never a failed one', async () => {
    const client = await open();
    expect(client.status).toBe(200);
    const first = sample();
    await writeSamples(t, device, [first]);
    await client.until((c) => c.named('samples').length === 1);
    // Another timeseries of the device: no event. A failed write (one unknown timeseries): nothing stored, no event.
    await writeSamples(t, device, [sample(1)]);
    const failed = await t.api.writeSamples(
      device.deviceId,
      [sample(), { ...sample(), timeseriesId: '00000000-0000-4000-8000-000000000000' }],
      { token: device.writer },
    );
    expect(failed.statusCode).toBe(400);
    const [second, third] = [sample(), sample()];
    await writeSamples(t, device, [second, third]);
    await client.until((c) => c.named('samples').length === 2);
    expect(valuesOf(client)).toEqual([first.val, second.val, third.val]);
    const [event] = JSON.parse(client.named('samples')[0]!.data) as Array<Record<string, unknown>>;
    expect(event).toEqual({
      timeseriesId: device.timeseriesIds[0],
      metric: 'Raw',
      timestamp: first.timestamp,
      val: first.val,
      unixTimestamp: Date.parse(first.timestamp),
      ingestUnixTimestamp: expect.any(Number) as number,
    });
    // The same schema, and the same ingest time, as a read answers.
    const read = await t.api.readSamples(
      device.deviceId,
      {
        timeseries_ids: device.timeseriesIds[0]!,
        startTime: first.timestamp,
        endTime: new Date(Date.parse(first.timestamp) + 1).toISOString(),
      },
      { token: device.reader },
    );
    expect(read.json<{ data: unknown[] }>().data).toEqual([event]);
    client.close();
  });

  it('loses and repeats none of many concurrent writes, and their ids rise', async () => {
    const client = await open();
    await client.until((c) => c.lastEventId !== '');
    const chains = Array.from({ length: 8 }, async () => {
      const values: number[] = [];
      for (let i = 0; i < 10; i++) {
        const s = sample();
        values.push(s.val);
        await writeSamples(t, device, [s]);
      }
      return values;
    });
    const written = (await Promise.all(chains)).flat().sort((x, y) => x - y);
    await client.until((c) => c.named('samples').length === written.length);
    expect(valuesOf(client).sort((x, y) => x - y)).toEqual(written);
    const ids = client.named('samples').map((e) => Number(e.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    client.close();
  });

  (usesServer() ? it : it.skip)('sends a write only once it has committed', async () => {
    const client = await open();
    await client.until((c) => c.lastEventId !== '');
    // Another session holds the events' lock: the write stores its samples, then waits for it, uncommitted.
    const holder = new Client({ connectionString: t.config.database.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(734197, 0)');
    const s = sample();
    const writing = writeSamples(t, device, [s]);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const [stored] = await t.query<{ n: number }>('SELECT count(*)::int AS n FROM sample WHERE val = $1', [s.val]);
    expect([stored?.n, client.named('samples')]).toEqual([0, []]);
    await holder.query('COMMIT');
    await holder.end();
    await writing;
    await client.until((c) => c.named('samples').length === 1);
    expect(valuesOf(client)).toEqual([s.val]);
    client.close();
  });

  it('resumes after Last-Event-ID with what was written meanwhile, nothing lost or repeated', async () => {
    const client = await open();
    await writeSamples(t, device, [sample()]);
    await client.until((c) => c.named('samples').length === 1);
    client.close();
    const missed = [sample(), sample(), sample()];
    for (const s of missed) await writeSamples(t, device, [s]);
    const again = await open(device, { 'last-event-id': client.lastEventId });
    await again.until((c) => c.named('samples').length === 3);
    const live = sample();
    await writeSamples(t, device, [live]);
    await again.until((c) => c.named('samples').length === 4);
    expect(valuesOf(again)).toEqual([...missed, live].map((s) => s.val));
    again.close();
  });

  it('starts a stream without Last-Event-ID at now, and gives it an id to resume from before any event', async () => {
    await writeSamples(t, device, [sample()]);
    const client = await open();
    await client.until((c) => c.lastEventId !== '');
    const opening = client.lastEventId;
    client.close();
    const meanwhile = sample();
    await writeSamples(t, device, [meanwhile]);
    const again = await open(device, { 'last-event-id': opening });
    await again.until((c) => c.named('samples').length === 1);
    expect(valuesOf(again)).toEqual([meanwhile.val]);
    again.close();
  });

  it('moves the id with heartbeats when only other series are written, so a quiet stream resumes from near now', async () => {
    const client = await open();
    await client.until((c) => c.lastEventId !== '');
    const opening = Number(client.lastEventId);
    await writeSamples(t, device, [sample(1)]);
    await client.until((c) => Number(c.lastEventId) > opening && c.heartbeats > 0);
    expect(client.named('samples')).toEqual([]);
    client.close();
  });

  it('sends deletes as `deleted` events with their count', async () => {
    const client = await open();
    const [x, y] = [sample(), sample()];
    await writeSamples(t, device, [x, y]);
    const gone = await t.api.deleteSamples(
      device.deviceId,
      { timeseries_ids: device.timeseriesIds[0]!, startTime: x.timestamp, endTime: y.timestamp },
      { token: device.writer },
    );
    expect(gone.json<{ data: { deleted: number } }>().data.deleted).toBe(1);
    await client.until((c) => c.named('deleted').length === 1);
    expect(JSON.parse(client.named('deleted')[0]!.data)).toEqual({
      timeseriesId: device.timeseriesIds[0],
      metric: 'Raw',
      startTime: x.timestamp,
      endTime: y.timestamp,
      deleted: 1,
    });
    client.close();
  });

  it('answers a foreign device 403 and a foreign or missing timeseries 400, alike, before any stream', async () => {
    const other = await createDevice(t);
    const foreign = await open(device, {}, undefined, other.reader);
    expect([foreign.status, JSON.parse(foreign.body)]).toEqual([
      403,
      { status: { Message: 'User does not have access to device', Code: '403' }, data: null },
    ]);
    const ofOther = await open(device, {}, [other.timeseriesIds[0]!]);
    const missing = await open(device, {}, ['00000000-0000-4000-8000-000000000000']);
    expect(ofOther.status).toBe(400);
    expect(JSON.parse(ofOther.body)).toEqual(JSON.parse(missing.body));
    const malformed = await open(device, { 'last-event-id': 'x1' });
    expect(malformed.status).toBe(400);
  });

  it('answers 410 for an id older than SAMPLES_STREAM_RESUME_S (pruned) or unknown', async () => {
    const client = await open();
    await writeSamples(t, device, [sample()]);
    await client.until((c) => c.named('samples').length === 1);
    client.close();
    await writeSamples(t, device, [sample()]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await t.app.get(StreamHub).prune(0)).toBeGreaterThan(0);
    const old = await open(device, { 'last-event-id': client.lastEventId });
    expect(old.status).toBe(410);
    expect(JSON.parse(old.body)).toMatchObject({ status: { Code: '410' }, data: null });
    const future = await open(device, { 'last-event-id': '999999999999' });
    expect(future.status).toBe(410);
    // A browser's ticket for the old id: refused when it is asked for, where the page can read the status.
    const ticket = await t.request({
      method: 'POST',
      url: `/apollo/devices/${encodeURIComponent(device.deviceId)}/timeseries/samples/stream/tickets`,
      headers: { authorization: `Bearer ${device.reader}`, 'content-type': 'application/json' },
      payload: { timeseriesIds: [device.timeseriesIds[0]], lastEventId: client.lastEventId },
    });
    expect(ticket.statusCode).toBe(410);
  });

  it('ends the stream of a client that does not read with `overflow`; writers are not held', async () => {
    const url = new URL(streamUrl(device));
    const socket = connect(Number(url.port), '127.0.0.1');
    socket.write(
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer ${device.reader}\r\n\r\n`,
    );
    socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const big = Array.from({ length: 5000 }, () => sample());
    for (let i = 0; i < 10; i++)
      await writeSamples(
        t,
        device,
        big.map((s) => ({ ...s, val: s.val + i })),
      );
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.resume();
    await new Promise<void>((resolve) => socket.once('end', resolve));
    // The last event, then the end of the chunked body.
    expect(text).toMatch(/event: overflow\ndata: \{"message":"[^"]+"\}\n\n\r\n0\r\n\r\n$/);
  });

  it('ends the stream with `expired` when the token expires', async () => {
    const bearer = token({ scope: 'apollo_read', collections: [device.collection], sub: 'expiring' }, { expiresIn: 2 });
    const client = await open(device, {}, undefined, bearer);
    await client.until((c) => c.ended, 10_000);
    expect(client.events.at(-1)?.event).toBe('expired');
    const metrics = (await t.request({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^samples_stream_ended_total\{reason="expired"\} [1-9]/m);
  });

  it('limits the open streams of a subject, counts them in /metrics, and frees a place when one closes', async () => {
    const bearer = token({ scope: 'apollo_read', collections: [device.collection], sub: 'limited' });
    const [a, b] = [await open(device, {}, undefined, bearer), await open(device, {}, undefined, bearer)];
    const third = await open(device, {}, undefined, bearer);
    expect([a.status, b.status, third.status]).toEqual([200, 200, 429]);
    const metrics = (await t.request({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^samples_stream_connections [2-9]/m);
    expect(metrics).toMatch(/^samples_stream_refused_total [1-9]/m);
    a.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const fourth = await open(device, {}, undefined, bearer);
    expect(fourth.status).toBe(200);
    b.close();
    fourth.close();
  });

  it('opens a stream with a ticket once: bound to its series, refused when reused or expired', async () => {
    const issue = async (body: Record<string, unknown>) =>
      t.request({
        method: 'POST',
        url: `/apollo/devices/${encodeURIComponent(device.deviceId)}/timeseries/samples/stream/tickets`,
        headers: { authorization: `Bearer ${device.reader}`, 'content-type': 'application/json' },
        payload: body,
      });
    const issued = await issue({ timeseriesIds: [device.timeseriesIds[1]] });
    expect(issued.statusCode).toBe(201);
    const { url, lastEventId } = issued.json<{ data: { url: string; lastEventId: string } }>().data;
    const client = await SseClient.open(`${base}${url}`);
    expect(client.status).toBe(200);
    // The stream starts where the ticket said (its opening id), for a page that loses it before any event.
    await client.until((c) => c.lastEventId !== '');
    expect(client.lastEventId).toBe(lastEventId);
    const [own, other] = [sample(1), sample(0)];
    await writeSamples(t, device, [other]);
    await writeSamples(t, device, [own]);
    await client.until((c) => c.named('samples').length === 1);
    expect(valuesOf(client)).toEqual([own.val]);
    const reused = await SseClient.open(`${base}${url}`, { 'last-event-id': client.lastEventId });
    expect([reused.status, JSON.parse(reused.body)]).toEqual([
      401,
      { status: { Message: 'The stream ticket is unknown, used or expired: get a new one', Code: '401' }, data: null },
    ]);
    client.close();
    const late = (await issue({ timeseriesIds: [device.timeseriesIds[1]] })).json<{ data: { url: string } }>().data;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect((await SseClient.open(`${base}${late.url}`)).status).toBe(401);
    // A foreign device's timeseries cannot be bound to a ticket.
    const foreign = await issue({ timeseriesIds: ['00000000-0000-4000-8000-000000000000'] });
    expect(foreign.statusCode).toBe(400);
    expect((await SseClient.open(`${base}/apollo/samples/stream?ticket=${'A'.repeat(43)}`)).status).toBe(401);
  });

  it('a ticket issued with lastEventId resumes there', async () => {
    const client = await open();
    await writeSamples(t, device, [sample()]);
    await client.until((c) => c.named('samples').length === 1);
    client.close();
    const missed = sample();
    await writeSamples(t, device, [missed]);
    const issued = await t.request({
      method: 'POST',
      url: `/apollo/devices/${encodeURIComponent(device.deviceId)}/timeseries/samples/stream/tickets`,
      headers: { authorization: `Bearer ${device.reader}`, 'content-type': 'application/json' },
      payload: { timeseriesIds: [device.timeseriesIds[0]], lastEventId: client.lastEventId },
    });
    const again = await SseClient.open(`${base}${issued.json<{ data: { url: string } }>().data.url}`);
    await again.until((c) => c.named('samples').length === 1);
    expect(valuesOf(again)).toEqual([missed.val]);
    again.close();
  });

  it('a collection other than the device’s cannot get a ticket', async () => {
    const stranger = token({ scope: 'apollo_read', collections: [uniqueCollection()] });
    const response = await t.request({
      method: 'POST',
      url: `/apollo/devices/${encodeURIComponent(device.deviceId)}/timeseries/samples/stream/tickets`,
      headers: { authorization: `Bearer ${stranger}`, 'content-type': 'application/json' },
      payload: { timeseriesIds: [device.timeseriesIds[0]] },
    });
    expect(response.statusCode).toBe(403);
  });
});
