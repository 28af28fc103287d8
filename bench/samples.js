'use strict';

/**
 * The samples part of the benchmark: the data set every target holds before anything is measured
 * (PostgreSQL, InfluxDB and VictoriaMetrics alike), the bodies and the reads of the samples
 * scenarios, and the storage the data set takes.
 *
 * The data set (`samplesLayout`), all of metric Raw, values with two decimals (20.00..25.06):
 *
 *   bulk       one device with 100 timeseries, one sample a minute: 100,800 each (70 days) in a
 *              full run, 1,440 (1 day) in a quick one; read by `latest` (n=1 of the 100) and
 *              `aggregates` (hourly avg/min/max of 10 of them over the last 30 days, 1 day in a quick run)
 *   deep       one timeseries, one sample every 10 s, 600,000 samples (69 days): read by `read1000`
 *              (page 1 of a range), `readDeep` (page 501 of a range) and `export100k` (100,000 samples)
 *   overwrite  16 devices of 10 timeseries, 64 requests of 1,000 samples written once, then
 *              written again by `overwrite1000`
 *
 * Every write scenario writes to devices of its own (16 per target, 10 timeseries each), a window
 * of new instants per request: request k to a device covers second k of its timeline, sample j of
 * a timeseries at millisecond j of that second (100 or 1,000 per timeseries and request).
 */

require('reflect-metadata');

const { Buffer } = require('node:buffer');
const { randomUUID } = require('node:crypto');
const { gzipSync } = require('node:zlib');

const { fromDist } = require('./dist');
const { pointsOf } = require('./scenarios');

const DAY_MS = 86_400_000;
/** Timeseries per write request (the issue's "10 series a request"). */
const SERIES_PER_REQUEST = 10;
/** Devices each write scenario spreads its requests over, per target. */
const WRITE_DEVICES = 16;
/** How many different pages (ranges, tokens, series groups) a read scenario cycles through. */
const READ_VARIANTS = 16;
/** The page readDeep reads is this many pages of 1,000 deep (page 501). */
const PAGE_DEPTH = 500;
const PAGE = 1000;
const EXPORT_SAMPLES = 100_000;
/** The purpose of the service's samples read tokens, which the benchmark mints for its deep reads. */
const readTokens = () => fromDist('samples/read-position').READ_TOKENS;
/** The measurement and tag of the peers' line protocol: `samples,sid=<timeseriesId> val=<value> <ms>`. */
const LINE_MEASUREMENT = 'samples';
/** Placeholder byte in a body template where a request's instant goes. */
const HOLE = 0x01;

/**
 * Where everything is on the time axis, for a run starting at `nowMs`: the data set ends 10 days
 * before now (VictoriaMetrics refuses samples far in the future), the writes start a day later.
 * @param {boolean} quick
 * @param {number} nowMs
 */
function samplesLayout(quick, nowMs) {
  const endMs = Math.floor((nowMs - 10 * DAY_MS) / DAY_MS) * DAY_MS;
  const bulkCount = quick ? 1_440 : 100_800;
  const deepCount = 600_000;
  const aggregateDays = quick ? 1 : 30;
  return {
    quick,
    endMs,
    bulk: { series: 100, stepMs: 60_000, count: bulkCount, startMs: endMs - bulkCount * 60_000 },
    deep: { stepMs: 10_000, count: deepCount, startMs: endMs - deepCount * 10_000 },
    /** 16 devices × 4 windows: 64 requests of 10 × 100 samples. */
    overwrite: { devices: WRITE_DEVICES, windows: 4, perSeries: 100, baseMs: endMs },
    writeBaseMs: endMs + DAY_MS,
    aggregate: { days: aggregateDays, startMs: endMs - aggregateDays * DAY_MS, endMs },
    total: 100 * bulkCount + deepCount + WRITE_DEVICES * SERIES_PER_REQUEST * 100 * 4,
  };
}

/** @typedef {ReturnType<typeof samplesLayout>} SamplesLayout */

/**
 * A sample's value: a slow triangle wave with a little jitter, two decimals, the same double in
 * JavaScript and in PostgreSQL (`valueSql`).
 * @param {number} g the sample's index in its series
 * @param {number} salt per series
 */
