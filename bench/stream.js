'use strict';

/**
 * The live samples stream (src/stream/, `GET .../timeseries/samples/stream`, Server-Sent Events) in
 * the benchmark: two service instances, A and B, on a throwaway database of their own; 100
 * subscribers on B, writes to A.
 *
 *   devices      2 devices of 5 series each; subscriber i follows 2 of the 5 series of device i mod 2
 *                (the 10 pairs in turn), so each series has 20 subscribers and every event is filtered
 *   samples      every sample of the run is numbered k (0, 1, 2, ... over the whole part): its value is
 *                k, its instant BASE + k ms and its series the (k mod 5)th of its device, so a
 *                subscriber knows each sample it receives; a write holds a multiple of 5 samples
 *   paced        50 writes/s of 200 samples (10,000 samples/s) to A, open loop, the devices in turn:
 *                commit-to-event latency, per sample received, from the 202 of its write at the writer
 *                (and from the moment the write was sent, an upper bound), p50 and p99
 *   ingest       8 writers of 1000 samples back to back to A for the phase: samples/s acknowledged,
 *                once without any subscriber and once with the 100 subscribers on B (two rounds of
 *                each in a full run, in turn); the ratio
 *   correctness  after each phase with subscribers and a settle (until every subscriber has every
 *                sample of its series that A acknowledged, or nothing more came for SETTLE_IDLE_MS), each subscriber's
 *                samples are compared with the acknowledged writes: lost, duplicate, and unexpected
 *                ones (another series, a write before the subscription, a value that does not match)
 *
 * The subscribers are plain node:http requests parsing SSE, in SUBSCRIBER_THREADS worker threads
 * (this file is also the worker), so parsing their events does not delay the writer's 202s; both
 * read the same monotonic clock (process.hrtime). A stream that ends while its subscriber should be
 * connected (overflow, expired, shutdown, a dropped socket) is opened again at once with
 * Last-Event-ID, and counted. A quick run (CI) takes 5 s phases, a full run 30 s.
 */

const http = require('node:http');
const os = require('node:os');
const { join } = require('node:path');
const process = require('node:process');
const { setImmediate } = require('node:timers');
const { setTimeout: sleep } = require('node:timers/promises');
const { Worker, isMainThread, parentPort, workerData } = require('node:worker_threads');

const { createThrowawayDatabase, withClient } = require('./database');
const { request } = require('./http-client');
const { machineCpu, processUsage, startCpuMeter, stopServer } = require('./processes');
const { startService } = require('./servers');
const { round } = require('./stats');
const { BENCH_COLLECTION } = require('./tokens');

const DEVICES = 2;
const SERIES_PER_DEVICE = 5;
/** Series each subscriber follows (of its device's SERIES_PER_DEVICE). */
const SERIES_PER_SUBSCRIBER = 2;
const SUBSCRIBERS = 100;
const SUBSCRIBER_THREADS = 2;
const PACED = { writesPerS: 50, samplesPerWrite: 200 };
const INGEST = { writers: 8, samplesPerWrite: 1000 };
/** Writes of the paced phase in flight beyond which the writer waits (and counts it). */
const PACED_MAX_IN_FLIGHT = 64;
/**
 * How long the subscribers get, after the last write of a phase, to receive what was acknowledged:
 * until nothing more arrives for SETTLE_IDLE_MS, at most SETTLE_MAX_MS (a backlog after the ingest
 * phase drains for a while, in bursts seconds apart; the settle time says how long).
 */
const SETTLE_IDLE_MS = 10_000;
const SETTLE_MAX_MS = { quick: 60_000, full: 60_000 };
/** Once everything expected arrived: a little longer, for duplicates. */
const SETTLE_EXTRA_MS = 250;
const CONNECT_TIMEOUT_MS = 15_000;
/** Figures kept per event received (see Subscriber.events). */
const EVENT_FIELDS = 5;
/** Events the resume check reads after its Last-Event-ID. */
const RESUME_EVENTS = 20;
/** Duplicates of a subscriber whose sample numbers are kept (to tell their phase). */
const DUPLICATES_KEPT = 100_000;
/** A stream ended within this long of its opening is opened again after as long, not at once. */
const REOPEN_PAUSE_MS = 200;
/** The instances' environment for the stream (see the service's config). */
const STREAM_ENV = { SAMPLES_STREAM_CONNECTIONS_PER_SUBJECT: '1000' };

/** Milliseconds on the process-wide monotonic clock (the same in every thread). */
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

// ---------------------------------------------------------------------------------------------
// The benchmark's side (main thread)
// ---------------------------------------------------------------------------------------------

/**
 * @typedef {object} Write
 * @property {string} phase
 * @property {number} device
 * @property {number} startK
 * @property {number} count
 * @property {number} sentAt
 * @property {number | null} ackAt when the answer's status line arrived
 * @property {number} status 0: no answer (socket error, timeout)
 * @property {boolean} expected acknowledged (202) while the subscribers were connected
 */

/**
 * The subscribers: which device and series each follows.
 * @param {Array<{ deviceId: string, ids: string[] }>} devices
 * @param {string[]} tokens
 */
function subscriberLayout(devices, tokens) {
  /** @type {number[][]} */
  const combos = [];
  const pick = (/** @type {number} */ from, /** @type {number[]} */ chosen) => {
    if (chosen.length === SERIES_PER_SUBSCRIBER) return void combos.push(chosen);
    for (let s = from; s < SERIES_PER_DEVICE; s++) pick(s + 1, [...chosen, s]);
  };
  pick(0, []);
  return Array.from({ length: SUBSCRIBERS }, (_, i) => {
    const device = i % DEVICES;
    const series = combos[Math.floor(i / DEVICES) % combos.length];
    return {
      index: i,
      device,
      deviceId: devices[device].deviceId,
      seriesIds: devices[device].ids,
      series,
      token: tokens[i % tokens.length],
    };
  });
}

/**
 * The subscriber threads, driven by messages: connect, disconnect, progress, mark, finish.
 * @param {string} url instance B
 * @param {ReturnType<typeof subscriberLayout>} layout
 * @param {number} baseMs
 */
