import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';

import type { HttpAdapterHost } from '@nestjs/core';
import { Registry } from 'prom-client';

import { loadConfig } from '../../src/config/config';
import { SampleEventSignal } from '../../src/events/sample-event-signal';
import { StreamConnection } from '../../src/stream/stream-connection';
import { StreamHub } from '../../src/stream/stream-hub';
import type { StreamRepository } from '../../src/stream/stream.repository';
import type { EventRow } from '../../src/stream/stream.sql';
import {
  eventText,
  heartbeat,
  preamble,
  subscriptionOf,
  type LoggedEvent,
  type Subscription,
} from '../../src/stream/stream-events';

const A = '0b5bd0a4-4c7e-4a8c-9d0c-3f4b1de3b6a1';
const B = '1c6ce1b5-5d8f-4b9d-8e1d-4f5c2ef4c7b2';
const subscription: Subscription = subscriptionOf('d', [A], 0);

const samples = (id: number, t: string[], i: number[], us: number[]): LoggedEvent => ({
  id,
  deviceId: 'd',
  kind: 1,
  ingestUnixMs: 1796637600412,
  payload: { t, i, m: i.map(() => 0), us, v: us.map((u) => u / 1e6) },
});

describe('stream events as Server-Sent Events text', () => {
  it('sends a write as one `samples` event with its id, only the subscribed series, in the read schema', () => {
    const text = eventText(
      samples(7, [A, B], [0, 1, 0], [1796637600000000, 1796637600000000, 1796637600000123]),
      subscription,
    );
    expect(text).toBe(
      'id: 7\nevent: samples\ndata: [' +
        `{"timeseriesId":"${A}","metric":"Raw","timestamp":"2026-12-07T10:00:00.000Z","val":1796637600,"unixTimestamp":1796637600000,"ingestUnixTimestamp":1796637600412},` +
        `{"timeseriesId":"${A}","metric":"Raw","timestamp":"2026-12-07T10:00:00.000123Z","val":1796637600.000123,"unixTimestamp":1796637600000,"ingestUnixTimestamp":1796637600412}]\n\n`,
    );
  });

  it('makes the text of a subscription once per event: streams of the same timeseries share it', () => {
    const event = samples(10, [A, B], [0, 1], [1, 2]);
    const first = eventText(event, subscriptionOf('d', [A, B], 0));
    expect(eventText(event, subscriptionOf('d', [B, A], 0))).toBe(first);
    expect(event.texts?.size).toBe(1);
    expect(eventText(event, subscription)).not.toBe(first);
  });

  it('sends nothing of a write of other series or another metric', () => {
    expect(eventText(samples(8, [B], [0], [1]), subscription)).toBeUndefined();
    expect(eventText(samples(9, [A], [0], [1]), subscriptionOf('d', [A], 1))).toBeUndefined();
  });

  it('sends a delete as one `deleted` event per subscribed series, the id on the last only', () => {
    const both = subscriptionOf('d', [B, A], 0);
    const event: LoggedEvent = {
      id: 12,
      deviceId: 'd',
      kind: 2,
      ingestUnixMs: 0,
      payload: { t: [A, B], n: [3, 4], m: 0, from: 1796601600000000, to: 1796605200000000 },
    };
    const range = '"startTime":"2026-12-07T00:00:00.000Z","endTime":"2026-12-07T01:00:00.000Z"';
    expect(eventText(event, both)).toBe(
      `event: deleted\ndata: {"timeseriesId":"${A}","metric":"Raw",${range},"deleted":3}\n\n` +
        `id: 12\nevent: deleted\ndata: {"timeseriesId":"${B}","metric":"Raw",${range},"deleted":4}\n\n`,
    );
  });

  it('opens with the retry and the start position, and heartbeats carry the position only when it moved', () => {
    expect(preamble(41, 2000)).toBe('retry: 2000\nid: 41\n\n');
    expect(heartbeat(undefined)).toBe(': heartbeat\n\n');
    expect(heartbeat(45)).toBe(': heartbeat\nid: 45\n\n');
  });
});