const valueAt = (g, salt) => (2000 + Math.abs(((g + salt) % 1000) - 500) + ((g * 7919) % 7)) / 100;
/** @param {string} g @param {string} salt SQL expressions (bigint) */
const valueSql = (g, salt) => `(2000 + abs(((${g} + ${salt}) % 1000) - 500) + ((${g} * 7919) % 7))::float8 / 100`;

/** `2026-11-22T00:00:00.000Z` */
const iso = (/** @type {number} */ ms) => new Date(ms).toISOString();

/**
 * A body in which only the instants change from request to request: the text with a hole at
 * every instant, filled with one string per request (the request's second). Filling copies the
 * template and the string, so a body of 10,000 samples costs about half a millisecond.
 */
class Template {
  /**
   * @param {string} text with `hole` (a run of \u0001, `width` long) at every instant
   * @param {number} width
   */
  constructor(text, width) {
    this.buffer = Buffer.from(text, 'latin1');
    this.width = width;
    /** @type {number[]} */
    const offsets = [];
    for (let at = this.buffer.indexOf(HOLE); at >= 0; at = this.buffer.indexOf(HOLE, at + width)) offsets.push(at);
    this.offsets = Int32Array.from(offsets);
  }

  /** @param {string} filler `width` characters */
  fill(filler) {
    const out = Buffer.allocUnsafe(this.buffer.length);
    this.buffer.copy(out);
    const piece = Buffer.from(filler, 'latin1');
    if (piece.length !== this.width) throw new Error(`filler ${filler} is not ${this.width} characters`);
    for (const offset of this.offsets) piece.copy(out, offset);
    return out;
  }
}

const hole = (/** @type {number} */ width) => '\u0001'.repeat(width);
/** The second of an instant as the JSON body writes it (`2026-11-22T00:00:05`) and the line protocol (`1795311333`). */
const SECOND_ISO = 19;
const SECOND_EPOCH = 10;

/** A PostgreSQL array literal of text elements, as node-postgres writes an array parameter. */
const arrayLiteral = (/** @type {Array<string | number>} */ items) =>
  `{${items.map((item) => `"${String(item).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',')}}`;

/**
 * The request templates of one device: `perSeries` samples of each of its timeseries, as the
 * service's JSON body, as line protocol for the peers, and as the write statement's values.
 * @param {{ deviceId: string, ids: string[] }} device
 * @param {number} perSeries
 */
function deviceTemplates(device, perSeries) {
  /** @type {string[]} */
  const json = [];
  /** @type {string[]} */
  const lines = [];
  /** @type {string[]} */
  const instants = [];
  /** @type {string[]} */
  const sampleIds = [];
  /** @type {number[]} */
  const values = [];
  device.ids.forEach((id, s) => {
    for (let j = 0; j < perSeries; j++) {
      const value = valueAt(j, s * 13);
      const ms = String(j).padStart(3, '0');
      json.push(`{"timeseriesId":"${id}","val":${value},"timestamp":"${hole(SECOND_ISO)}.${ms}Z"}`);
      lines.push(`${LINE_MEASUREMENT},sid=${id} val=${value} ${hole(SECOND_EPOCH)}${ms}\n`);
      instants.push(`${hole(SECOND_EPOCH)}${ms}000`);
      sampleIds.push(id);
      values.push(value);
    }
  });
  return {
    json: new Template(`[${json.join(',')}]`, SECOND_ISO),
    lines: new Template(lines.join(''), SECOND_EPOCH),
    /** Epoch microseconds, as the service binds them. */
    instants: new Template(`{${instants.join(',')}}`, SECOND_EPOCH),
    /** The write statement's other values, the same for every request of the device. */
    fixed: {
      timeseriesIds: device.ids,
      sampleTimeseriesIds: arrayLiteral(sampleIds),
      metrics: arrayLiteral(sampleIds.map(() => 0)),
      values: arrayLiteral(values),
      // The stream event's payload as the service makes it (src/samples/samples.service.ts), but the
      // instants, which differ per request: `${eventHead}[instants]${eventTail}`.
      eventHead: `{"t":${JSON.stringify(device.ids)},"i":${JSON.stringify(sampleIds.map((id) => device.ids.indexOf(id)))},"m":${JSON.stringify(sampleIds.map(() => 0))},"us":`,
      eventTail: `,"v":${JSON.stringify(values)}}`,
    },
  };
}