function startSubscriberThreads(url, layout, baseMs) {
  const workers = Array.from({ length: SUBSCRIBER_THREADS }, (_, t) => {
    const worker = new Worker(join(__dirname, 'stream.js'), {
      workerData: {
        url,
        baseMs,
        collection: BENCH_COLLECTION,
        subscribers: layout.filter((s) => s.index % SUBSCRIBER_THREADS === t),
      },
    });
    /** @type {Map<number, { resolve: (value: any) => void, reject: (error: Error) => void }>} */
    const waiting = new Map();
    /** @type {Error | null} */
    let failed = null;
    worker.on('message', (/** @type {any} */ message) => {
      const answer = waiting.get(message.id);
      waiting.delete(message.id);
      answer?.resolve(message.result);
    });
    worker.on('error', (error) => {
      failed = error;
      for (const answer of waiting.values()) answer.reject(error);
      waiting.clear();
    });
    let next = 0;
    return {
      worker,
      /**
       * @param {string} cmd
       * @param {any} [args]
       * @returns {Promise<any>}
       */
      ask(cmd, args) {
        if (failed) return Promise.reject(failed);
        const id = next++;
        return new Promise((resolve, reject) => {
          waiting.set(id, { resolve, reject });
          worker.postMessage({ id, cmd, args });
        });
      },
    };
  });
  /**
   * @param {string} cmd
   * @param {any} [args]
   */
  const all = (cmd, args) => Promise.all(workers.map((w) => w.ask(cmd, args)));
  return {
    all,
    /** Ends the threads (their sockets with them). */
    stop: () => Promise.all(workers.map((w) => w.worker.terminate())),
  };
}

/**
 * The stream part of `npm run bench`.
 * @param {{ quick: boolean, durationS?: number, serverUrl: string, env: Record<string, string>, tokens: string[],
 *   servers: Record<string, any>, databases: string[], say: (line: string) => void }} o
 */