/** A response whose socket takes `room` writes, then is full until `drain()`. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  ended = false;
  destroyed = false;
  writableEnded = false;
  constructor(private room: number) {
    super();
  }
  write(text: string): boolean {
    this.written.push(text);
    return --this.room > 0;
  }
  end(): void {
    this.ended = this.writableEnded = true;
  }
  drain(room: number): void {
    this.room = room;
    this.emit('drain');
  }
}

describe('StreamConnection', () => {
  const start = (response: FakeResponse, buffer = 2) => {
    const closed: Array<string | undefined> = [];
    const connection = new StreamConnection(
      subscription,
      'sub',
      response as unknown as ServerResponse,
      5,
      { buffer, heartbeatMs: 60_000, expiresAtMs: Date.now() + 60_000 },
      (_c, reason) => closed.push(reason),
    );
    return { connection, closed };
  };
  const write = (id: number) => samples(id, [A], [0], [id * 1_000_000]);

  it('holds live events until it has caught up, then sends those it did not read, each once', async () => {
    const response = new FakeResponse(100);
    const { connection } = start(response, 10);
    connection.offer(write(7));
    connection.offer(write(8));
    await connection.catchUp(write(6));
    await connection.catchUp(write(7));
    connection.goLive();
    connection.offer(write(8));
    connection.offer(write(9));
    expect(response.written.map((text) => /^id: (\d+)/.exec(text)?.[1])).toEqual(['6', '7', '8', '9']);
    connection.end('shutdown');
  });

  it('queues for a client that reads slowly, sends the queue on drain, and ends with `overflow` past the buffer', () => {
    const response = new FakeResponse(1);
    const { connection, closed } = start(response, 2);
    connection.goLive();
    connection.offer(write(6)); // fills the socket
    connection.offer(write(7));
    connection.offer(write(8)); // two wait
    response.drain(10);
    expect(response.written).toHaveLength(3);
    response.drain(1);
    connection.offer(write(9)); // fills it again
    connection.offer(write(10));
    connection.offer(write(11));
    connection.offer(write(12));
    expect(closed).toEqual(['overflow']);
    expect(response.written.at(-1)).toMatch(/^event: overflow\n/);
    expect(response.ended).toBe(true);
  });

  it('holds only the events of its own series while it catches up, so other series overflow nothing', async () => {
    const response = new FakeResponse(100);
    const { connection, closed } = start(response, 2);
    for (let id = 6; id < 16; id++) connection.offer(samples(id, [B], [0], [id]));
    connection.offer(write(16));
    await connection.catchUp(write(6));
    connection.goLive();
    expect(closed).toEqual([]);
    expect(response.written.map((text) => /^id: (\d+)/.exec(text)?.[1])).toEqual(['6', '16']);
    connection.end('shutdown');
  });

  it('ignores events below its position (a resume point)', () => {
    const response = new FakeResponse(100);
    const { connection } = start(response);
    connection.goLive();
    connection.offer(write(5));
    connection.offer(write(4));
    expect(response.written).toEqual([]);
    connection.end('shutdown');
  });
});

describe('StreamHub', () => {
  /** A log whose reads the test answers by hand, in the order they are asked. */
  class FakeLog {
    readonly asked: Array<{
      after: number;
      devices: readonly string[];
      answer: (rows: EventRow[], high: number) => void;
    }> = [];
    events(after: number, deviceIds: readonly string[]): Promise<{ events: EventRow[]; high: number }> {
      return new Promise((resolve) =>
        this.asked.push({ after, devices: deviceIds, answer: (events, high) => resolve({ events, high }) }),
      );
    }
  }
  const row = (id: number, deviceId: string): EventRow => ({
    id: String(id),
    device_id: deviceId,
    kind: 1,
    payload: JSON.stringify({ t: [A], i: [0], m: [0], us: [id * 1_000_000], v: [id] }),
    ingest_unix_ms: 0,
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("waits for the hub's read in flight when a stream registers, and reads again: an event that read skipped reaches it", async () => {
    const log = new FakeLog();
    const signal = new SampleEventSignal();
    const config = loadConfig({ NODE_ENV: 'test' });
    const hub = new StreamHub(log as unknown as StreamRepository, signal, config, new Registry(), {
      httpAdapter: { getInstance: () => ({ addHook: () => undefined }) },
    } as unknown as HttpAdapterHost);
    await hub.onApplicationBootstrap();
    const connect = (deviceId: string, start: number) => {
      const response = new FakeResponse(1000);
      const connection = new StreamConnection(
        subscriptionOf(deviceId, [A], 0),
        'sub',
        response as unknown as ServerResponse,
        start,
        { buffer: 10, heartbeatMs: 60_000, expiresAtMs: Date.now() + 60_000 },
        (c, reason) => hub.detach(c, reason),
      );
      return { response, attached: hub.attach(connection) };
    };
    // A stream of device x, caught up.
    const x = connect('x', 5);
    await settle();
    log.asked.shift()!.answer([], 5);
    await x.attached;
    // News of x: the hub reads for [x]; its answer is held.
    signal.committed({ id: 6, deviceId: 'x' });
    await settle();
    const hubRead = log.asked.shift()!;
    expect(hubRead.devices).toEqual(['x']);
    // A stream of device y registers; its catch-up sees an older snapshot: nothing.
    const y = connect('y', 5);
    await settle();
    log.asked.shift()!.answer([], 5);
    await settle();
    // The hub's read answers from a later snapshot, in which y's event 9 exists: not asked for, skipped.
    hubRead.answer([row(6, 'x')], 9);
    await settle();
    // y reads again after that read, and gets event 9.
    const again = log.asked.shift()!;
    expect([again.after, again.devices]).toEqual([5, ['y']]);
    again.answer([row(9, 'y')], 9);
    await y.attached;
    expect(y.response.written.map((text) => /^id: (\d+)/.exec(text)?.[1])).toEqual(['9']);
    expect(x.response.written.map((text) => /^id: (\d+)/.exec(text)?.[1])).toEqual(['6']);
    // Shut down: the open streams end with `shutdown`, and so does one that registers afterwards.
    hub.closeAll('shutdown');
    const late = connect('x', 9);
    await late.attached;
    for (const { response } of [x, y, late]) {
      expect([response.written.at(-1), response.ended]).toEqual([expect.stringMatching(/^event: shutdown\n/), true]);
    }
    expect(hub.reserve('anyone')).toBe('stopping');
    await hub.onModuleDestroy();
  });
});