/**
 * The requests of a write scenario for one target, in turn over its devices: request k goes to
 * device k mod D and covers second floor(k / D) of the timeline from `baseMs` (modulo `windows`:
 * the same samples again). `next()` gives the next request's body (or statement values); with
 * `gzip`, bodies are compressed, ahead of the run by `prefill(n)` so the load generator does not
 * spend the run compressing (what is not prefilled is compressed on the fly and counted).
 * @param {{ devices: Array<{ deviceId: string, ids: string[] }>, perSeries: number, baseMs: number, windows?: number, format: 'json' | 'lines' | 'pg', gzip?: boolean }} options
 */
function writeSequence({ devices, perSeries, baseMs, windows = Infinity, format, gzip = false }) {
  const templates = devices.map((device) => deviceTemplates(device, perSeries));
  let k = 0;
  /** @type {Array<{ deviceId: string, body: Buffer }>} */
  const ahead = [];
  let compressedOnTheFly = 0;
  const make = () => {
    const d = k % devices.length;
    const window = Math.floor(k / devices.length) % windows;
    k++;
    const secondMs = baseMs + window * 1000;
    const t = templates[d];
    if (format === 'pg') {
      return {
        deviceId: devices[d].deviceId,
        instants: t.instants.fill(String(Math.floor(secondMs / 1000)).padStart(SECOND_EPOCH, '0')).toString('latin1'),
        fixed: t.fixed,
      };
    }
    const raw =
      format === 'json'
        ? t.json.fill(iso(secondMs).slice(0, SECOND_ISO))
        : t.lines.fill(String(Math.floor(secondMs / 1000)).padStart(SECOND_EPOCH, '0'));
    return { deviceId: devices[d].deviceId, body: gzip ? gzipSync(raw) : raw };
  };
  return {
    /** @returns {any} */
    next() {
      const queued = ahead.shift();
      if (queued) return queued;
      if (gzip) compressedOnTheFly++;
      return make();
    },
    /** @param {number} count */
    prefill(count) {
      while (ahead.length < count) ahead.push(/** @type {any} */ (make()));
    },
    get compressedOnTheFly() {
      return compressedOnTheFly;
    },
    samplesPerRequest: devices[0].ids.length * perSeries,
  };
}

/**
 * The devices and timeseries of the samples scenarios, registered with the service's own
 * statement, and their timeseries ids and series keys.
 * @param {import('pg').Client} client
 * @param {any} sql the db loop's statements (registerPoints)
 * @param {(client: import('pg').Client, sql: any, request: object) => Promise<number>} registerPoints
 * @param {{ runTag: string, collection: string, writeGroups: string[] }} options
 */
async function registerSampleDevices(client, sql, registerPoints, { runTag, collection, writeGroups }) {
  const prefix = `bench-${runTag}-samples`;
  /** @type {Array<[string, number]>} */
  const wanted = [
    [`${prefix}-bulk`, 100],
    [`${prefix}-deep`, 1],
    ...Array.from({ length: WRITE_DEVICES }, (_, i) => /** @type {[string, number]} */ ([`${prefix}-ow-${i}`, 10])),
    ...writeGroups.flatMap((group) =>
      Array.from(
        { length: WRITE_DEVICES },
        (_, i) => /** @type {[string, number]} */ ([`${prefix}-${group}-${i}`, 10]),
      ),
    ),
  ];
  for (const [deviceId, count] of wanted) {
    const points = pointsOf(count);
    await registerPoints(client, sql, {
      deviceId,
      collectionId: collection,
      ids: points.map((p) => p.id),
      types: points.map((p) => p.pointType),
    });
  }
  const { rows } = await client.query(
    `SELECT device_id, id::text AS id, series_key FROM timeseries WHERE device_id = ANY($1::text[]) ORDER BY device_id, point_id`,
    [wanted.map(([deviceId]) => deviceId)],
  );
  /** @type {Map<string, { deviceId: string, ids: string[], keys: number[] }>} */
  const devices = new Map(wanted.map(([deviceId]) => [deviceId, { deviceId, ids: [], keys: [] }]));
  for (const row of rows) {
    const device = /** @type {{ ids: string[], keys: number[] }} */ (devices.get(row.device_id));
    device.ids.push(row.id);
    device.keys.push(Number(row.series_key));
  }
  const get = (/** @type {string} */ id) =>
    /** @type {{ deviceId: string, ids: string[], keys: number[] }} */ (devices.get(id));
  return {
    bulk: get(`${prefix}-bulk`),
    deep: get(`${prefix}-deep`),
    overwrite: Array.from({ length: WRITE_DEVICES }, (_, i) => get(`${prefix}-ow-${i}`)),
    /** @type {Record<string, Array<{ deviceId: string, ids: string[], keys: number[] }>>} */
    writes: Object.fromEntries(
      writeGroups.map((group) => [
        group,
        Array.from({ length: WRITE_DEVICES }, (_, i) => get(`${prefix}-${group}-${i}`)),
      ]),
    ),
  };
}