async function runStream(o) {
  const { say, servers } = o;
  const phaseS = o.durationS ?? (o.quick ? 5 : 30);
  const rounds = o.quick ? 1 : 2;
  const settleMaxMs = o.quick ? SETTLE_MAX_MS.quick : SETTLE_MAX_MS.full;
  say(
    `\nLive samples stream: instances A and B on a database of their own, ${SUBSCRIBERS} subscribers on B, writes to A; ${phaseS} s phases`,
  );
  const db = await createThrowawayDatabase(o.serverUrl);
  o.databases.push(db.name);
  const env = { ...o.env, ...STREAM_ENV, DATABASE_URL: db.url };
  servers.streamA = await startService(env, { migrate: true, name: 'service (stream A)' });
  servers.streamB = await startService(env, { name: 'service (stream B)' });
  const A = servers.streamA;
  const B = servers.streamB;
  const headers = { authorization: `Bearer ${o.tokens[0]}`, ercollectionid: BENCH_COLLECTION };

  /** @type {Array<{ deviceId: string, ids: string[] }>} */
  const devices = [];
  const tag = `${Date.now().toString(36)}`;
  for (let d = 0; d < DEVICES; d++) {
    const deviceId = `bench-stream-${tag}-${d}`;
    const points = Array.from({ length: SERIES_PER_DEVICE }, (_, s) => ({
      id: `stream-${s}`,
      pointType: 'temperature',
    }));
    const registered = await request(`${A.url}/apollo/devices/${deviceId}/timeseries`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(points),
    });
    if (registered.status !== 202) throw new Error(`stream: registering the series answered ${registered.status}`);
    const byPoint = new Map(
      registered.json.data.relationships.map((/** @type {any} */ r) => [r.pointId, String(r.timeseriesId)]),
    );
    devices.push({ deviceId, ids: points.map((p) => /** @type {string} */ (byPoint.get(p.id))) });
  }
  const contract = await checkContract(B.url, devices, o.tokens[0]);
  for (const c of contract) say(`  ${c.ok ? 'as expected' : 'UNEXPECTED'}: ${c.case}: ${c.observed}`);

  // Instants 4 h before the part's start, a millisecond apart: all in the past, none twice.
  const baseMs = Math.floor(Date.now() / 1000) * 1000 - 4 * 3600_000;
  const layout = subscriberLayout(devices, o.tokens);
  /** Samples each subscriber is owed per sample of a write of its device. */
  const owedShare = SERIES_PER_SUBSCRIBER / SERIES_PER_DEVICE;
  const subscribersOf = Array.from({ length: DEVICES }, (_, d) => layout.filter((s) => s.device === d).length);

  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  /** @type {Write[]} */
  const writes = [];
  let nextK = 0;
  let nextWrite = 0;
  let subscribed = false;
  /**
   * One write to A: `count` samples of device (write number mod DEVICES), numbered from the next k.
   * @param {string} phase
   * @param {number} count a multiple of SERIES_PER_DEVICE
   * @returns {Promise<Write>}
   */
  const write = (phase, count) => {
    const device = nextWrite % DEVICES;
    const token = o.tokens[nextWrite % o.tokens.length];
    nextWrite++;
    const startK = nextK;
    nextK += count;
    const { deviceId, ids } = devices[device];
    const parts = new Array(count);
    for (let j = 0; j < count; j++) {
      const k = startK + j;
      parts[j] =
        `{"timeseriesId":"${ids[k % SERIES_PER_DEVICE]}","metric":"Raw","timestamp":"${new Date(baseMs + k).toISOString()}","val":${k}}`;
    }
    const body = `[${parts.join(',')}]`;
    /** @type {Write} */
    const w = { phase, device, startK, count, sentAt: nowMs(), ackAt: null, status: 0, expected: false };
    writes.push(w);
    const connected = subscribed;
    return new Promise((resolve) => {
      const req = http.request(
        `${A.url}/apollo/devices/${deviceId}/timeseries/samples`,
        {
          method: 'POST',
          agent,
          headers: {
            authorization: `Bearer ${token}`,
            ercollectionid: BENCH_COLLECTION,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (response) => {
          w.ackAt = nowMs();
          w.status = response.statusCode ?? 0;
          w.expected = connected && w.status === 202;
          response.resume();
          response.on('end', () => resolve(w));
          response.on('error', () => resolve(w));
        },
      );
      req.setTimeout(60_000, () => req.destroy(new Error('timed out')));
      req.on('error', () => resolve(w));
      w.sentAt = nowMs();
      req.end(body);
    });
  };

  const threads = startSubscriberThreads(B.url, layout, baseMs);
  /** @type {any[]} */
  const phases = [];
  try {
    // Warm-up of A (JIT, partitions), no subscriber, not measured.
    await ingest('warmup', o.quick ? 1 : 3);

    const connect = async () => {
      const started = nowMs();
      const results = await threads.all('connect');
      subscribed = true;
      const failures = results.flatMap((r) => r.failures);
      const ms = round(nowMs() - started, 0);
      say(`  ${SUBSCRIBERS - failures.length}/${SUBSCRIBERS} subscribers connected to B in ${ms} ms`);
      for (const f of failures.slice(0, 3)) say(`    failed: ${f}`);
      return { connectMs: ms, connectFailures: failures.length, failureExamples: failures.slice(0, 5) };
    };
    /**
     * Waits until every sample of the phase's acknowledged writes arrived (or none came for
     * SETTLE_IDLE_MS, or SETTLE_MAX_MS passed), then a little longer.
     * @param {string} phase
     */
    const settle = async (phase) => {
      const started = nowMs();
      const owedWrites = writes
        .filter((w) => w.phase === phase && w.expected)
        .map((w) => ({ device: w.device, startK: w.startK, count: w.count }));
      const owed = owedWrites.reduce((sum, w) => sum + w.count * owedShare * subscribersOf[w.device], 0);
      let received = 0;
      let movedAt = started;
      while (nowMs() - started < settleMaxMs && nowMs() - movedAt < SETTLE_IDLE_MS) {
        const now = (await threads.all('progress', { writes: owedWrites })).reduce((sum, r) => sum + r.owedReceived, 0);
        if (now > received) movedAt = nowMs();
        received = now;
        if (received >= owed) break;
        await sleep(100);
      }
      await sleep(SETTLE_EXTRA_MS);
      return { settleMs: round(nowMs() - started, 0), owed, receivedBeforeSettleEnd: received };
    };
    const disconnect = async () => {
      subscribed = false;
      await threads.all('disconnect');
    };

    for (let r = 1; r <= rounds; r++) {
      phases.push({ ...(await ingest(`ingest without subscribers #${r}`, phaseS)), subscribers: 0, round: r });
      const connection = await connect();
      if (r === 1) {
        const name = 'paced with subscribers';
        const figures = await paced(name, phaseS);
        phases.push({ ...figures, ...connection, ...(await settle(name)), subscribers: SUBSCRIBERS, round: r });
      }
      const name = `ingest with subscribers #${r}`;
      const figures = await ingest(name, phaseS);
      phases.push({
        ...figures,
        ...(r === 1 ? {} : connection),
        ...(await settle(name)),
        subscribers: SUBSCRIBERS,
        round: r,
      });
      await disconnect();
    }

    // Every subscriber's samples against the acknowledged writes, per phase.
    const finished = await threads.all('finish', {
      writes: writes.map((w) => ({
        phase: w.phase,
        device: w.device,
        startK: w.startK,
        count: w.count,
        sentAt: w.sentAt,
        ackAt: w.ackAt,
        expected: w.expected,
      })),
    });
    const log = finished.find((f) => f.eventLog)?.eventLog ?? [];
    const resume = await checkResume(B.url, layout[0], log, writes, 'paced with subscribers');
    say(`  resume: ${resume.observed}${resume.ok ? '' : ' (UNEXPECTED)'}`);
    const result = summarize(phases, finished, writes, [...contract, resume], {
      phaseS,
      rounds,
      baseMs,
      devices: DEVICES,
      seriesPerDevice: SERIES_PER_DEVICE,
      seriesPerSubscriber: SERIES_PER_SUBSCRIBER,
      subscribers: SUBSCRIBERS,
      subscriberThreads: SUBSCRIBER_THREADS,
      paced: PACED,
      ingest: INGEST,
      settleIdleMs: SETTLE_IDLE_MS,
      settleMaxMs,
      env: STREAM_ENV,
    });
    for (const line of describe(result)) say(`  ${line}`);
    return result;
  } finally {
    await threads.stop().catch(() => undefined);
    agent.destroy();
    await stopServer(servers.streamB);
    servers.streamB = undefined;
    await stopServer(servers.streamA);
    servers.streamA = undefined;
  }

  /**
   * Figures a phase shares: CPU of A, B, the database's backends, the subscriber threads, the machine.
   * @param {string} name
   */
  async function meter(name) {
    await withClient(db.url, (client) => client.query('CHECKPOINT')).catch(() => undefined);
    const aCpu = await startCpuMeter(A.child.pid, db.url);
    const bBefore = processUsage(B.child.pid).cpuMs;
    const machine = machineCpu();
    const loadBefore = os.loadavg()[0];
    await threads.all('mark');
    const started = nowMs();
    return async () => {
      const seconds = (nowMs() - started) / 1000;
      // "per request" of the meter is per second here: the figures are CPU ms per second.
      const a = await aCpu(seconds);
      const bAfter = processUsage(B.child.pid).cpuMs;
      const machineAfter = machineCpu();
      const elu = (await threads.all('mark')).map((m) => round(m.elu * 100, 1));
      return {
        name,
        /** Other work on the machine shows here (one minute's load average, before and after). */
        loadAverage1m: { before: round(loadBefore, 2), after: round(os.loadavg()[0], 2) },
        cpuMsPerS: {
          a: a.cpuMsPerRequest,
          b: bBefore == null || bAfter == null ? null : round((bAfter - bBefore) / seconds, 1),
          postgres: a.postgresCpuMsPerRequest,
          bench: a.loadCpuMsPerRequest,
        },
        subscriberThreadsBusyPct: elu,
        machineBusyPct:
          machine && machineAfter && machineAfter.total > machine.total
            ? round(((machineAfter.busy - machine.busy) / (machineAfter.total - machine.total)) * 100, 1)
            : null,
      };
    };
  }

  /**
   * INGEST.writers writers back to back for `seconds`.
   * @param {string} name
   * @param {number} seconds
   */
  async function ingest(name, seconds) {
    const stop = await meter(name);
    const started = nowMs();
    const end = started + seconds * 1000;
    let samples = 0;
    let requests = 0;
    let errors = 0;
    /** @type {number[]} */
    const ms = [];
    /** @type {Record<string, number>} */
    const statuses = {};
    await Promise.all(
      Array.from({ length: INGEST.writers }, async () => {
        while (nowMs() < end) {
          const w = await write(name, INGEST.samplesPerWrite);
          statuses[w.status] = (statuses[w.status] ?? 0) + 1;
          if (w.status !== 202) errors++;
          else if (/** @type {number} */ (w.ackAt) <= end) {
            samples += w.count;
            requests++;
            ms.push(/** @type {number} */ (w.ackAt) - w.sentAt);
          }
        }
      }),
    );
    const elapsedS = (end - started) / 1000;
    const figures = await stop();
    ms.sort((x, y) => x - y);
    return {
      ...figures,
      kind: 'ingest',
      seconds: round(elapsedS, 2),
      requests,
      samplesPerS: Math.round(samples / elapsedS),
      writeP50Ms: round(quantileOf(ms, 0.5), 1),
      writeP99Ms: round(quantileOf(ms, 0.99), 1),
      errors,
      statuses,
    };
  }

  /**
   * PACED.writesPerS writes of PACED.samplesPerWrite for `seconds`, open loop.
   * @param {string} name
   * @param {number} seconds
   */
  async function paced(name, seconds) {
    const stop = await meter(name);
    const total = Math.round(seconds * PACED.writesPerS);
    const interval = 1000 / PACED.writesPerS;
    const started = nowMs();
    /** @type {Set<Promise<Write>>} */
    const inFlight = new Set();
    let waitedForInFlight = 0;
    let lateMs = 0;
    for (let i = 0; i < total; i++) {
      const due = started + i * interval;
      const wait = due - nowMs();
      if (wait > 0) await sleep(wait);
      else lateMs = Math.max(lateMs, -wait);
      if (inFlight.size >= PACED_MAX_IN_FLIGHT) {
        waitedForInFlight++;
        await Promise.race(inFlight);
      }
      const pending = write(name, PACED.samplesPerWrite);
      inFlight.add(pending);
      void pending.then(() => inFlight.delete(pending));
    }
    await Promise.all(inFlight);
    const elapsedS = (nowMs() - started) / 1000;
    const figures = await stop();
    const mine = writes.filter((w) => w.phase === name);
    const ms = mine
      .filter((w) => w.status === 202)
      .map((w) => /** @type {number} */ (w.ackAt) - w.sentAt)
      .sort((x, y) => x - y);
    /** @type {Record<string, number>} */
    const statuses = {};
    for (const w of mine) statuses[w.status] = (statuses[w.status] ?? 0) + 1;
    return {
      ...figures,
      kind: 'paced',
      seconds: round(elapsedS, 2),
      requests: ms.length,
      samplesPerS: Math.round((ms.length * PACED.samplesPerWrite) / elapsedS),
      targetSamplesPerS: PACED.writesPerS * PACED.samplesPerWrite,
      writeP50Ms: round(quantileOf(ms, 0.5), 1),
      writeP99Ms: round(quantileOf(ms, 0.99), 1),
      maxLateMs: round(lateMs, 1),
      waitedForInFlight,
      errors: mine.length - ms.length,
      statuses,
    };
  }
}

/**
 * Errors before a stream starts: JSON envelopes with a 4xx status.
 * @param {string} url instance B
 * @param {Array<{ deviceId: string, ids: string[] }>} devices
 * @param {string} token
 */
async function checkContract(url, devices, token) {
  const path = (/** @type {number} */ d, /** @type {string[]} */ ids) =>
    `${url}/apollo/devices/${devices[d].deviceId}/timeseries/samples/stream?${ids.map((id) => `timeseries_ids=${id}`).join('&')}&metric=Raw`;
  const cases = [
    { case: 'no Authorization', url: path(0, [devices[0].ids[0]]), headers: {} },
    {
      case: 'a series of another device',
      url: path(0, [devices[1].ids[0]]),
      headers: { authorization: `Bearer ${token}` },
    },
  ];
  /** @type {Array<{ case: string, ok: boolean, observed: string }>} */
  const out = [];
  for (const c of cases) {
    try {
      const response = await request(c.url, {
        headers: { ...c.headers, ercollectionid: BENCH_COLLECTION, accept: 'text/event-stream' },
        timeoutMs: 5000,
      });
      const type = String(response.headers['content-type'] ?? '');
      const ok = response.status >= 400 && response.status < 500 && type.startsWith('application/json');
      out.push({ case: c.case, ok, observed: `${response.status} ${type}` });
    } catch (error) {
      out.push({ case: c.case, ok: false, observed: String(error instanceof Error ? error.message : error) });
    }
  }
  return out;
}

/**
 * Resuming with Last-Event-ID: a stream opened again (after every phase) with the id of the first
 * subscriber's event in the middle of `phase` must send the next RESUME_EVENTS events that
 * subscriber got, alike (ids, first sample number, samples), and nothing between.
 * @param {string} url instance B
 * @param {{ deviceId: string, seriesIds: string[], series: number[], token: string }} sub
 * @param {number[][]} log [id, first sample number, samples] of every event the subscriber got
 * @param {Write[]} writes
 * @param {string} phase
 */
async function checkResume(url, sub, log, writes, phase) {
  const name = 'Last-Event-ID in the middle of the paced phase';
  const inPhase = log.filter(([, minK]) =>
    writes.some((w) => w.phase === phase && minK >= w.startK && minK < w.startK + w.count),
  );
  if (inPhase.length < 2) return { case: name, ok: false, observed: 'the first subscriber received too few events' };
  const from = inPhase[Math.floor(inPhase.length / 2)];
  const at = log.indexOf(from);
  const expected = log.slice(at + 1, at + 1 + RESUME_EVENTS);
  const query = sub.series.map((i) => `timeseries_ids=${sub.seriesIds[i]}`).join('&');
  /** @type {Array<{ id: string | null, event: string, data: string }>} */
  const got = [];
  let status = 0;
  let type = '';
  await new Promise((resolve) => {
    const req = http.get(
      `${url}/apollo/devices/${sub.deviceId}/timeseries/samples/stream?${query}&metric=Raw`,
      {
        agent: false,
        headers: {
          authorization: `Bearer ${sub.token}`,
          ercollectionid: BENCH_COLLECTION,
          accept: 'text/event-stream',
          'last-event-id': String(from[0]),
        },
      },
      (response) => {
        status = response.statusCode ?? 0;
        type = String(response.headers['content-type'] ?? '');
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (/** @type {string} */ text) => {
          buffer += text;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            /** @type {{ id: string | null, event: string, data: string }} */
            const parsed = { id: null, event: '', data: '' };
            for (const line of block.split('\n')) {
              const colon = line.indexOf(':');
              if (colon <= 0) continue;
              const value = line.slice(colon + 1).replace(/^ /, '');
              const field = line.slice(0, colon);
              if (field === 'id') parsed.id = value;
              else if (field === 'event') parsed.event = value;
              else if (field === 'data') parsed.data += value;
            }
            if (parsed.event) got.push(parsed);
          }
          if (
            got.filter((e) => e.event === 'samples').length >= expected.length ||
            got.some((e) => e.event !== 'samples' && e.event !== 'deleted')
          ) {
            req.destroy();
            resolve(undefined);
          }
        });
        response.on('end', () => resolve(undefined));
        response.on('error', () => resolve(undefined));
      },
    );
    req.on('error', () => resolve(undefined));
    req.setTimeout(10_000, () => {
      req.destroy();
      resolve(undefined);
    });
  });
  const samples = got.filter((e) => e.event === 'samples');
  const other = got.find((e) => e.event !== 'samples');
  /** @type {string | null} */
  let difference = null;
  for (let i = 0; i < expected.length && difference === null; i++) {
    const e = samples[i];
    if (!e) {
      difference = `${samples.length} events came of ${expected.length}`;
      break;
    }
    /** @type {any[]} */
    let list = [];
    try {
      list = JSON.parse(e.data);
    } catch {
      difference = `event ${e.id}: data is not JSON`;
      break;
    }
    const minK = Math.min(...list.map((x) => Number(x.val)));
    const [id, expectedMinK, n] = expected[i];
    if (Number(e.id) !== id || minK !== expectedMinK || list.length !== n) {
      difference = `event ${i + 1} after ${from[0]}: id ${e.id}, samples ${minK}.. (${list.length}); live it was id ${id}, samples ${expectedMinK}.. (${n})`;
    }
  }
  const ok = status === 200 && difference === null && expected.length > 0;
  return {
    case: name,
    ok,
    observed:
      status !== 200
        ? `${status} ${type}`
        : `from id ${from[0]}: ${samples.length} samples events read, the next ${expected.length} alike: ${difference === null ? 'yes' : `no (${difference})`}${other ? `; event ${other.event} ${other.data.slice(0, 120)}` : ''}`,
  };
}

/**
 * The `q` quantile of ascending values (nearest rank), NaN when there are none.
 * @param {number[]} sorted
 * @param {number} q
 */
function quantileOf(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Quantiles of latencies each weighing `weights` samples.
 * @param {Float64Array} values
 * @param {Float64Array} weights
 * @param {number[]} qs
 */
function weightedQuantiles(values, weights, qs) {
  const order = Array.from(values.keys()).sort((x, y) => values[x] - values[y]);
  let total = 0;
  for (const w of weights) total += w;
  if (total === 0) return qs.map(() => NaN);
  return qs.map((q) => {
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const i of order) {
      seen += weights[i];
      if (seen >= rank) return values[i];
    }
    return values[order[order.length - 1]];
  });
}

/**
 * The part's results: each phase with its delivery figures (every subscriber together), the ratio.
 * @param {any[]} phases
 * @param {any[]} finished one per subscriber thread
 * @param {Write[]} writes
 * @param {any[]} contract
 * @param {any} setup
 */
function summarize(phases, finished, writes, contract, setup) {
  const subscribers = finished.flatMap((f) => f.subscribers);
  const out = phases.map((phase) => {
    if (phase.subscribers === 0) return phase;
    const parts = finished.map((f) => f.phases[phase.name]).filter(Boolean);
    const sum = (/** @type {string} */ key) => parts.reduce((s, p) => s + p[key], 0);
    const join = (/** @type {string} */ key) => {
      const arrays = parts.map((p) => /** @type {Float64Array} */ (p[key]));
      const all = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
      let at = 0;
      for (const a of arrays) {
        all.set(a, at);
        at += a.length;
      }
      return all;
    };
    const weights = join('weights');
    const [ackP50, ackP99, ackMax] = weightedQuantiles(join('fromAck'), weights, [0.5, 0.99, 1]);
    const [sentP50, sentP99] = weightedQuantiles(join('fromSent'), weights, [0.5, 0.99]);
    const owed = sum('owed');
    return {
      ...phase,
      delivery: {
        owed,
        received: sum('received'),
        lost: sum('lost'),
        duplicates: sum('duplicates'),
        events: sum('events'),
        latencyFromAckMs: { p50: round(ackP50, 1), p99: round(ackP99, 1), max: round(ackMax, 1) },
        latencyFromSentMs: { p50: round(sentP50, 1), p99: round(sentP99, 1) },
        deliveredSamplesPerS: Math.round(sum('received') / phase.seconds),
      },
    };
  });
  const total = (/** @type {string} */ key) => subscribers.reduce((s, sub) => s + sub[key], 0);
  const mean = (/** @type {any[]} */ list) =>
    list.length ? list.reduce((s, p) => s + p.samplesPerS, 0) / list.length : NaN;
  const without = out.filter((p) => p.kind === 'ingest' && p.subscribers === 0);
  const withSubs = out.filter((p) => p.kind === 'ingest' && p.subscribers > 0);
  const terminal = /** @type {Record<string, number>} */ ({});
  for (const sub of subscribers) {
    for (const [kind, n] of Object.entries(sub.terminal)) terminal[kind] = (terminal[kind] ?? 0) + Number(n);
  }
  const firstExample = (/** @type {string} */ key) => subscribers.find((sub) => sub[key])?.[key] ?? null;
  return {
    setup,
    contract,
    phases: out,
    ingest: {
      withoutSamplesPerS: Math.round(mean(without)),
      withSamplesPerS: Math.round(mean(withSubs)),
      ratio: round(mean(withSubs) / mean(without), 3),
    },
    subscribers: {
      count: subscribers.length,
      connects: total('connects'),
      reconnects: total('reconnects'),
      connectFailures: total('connectFailures'),
      streamErrors: total('streamErrors'),
      terminal,
      heartbeats: total('heartbeats'),
      deletedEvents: total('deletedEvents'),
      otherEvents: total('otherEvents'),
      noPreamble: total('noPreamble'),
      idsNotIncreasing: total('idsNotIncreasing'),
      eventsSpanningWrites: total('eventsSpanningWrites'),
      emptyEvents: total('emptyEvents'),
      malformed: total('malformed'),
      wrongSeries: total('wrongSeries'),
      unexpected: total('unexpected'),
      lost: total('lost'),
      duplicates: total('duplicates'),
      examples: {
        connectFailure: firstExample('connectFailureExample'),
        streamError: firstExample('streamErrorExample'),
        malformed: firstExample('malformedExample'),
        wrongSeries: firstExample('wrongSeriesExample'),
        unexpected: firstExample('unexpectedExample'),
        otherEvent: firstExample('otherEventExample'),
      },
    },
    writes: {
      total: writes.filter((w) => w.phase !== 'warmup').length,
      errors: writes.filter((w) => w.status !== 202).length,
    },
  };
}