/** @typedef {Awaited<ReturnType<typeof registerSampleDevices>>} SampleDevices */

/** Devices of a peer's write scenario: names only, 10 new timeseries ids each. */
function peerDevices(/** @type {string} */ group) {
  return Array.from({ length: WRITE_DEVICES }, (_, i) => ({
    deviceId: `${group}-${i}`,
    ids: Array.from({ length: SERIES_PER_REQUEST }, () => randomUUID()),
  }));
}

/**
 * The monthly partitions of the data set's months and the next ones, created as the service
 * creates them (src/series/sample-partitions.ts), so no measured write creates one.
 * @param {import('pg').Client} client
 * @param {number} fromMs
 * @param {number} toMs
 */
async function createPartitions(client, fromMs, toMs) {
  const { monthOf, nextMonth, partitionName } = fromDist('series/sample-partitions');
  const startOf = (/** @type {{ year: number, month: number }} */ m) =>
    `${m.year}-${String(m.month).padStart(2, '0')}-01T00:00:00Z`;
  /** @type {string[]} */
  const names = [];
  for (let month = monthOf(fromMs * 1000); Date.parse(startOf(month)) < toMs; month = nextMonth(month)) {
    const name = partitionName(month);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${name}" PARTITION OF sample FOR VALUES FROM ('${startOf(month)}') TO ('${startOf(nextMonth(month))}')`,
    );
    names.push(name);
  }
  return names;
}

/**
 * Loads the data set into PostgreSQL: one INSERT ... SELECT generate_series per timeseries, on
 * two connections, into the real `sample` table (so through its partitions and primary key, in
 * key order as the writes append). The overwrite fixture is written with the service's own write
 * statement. Then VACUUM (ANALYZE) and CHECKPOINT.
 * @param {string} url
 * @param {SamplesLayout} layout
 * @param {SampleDevices} devices
 * @param {(client: import('pg').Client, values: any) => Promise<unknown>} writeWithStatement
 * @param {(settings: any, count: number) => Promise<import('pg').Client[]>} connectClients
 */
async function preloadPostgres(url, layout, devices, writeWithStatement, connectClients) {
  const clients = await connectClients({ url, statementTimeoutMs: 0, prepared: false }, 2);
  try {
    const [first] = clients;
    const partitions = await createPartitions(
      first,
      Math.min(layout.bulk.startMs, layout.deep.startMs),
      Date.now() + 62 * DAY_MS,
    );
    for (const name of partitions) await first.query(`ALTER TABLE "${name}" SET (autovacuum_enabled = false)`);
    for (const client of clients) await client.query('SET synchronous_commit = off');
    const jobs = [
      ...devices.bulk.keys.map((key, s) => ({ key, salt: s * 13, ...layout.bulk })),
      { key: devices.deep.keys[0], salt: 0, ...layout.deep },
    ];
    let next = 0;
    await Promise.all(
      clients.map(async (client) => {
        while (next < jobs.length) {
          const job = jobs[next++];
          await client.query(
            `INSERT INTO sample (series_key, metric, ts, val)
             SELECT $1::int4, 0::int2, $2::timestamptz + g * $3::interval, ${valueSql('g', '$4::bigint')}
             FROM generate_series(0::bigint, $5::bigint - 1) AS g`,
            [job.key, iso(job.startMs), `${job.stepMs} milliseconds`, job.salt, job.count],
          );
        }
      }),
    );
    const fixture = writeSequence({
      devices: devices.overwrite,
      perSeries: layout.overwrite.perSeries,
      baseMs: layout.overwrite.baseMs,
      windows: layout.overwrite.windows,
      format: 'pg',
    });
    for (let i = 0; i < layout.overwrite.devices * layout.overwrite.windows; i++) {
      await writeWithStatement(first, fixture.next());
    }
    await first.query('VACUUM (ANALYZE) sample');
    await first.query('CHECKPOINT').catch(() => undefined);
    return partitions;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
  }
}