/**
 * The lines the run prints for the part.
 * @param {any} r runStream's result
 */
function describe(r) {
  const lines = [];
  for (const p of r.phases) {
    const cpu = `CPU ms/s: A ${p.cpuMsPerS.a}, B ${p.cpuMsPerS.b}, PostgreSQL ${p.cpuMsPerS.postgres}, the benchmark (writer and subscribers) ${p.cpuMsPerS.bench}; subscriber threads ${p.subscriberThreadsBusyPct.join('%, ')}% busy; machine ${p.machineBusyPct}% busy, load average ${p.loadAverage1m.before} before, ${p.loadAverage1m.after} after`;
    const d = p.delivery;
    lines.push(
      `${p.name}: ${p.samplesPerS.toLocaleString('en-US')} samples/s acknowledged (${p.requests} writes, p50 ${p.writeP50Ms} ms, p99 ${p.writeP99Ms} ms, ${p.errors} errors)` +
        (d
          ? `; delivered ${d.received.toLocaleString('en-US')}/${d.owed.toLocaleString('en-US')} (lost ${d.lost}, duplicates ${d.duplicates}); ` +
            `commit-to-event p50 ${d.latencyFromAckMs.p50} ms, p99 ${d.latencyFromAckMs.p99} ms (from send: p50 ${d.latencyFromSentMs.p50}, p99 ${d.latencyFromSentMs.p99}); settled in ${p.settleMs} ms`
          : ''),
      `  ${cpu}`,
    );
  }
  const s = r.subscribers;
  lines.push(
    `ingest with ${SUBSCRIBERS} subscribers / without: ${r.ingest.ratio} (${r.ingest.withSamplesPerS.toLocaleString('en-US')} vs ${r.ingest.withoutSamplesPerS.toLocaleString('en-US')} samples/s)`,
    `subscribers: ${s.connects} connects, ${s.reconnects} reconnects, ${s.connectFailures} failed, terminal events ${JSON.stringify(s.terminal)}, ` +
      `${s.heartbeats} heartbeats, lost ${s.lost}, duplicates ${s.duplicates}, unexpected ${s.unexpected}, wrong series ${s.wrongSeries}, malformed ${s.malformed}, ` +
      `ids not increasing ${s.idsNotIncreasing}, events spanning writes ${s.eventsSpanningWrites}, no preamble ${s.noPreamble}, stream errors ${s.streamErrors}`,
  );
  for (const [key, example] of Object.entries(s.examples)) if (example) lines.push(`  e.g. ${key}: ${example}`);
  return lines;
}

/**
 * What makes the part fail the run (exit code 1): samples lost, duplicated or unexpected, events
 * that do not match the contract, failed writes or streams, errors before a stream that are not a
 * JSON 4xx.
 * @param {any} stream runStream's result
 * @returns {string[]}
 */
function streamFailures(stream) {
  const s = stream.subscribers;
  /** @type {Array<[number, string]>} */
  const counts = [
    [s.lost, 'samples lost'],
    [s.duplicates, 'duplicate samples'],
    [s.unexpected, 'unexpected samples'],
    [s.wrongSeries, 'samples of series not subscribed'],
    [s.malformed, 'malformed samples or events'],
    [s.idsNotIncreasing, 'event ids not increasing'],
    [s.connectFailures, 'subscriptions refused'],
    [s.streamErrors, 'streams broken'],
    [stream.writes.errors, 'writes failed'],
    [
      stream.contract.filter((/** @type {any} */ c) => !c.ok).length,
      'contract checks failed (an error before a stream not a JSON 4xx, or a resume)',
    ],
  ];
  return counts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
}

// ---------------------------------------------------------------------------------------------
// The subscribers' side (worker threads)
// ---------------------------------------------------------------------------------------------

/**
 * One subscriber: its connection, what it received, and its SSE parser's state.
 * @typedef {object} Subscriber
 * @property {number} index
 * @property {string} deviceId
 * @property {string[]} seriesIds
 * @property {number[]} series
 * @property {string} token
 * @property {Set<string>} seriesSet
 * @property {Uint8Array} seen a bit per sample number k
 * @property {number[]} duplicateKs the sample numbers received again (the first DUPLICATES_KEPT)
 * @property {(() => void) | undefined} onPreamble
 * @property {number} openedAt
 * @property {number[]} events per event: minK, maxK, samples, arrival, id (flat, EVENT_FIELDS each)
 * @property {string | null} lastEventId
 * @property {number} lastNumericId
 * @property {import('node:http').ClientRequest | null} req
 * @property {boolean} wanted
 * @property {boolean} ready
 * @property {string} buffer unparsed text
 * @property {{ id: string | null, event: string, data: string[] }} block
 * @property {Record<string, number>} counts
 * @property {Record<string, string>} examples
 * @property {Record<string, number>} terminal
 * @property {number} uniqueReceived
 */