/**
 * The data set as line protocol, in bodies of `linesPerBody` lines (the same samples as the
 * PostgreSQL preload, plus the overwrite fixture's 64 requests).
 * @param {SamplesLayout} layout
 * @param {SampleDevices} devices
 * @param {number} linesPerBody
 * @returns {Generator<Buffer>}
 */
function* preloadLines(layout, devices, linesPerBody) {
  /** @type {string[]} */
  let lines = [];
  const series = [
    ...devices.bulk.ids.map((id, s) => ({ id, salt: s * 13, ...layout.bulk })),
    { id: devices.deep.ids[0], salt: 0, ...layout.deep },
  ];
  for (const s of series) {
    const prefix = `${LINE_MEASUREMENT},sid=${s.id} val=`;
    for (let g = 0; g < s.count; g++) {
      lines.push(`${prefix}${valueAt(g, s.salt)} ${s.startMs + g * s.stepMs}\n`);
      if (lines.length === linesPerBody) {
        yield Buffer.from(lines.join(''), 'latin1');
        lines = [];
      }
    }
  }
  if (lines.length > 0) yield Buffer.from(lines.join(''), 'latin1');
  const fixture = writeSequence({
    devices: devices.overwrite,
    perSeries: layout.overwrite.perSeries,
    baseMs: layout.overwrite.baseMs,
    windows: layout.overwrite.windows,
    format: 'lines',
  });
  for (let i = 0; i < layout.overwrite.devices * layout.overwrite.windows; i++) yield fixture.next().body;
}

/**
 * What the sample table takes in PostgreSQL: per partition its heap (pg_relation_size, the main
 * fork) and its indexes (pg_indexes_size), over the rows it holds; also everything
 * (pg_total_relation_size: with the free space and visibility maps).
 * @param {import('pg').Client} client
 */
async function postgresStorage(client) {
  const { rows } = await client.query(`
    SELECT c.relname AS name, pg_relation_size(c.oid)::float8 AS heap, pg_indexes_size(c.oid)::float8 AS indexes,
           pg_total_relation_size(c.oid)::float8 AS total
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'sample'::regclass ORDER BY c.relname`);
  const {
    rows: [{ count }],
  } = await client.query('SELECT count(*)::float8 AS count FROM sample');
  const heap = rows.reduce((sum, row) => sum + row.heap, 0);
  const indexes = rows.reduce((sum, row) => sum + row.indexes, 0);
  const total = rows.reduce((sum, row) => sum + row.total, 0);
  return {
    samples: count,
    heapBytes: heap,
    indexBytes: indexes,
    totalBytes: total,
    bytesPerSample: count ? Math.round(((heap + indexes) / count) * 10) / 10 : null,
    heapBytesPerSample: count ? Math.round((heap / count) * 10) / 10 : null,
    indexBytesPerSample: count ? Math.round((indexes / count) * 10) / 10 : null,
    partitions: rows.length,
  };
}

/**
 * The reads of the samples scenarios, as each target asks them: the service's and bare's URLs and
 * headers, the db loop's parameters, and the instants the peers' queries need.
 * @param {SamplesLayout} layout
 * @param {SampleDevices} devices
 * @param {string} continuationSecret
 */