function workerMain() {
  const data = /** @type {any} */ (workerData);
  const url = /** @type {string} */ (data.url);
  const baseMs = /** @type {number} */ (data.baseMs);
  const collection = /** @type {string} */ (data.collection);
  const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
  /** @type {Subscriber[]} */
  const subscribers = data.subscribers.map((/** @type {any} */ s) => ({
    ...s,
    seriesSet: new Set(s.series.map((/** @type {number} */ i) => s.seriesIds[i])),
    seen: new Uint8Array(1 << 19),
    duplicateKs: [],
    onPreamble: undefined,
    openedAt: 0,
    events: [],
    lastEventId: null,
    lastNumericId: -Infinity,
    req: null,
    wanted: false,
    ready: false,
    buffer: '',
    block: { id: null, event: '', data: [] },
    counts: {
      connects: 0,
      reconnects: 0,
      connectFailures: 0,
      streamErrors: 0,
      heartbeats: 0,
      deletedEvents: 0,
      otherEvents: 0,
      noPreamble: 0,
      idsNotIncreasing: 0,
      emptyEvents: 0,
      malformed: 0,
      wrongSeries: 0,
      duplicates: 0,
    },
    examples: {},
    terminal: {},
    uniqueReceived: 0,
  }));
  let elu = performance.eventLoopUtilization();

  /** Chunks received and not parsed yet: parsed after every socket's read of this turn is stamped. */
  /** @type {Array<[Subscriber, string, number]>} */
  let pending = [];
  let scheduled = false;
  const drain = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    for (const [sub, text, at] of batch) feed(sub, text, at);
  };

  /**
   * @param {Subscriber} sub
   * @param {string} key
   * @param {string} example
   */
  const count = (sub, key, example) => {
    sub.counts[key] = (sub.counts[key] ?? 0) + 1;
    if (!sub.examples[key]) sub.examples[key] = example.slice(0, 300);
  };

  /**
   * Opens (or opens again, with Last-Event-ID) a subscriber's stream.
   * @param {Subscriber} sub
   * @param {(ok: boolean, failure?: string) => void} [onReady]
   */
  const open = (sub, onReady) => {
    const query = sub.series.map((i) => `timeseries_ids=${sub.seriesIds[i]}`).join('&');
    /** @type {Record<string, string>} */
    const headers = {
      authorization: `Bearer ${sub.token}`,
      ercollectionid: collection,
      accept: 'text/event-stream',
    };
    if (sub.lastEventId !== null) headers['last-event-id'] = sub.lastEventId;
    sub.ready = false;
    sub.buffer = '';
    sub.block = { id: null, event: '', data: [] };
    sub.counts.connects++;
    let settled = false;
    const done = (/** @type {boolean} */ ok, /** @type {string} */ failure = '') => {
      if (settled) return;
      settled = true;
      onReady?.(ok, failure);
    };
    const req = http.request(
      `${url}/apollo/devices/${sub.deviceId}/timeseries/samples/stream?${query}&metric=Raw`,
      { headers, agent: false },
      (response) => {
        const type = String(response.headers['content-type'] ?? '');
        if (response.statusCode !== 200 || !type.startsWith('text/event-stream')) {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk) => (body += chunk));
          response.on('end', () => {
            sub.counts.connectFailures++;
            const failure = `${response.statusCode} ${type} ${body.slice(0, 200)}`;
            if (!sub.examples.connectFailure) sub.examples.connectFailure = failure;
            sub.req = null;
            done(false, failure);
          });
          return;
        }
        response.setEncoding('utf8');
        // A stream without the preamble block is ready once its headers are in.
        const noPreamble = setTimeout(() => {
          if (!sub.ready && sub.req === req) {
            count(sub, 'noPreamble', 'no preamble block within 2 s of the headers');
            sub.ready = true;
            done(true);
          }
        }, 2000);
        sub.onPreamble = () => {
          clearTimeout(noPreamble);
          done(true);
        };
        response.on('data', (/** @type {string} */ text) => {
          pending.push([sub, text, nowMs()]);
          if (!scheduled) {
            scheduled = true;
            setImmediate(drain);
          }
        });
        response.on('end', () => {
          clearTimeout(noPreamble);
          if (sub.req !== req) return;
          sub.req = null;
          if (sub.wanted) {
            // Ended by the server (a terminal event or not): again, from the last event.
            sub.counts.reconnects++;
            drain();
            reopen(sub);
          }
          done(false, 'ended before it was ready');
        });
        response.on('error', () => undefined);
      },
    );
    req.on('error', (error) => {
      if (sub.req !== req) return;
      sub.req = null;
      if (!settled) {
        sub.counts.connectFailures++;
        if (!sub.examples.connectFailure) sub.examples.connectFailure = error.message;
        done(false, error.message);
        return;
      }
      count(sub, 'streamErrors', error.message);
      if (sub.wanted) {
        sub.counts.reconnects++;
        reopen(sub);
      }
    });
    sub.req = req;
    sub.openedAt = nowMs();
    req.end();
  };
  /**
   * Opens a stream again with Last-Event-ID: at once, or after REOPEN_PAUSE_MS when it lasted less.
   * @param {Subscriber} sub
   */
  const reopen = (sub) => {
    if (nowMs() - sub.openedAt >= REOPEN_PAUSE_MS) open(sub);
    else setTimeout(() => sub.wanted && !sub.req && open(sub), REOPEN_PAUSE_MS);
  };

  /**
   * Parses SSE text of one subscriber; `at` is when the chunk arrived.
   * @param {Subscriber} sub
   * @param {string} text
   * @param {number} at
   */
  const feed = (sub, text, at) => {
    let buffer = sub.buffer + text;
    let start = 0;
    for (;;) {
      const nl = buffer.indexOf('\n', start);
      if (nl < 0) break;
      let line = buffer.slice(start, nl);
      start = nl + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line === '') {
        dispatch(sub, at);
        continue;
      }
      if (line.startsWith(':')) {
        if (line.slice(1).trim() === 'heartbeat') sub.counts.heartbeats++;
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') sub.block.data.push(value);
      else if (field === 'event') sub.block.event = value;
      else if (field === 'id') sub.block.id = value;
      else if (field !== 'retry') count(sub, 'malformed', `unknown field: ${line}`);
    }
    sub.buffer = buffer.slice(start);
  };

  /**
   * A blank line: the block read so far.
   * @param {Subscriber} sub
   * @param {number} at
   */
  const dispatch = (sub, at) => {
    const { id, event, data } = sub.block;
    sub.block = { id: null, event: '', data: [] };
    if (id !== null) {
      const numeric = /^\d+$/.test(id) ? Number(id) : NaN;
      if (Number.isNaN(numeric)) count(sub, 'malformed', `id not a decimal integer: ${id}`);
      else if (event !== '' || data.length > 0) {
        if (numeric <= sub.lastNumericId) count(sub, 'idsNotIncreasing', `${id} after ${sub.lastNumericId}`);
      }
      if (!Number.isNaN(numeric)) sub.lastNumericId = Math.max(sub.lastNumericId, numeric);
      sub.lastEventId = id;
    }
    if (event === '' && data.length === 0) {
      // The preamble (retry, id), or an empty block.
      if (!sub.ready) {
        sub.ready = true;
        sub.onPreamble?.();
      }
      return;
    }
    if (!sub.ready) {
      count(sub, 'noPreamble', `first block: event ${event}, id ${id}`);
      sub.ready = true;
      sub.onPreamble?.();
    }
    const name = event || 'message';
    if (name === 'samples') received(sub, data.join('\n'), at, id);
    else if (name === 'deleted') sub.counts.deletedEvents++;
    else if (name === 'overflow' || name === 'expired' || name === 'shutdown') {
      sub.terminal[name] = (sub.terminal[name] ?? 0) + 1;
    } else count(sub, 'otherEvents', `event ${name}: ${data.join('\n').slice(0, 200)}`);
  };

  /**
   * A `samples` event: every sample checked and counted.
   * @param {Subscriber} sub
   * @param {string} json
   * @param {number} at
   * @param {string | null} id
   */
  const received = (sub, json, at, id) => {
    if (id === null) count(sub, 'malformed', 'a samples event without an id');
    /** @type {any} */
    let samples;
    try {
      samples = JSON.parse(json);
    } catch {
      count(sub, 'malformed', `data is not JSON: ${json.slice(0, 200)}`);
      return;
    }
    if (!Array.isArray(samples)) {
      count(sub, 'malformed', `data is not an array: ${json.slice(0, 200)}`);
      return;
    }
    if (samples.length === 0) {
      sub.counts.emptyEvents++;
      return;
    }
    let minK = Infinity;
    let maxK = -Infinity;
    let n = 0;
    for (let j = 0; j < samples.length; j++) {
      const sample = samples[j];
      const k = sample?.val;
      if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
        count(sub, 'malformed', `val: ${JSON.stringify(sample).slice(0, 200)}`);
        continue;
      }
      const instant = baseMs + k;
      // The text timestamp is parsed for an event's first sample only (Date.parse per sample was a large
      // share of the subscribers' CPU, which the machine's writers share); unixTimestamp is checked on all.
      if (
        sample.metric !== 'Raw' ||
        sample.unixTimestamp !== instant ||
        (j === 0 && Date.parse(sample.timestamp) !== instant) ||
        typeof sample.ingestUnixTimestamp !== 'number'
      ) {
        count(sub, 'malformed', `expected instant ${new Date(instant).toISOString()}: ${JSON.stringify(sample)}`);
      }
      // The service answers ids in lower case (as reads do).
      const tsid = sample.timeseriesId;
      if (!sub.seriesSet.has(tsid) || tsid !== sub.seriesIds[k % sub.seriesIds.length]) {
        count(sub, 'wrongSeries', JSON.stringify(sample));
        continue;
      }
      const byte = k >>> 3;
      if (byte >= sub.seen.length) {
        const grown = new Uint8Array(Math.max(sub.seen.length * 2, byte + 1));
        grown.set(sub.seen);
        sub.seen = grown;
      }
      const bit = 1 << (k & 7);
      if (sub.seen[byte] & bit) {
        sub.counts.duplicates++;
        if (sub.duplicateKs.length < DUPLICATES_KEPT) sub.duplicateKs.push(k);
        continue;
      }
      sub.seen[byte] |= bit;
      sub.uniqueReceived++;
      n++;
      if (k < minK) minK = k;
      if (k > maxK) maxK = k;
    }
    if (n > 0) sub.events.push(minK, maxK, n, at, id === null ? NaN : Number(id));
  };

  /**
   * Unique samples received of `writes` (those a phase owes), every subscriber of the thread together.
   * @param {Array<{ device: number, startK: number, count: number }>} writes
   */
  const owedReceived = (writes) => {
    let got = 0;
    for (const sub of subscribers) {
      for (const w of writes) {
        if (w.device !== sub.device) continue;
        for (const s of sub.series) {
          for (let k = w.startK + s; k < w.startK + w.count; k += sub.seriesIds.length) {
            if (sub.seen[k >>> 3] & (1 << (k & 7))) got++;
          }
        }
      }
    }
    return got;
  };

  /**
   * Every subscriber's samples against the writes: per phase, owed, received, lost, duplicates,
   * and the latency of each event's samples.
   * @param {Array<{ phase: string, device: number, startK: number, count: number, sentAt: number, ackAt: number | null, expected: boolean }>} writes
   */
  const finish = (writes) => {
    const starts = writes.map((w) => w.startK);
    const writeOf = (/** @type {number} */ k) => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= k) lo = mid;
        else hi = mid - 1;
      }
      const w = writes[lo];
      return w && k >= w.startK && k < w.startK + w.count ? w : undefined;
    };
    /** @type {Record<string, { owed: number, received: number, lost: number, duplicates: number, events: number, fromAck: number[], fromSent: number[], weights: number[] }>} */
    const phases = {};
    const phase = (/** @type {string} */ name) =>
      (phases[name] ??= {
        owed: 0,
        received: 0,
        lost: 0,
        duplicates: 0,
        events: 0,
        fromAck: [],
        fromSent: [],
        weights: [],
      });
    const perSubscriber = subscribers.map((sub) => {
      let lost = 0;
      let found = 0;
      for (const w of writes) {
        if (!w.expected || w.device !== sub.device) continue;
        const p = phase(w.phase);
        for (const s of sub.series) {
          for (let k = w.startK + s; k < w.startK + w.count; k += sub.seriesIds.length) {
            p.owed++;
            if (sub.seen[k >>> 3] & (1 << (k & 7))) {
              p.received++;
              found++;
            } else {
              p.lost++;
              lost++;
            }
          }
        }
      }
      let unexpected = sub.uniqueReceived - found;
      let spanning = 0;
      for (let e = 0; e < sub.events.length; e += EVENT_FIELDS) {
        const [minK, maxK, n, at] = [sub.events[e], sub.events[e + 1], sub.events[e + 2], sub.events[e + 3]];
        const w = writeOf(minK);
        if (!w) continue;
        if (maxK >= w.startK + w.count) spanning++;
        if (!w.expected) {
          if (!sub.examples.unexpected)
            sub.examples.unexpected = `samples ${minK}..${maxK} of a write of phase "${w.phase}" (status not 202 or before the subscription)`;
          continue;
        }
        const p = phase(w.phase);
        p.events++;
        if (w.ackAt !== null) {
          p.fromAck.push(at - w.ackAt);
          p.fromSent.push(at - w.sentAt);
          p.weights.push(n);
        }
      }
      for (const k of sub.duplicateKs) {
        const w = writeOf(k);
        if (w) phase(w.phase).duplicates++;
      }
      if (unexpected < 0) unexpected = 0;
      return {
        index: sub.index,
        ...sub.counts,
        lost,
        unexpected,
        eventsSpanningWrites: spanning,
        terminal: sub.terminal,
        connectFailureExample: sub.examples.connectFailure ?? null,
        streamErrorExample: sub.examples.streamErrors ?? null,
        malformedExample: sub.examples.malformed ?? null,
        wrongSeriesExample: sub.examples.wrongSeries ?? null,
        unexpectedExample: sub.examples.unexpected ?? null,
        otherEventExample: sub.examples.otherEvents ?? null,
      };
    });
    // The first subscriber's events (id, first sample number, samples), for the resume check.
    const first = subscribers.find((sub) => sub.index === 0);
    /** @type {number[][]} */
    const eventLog = [];
    if (first) {
      for (let e = 0; e < first.events.length; e += EVENT_FIELDS) {
        eventLog.push([first.events[e + 4], first.events[e], first.events[e + 2]]);
      }
    }
    return {
      eventLog: first ? eventLog : null,
      subscribers: perSubscriber,
      phases: Object.fromEntries(
        Object.entries(phases).map(([name, p]) => [
          name,
          {
            ...p,
            fromAck: Float64Array.from(p.fromAck),
            fromSent: Float64Array.from(p.fromSent),
            weights: Float64Array.from(p.weights),
          },
        ]),
      ),
    };
  };

  port.on('message', (/** @type {{ id: number, cmd: string, args: any }} */ message) => {
    const reply = (/** @type {any} */ result) => port.postMessage({ id: message.id, result });
    switch (message.cmd) {
      case 'connect': {
        /** @type {string[]} */
        const failures = [];
        let left = subscribers.length;
        const timer = setTimeout(() => {
          for (const sub of subscribers) if (!sub.ready) failures.push(`subscriber ${sub.index}: not ready in time`);
          reply({ failures });
          left = -1;
        }, CONNECT_TIMEOUT_MS);
        for (const sub of subscribers) {
          sub.wanted = true;
          sub.lastEventId = null;
          sub.lastNumericId = -Infinity;
          open(sub, (ok, failure) => {
            if (!ok) failures.push(`subscriber ${sub.index}: ${failure}`);
            if (--left === 0) {
              clearTimeout(timer);
              reply({ failures });
            }
          });
        }
        break;
      }
      case 'disconnect':
        for (const sub of subscribers) {
          sub.wanted = false;
          const req = sub.req;
          sub.req = null;
          req?.destroy();
        }
        reply({});
        break;
      case 'progress':
        reply({ owedReceived: owedReceived(message.args.writes) });
        break;
      case 'mark': {
        const now = performance.eventLoopUtilization();
        const since = performance.eventLoopUtilization(now, elu);
        elu = now;
        reply({ elu: since.utilization });
        break;
      }
      case 'finish':
        drain();
        reply(finish(message.args.writes));
        break;
      default:
        reply({ error: `unknown command ${message.cmd}` });
    }
  });
}

if (!isMainThread && workerData?.subscribers) workerMain();

module.exports = { runStream, streamFailures, describeStream: describe };