function sampleReads(layout, devices, continuationSecret) {
  const { ContinuationTokens } = fromDist('common/continuation-token');
  const tokens = new ContinuationTokens(Buffer.from(continuationSecret));
  const { deep, bulk } = layout;
  const deepId = devices.deep.ids[0];
  const deepEndMs = deep.startMs + deep.count * deep.stepMs;
  const at = (/** @type {number} */ index) => deep.startMs + index * deep.stepMs;
  const base = (/** @type {string} */ deviceId, /** @type {string} */ route) =>
    `/apollo/devices/${encodeURIComponent(deviceId)}/timeseries/samples${route}`;
  const ids = (/** @type {string[]} */ list) => list.map((id) => `timeseries_ids=${id}`).join('&');

  /** Page 1 of a range of the deep timeseries starting at sample `first`. */
  const page = (/** @type {number} */ first) => ({
    id: deepId,
    stepMs: deep.stepMs,
    startMs: at(first),
    endMs: deepEndMs,
    firstIndex: first,
    path: `${base(devices.deep.deviceId, '')}?${ids([deepId])}&startTime=${iso(at(first))}&endTime=${iso(deepEndMs)}&paginated=true&limit=${PAGE}`,
  });
  /**
   * Page `PAGE_DEPTH + 1 + v` of the range from the deep timeseries' first sample: the token the
   * service would have issued at the end of the page before (its position: the last sample's
   * instant in µs, timeseries id and metric), signed with the run's CONTINUATION_SECRET.
   */
  const deepPage = (/** @type {number} */ v) => {
    const last = (PAGE_DEPTH + v) * PAGE - 1;
    const context = [devices.deep.deviceId, [deepId], null, deep.startMs * 1000, deepEndMs * 1000, false, true];
    return {
      ...page(0),
      firstIndex: last + 1,
      afterMs: at(last),
      headers: {
        continuationtoken: tokens.issue(readTokens(), context, { t: at(last) * 1000, i: deepId, m: 0 }),
      },
    };
  };
  const exportRange = (/** @type {number} */ v) => ({
    id: deepId,
    stepMs: deep.stepMs,
    startMs: at(v * EXPORT_SAMPLES),
    endMs: at((v + 1) * EXPORT_SAMPLES),
    firstIndex: v * EXPORT_SAMPLES,
    path: `${base(devices.deep.deviceId, '')}?${ids([deepId])}&startTime=${iso(at(v * EXPORT_SAMPLES))}&endTime=${iso(at((v + 1) * EXPORT_SAMPLES))}`,
  });
  const groups = Array.from({ length: bulk.series / 10 }, (_, g) => devices.bulk.ids.slice(g * 10, g * 10 + 10));
  const groupKeys = Array.from({ length: bulk.series / 10 }, (_, g) => devices.bulk.keys.slice(g * 10, g * 10 + 10));
  const { aggregate } = layout;

  return {
    deepId,
    deepKey: devices.deep.keys[0],
    deepDevice: devices.deep.deviceId,
    bulkDevice: devices.bulk.deviceId,
    bulkIds: devices.bulk.ids,
    bulkKeys: devices.bulk.keys,
    bulkEndMs: bulk.startMs + bulk.count * bulk.stepMs,
    read1000: Array.from({ length: READ_VARIANTS }, (_, v) => page(v * PAGE)),
    readDeep: Array.from({ length: READ_VARIANTS }, (_, v) => deepPage(v)),
    export100k: Array.from({ length: 4 }, (_, v) => exportRange(v)),
    latest: [
      {
        ids: devices.bulk.ids,
        keys: devices.bulk.keys,
        endMs: bulk.startMs + bulk.count * bulk.stepMs,
        path: `${base(devices.bulk.deviceId, '/latest')}?${ids(devices.bulk.ids)}&n=1`,
      },
    ],
    aggregates: groups.map((group, g) => ({
      ids: group,
      keys: groupKeys[g],
      startMs: aggregate.startMs,
      endMs: aggregate.endMs,
      path: `${base(devices.bulk.deviceId, '/aggregates')}?${ids(group)}&startTime=${iso(aggregate.startMs)}&endTime=${iso(aggregate.endMs)}&granularity=PT1H&aggregates=avg,min,max`,
    })),
    /** The token minted for a position, to compare with one the service issued (see checkSampleReads). */
    tokenAfter: (/** @type {number} */ index, /** @type {number} */ startIndex) =>
      tokens.issue(
        readTokens(),
        [devices.deep.deviceId, [deepId], null, at(startIndex) * 1000, deepEndMs * 1000, false, true],
        { t: at(index) * 1000, i: deepId, m: 0 },
      ),
    valueOfDeep: (/** @type {number} */ index) => valueAt(index, 0),
    aggregateBuckets: aggregate.days * 24,
  };
}

/** @typedef {ReturnType<typeof sampleReads>} SampleReads */

module.exports = {
  DAY_MS,
  SERIES_PER_REQUEST,
  WRITE_DEVICES,
  READ_VARIANTS,
  PAGE_DEPTH,
  EXPORT_SAMPLES,
  LINE_MEASUREMENT,
  readTokens,
  samplesLayout,
  valueAt,
  iso,
  arrayLiteral,
  writeSequence,
  registerSampleDevices,
  peerDevices,
  createPartitions,
  preloadPostgres,
  preloadLines,
  postgresStorage,
  sampleReads,
};
