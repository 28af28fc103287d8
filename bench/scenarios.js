'use strict';

/**
 * The workloads of the benchmark, described once and used by all three targets: the service and
 * the bare server over HTTP (autocannon), and the database loop (the same SQL, no HTTP).
 */

const { randomBytes } = require('node:crypto');

/** Devices of `same100`: more than the 16 connections, so two requests rarely meet on one device's lock. */
const SAME_DEVICES = 64;
/** Points of the device `list100` reads: more than a page, so every answer carries a continuation token. */
const LIST_DEVICE_POINTS = 200;
const POINT_TYPES = ['temperature', 'humidity', 'co2', 'occupancy'];

/**
 * @typedef {object} Scenario
 * @property {string} name
 * @property {'register' | 'list' | 'samples'} kind
 * @property {number} points points per request: posted (register) or returned (list); samples
 *   written or answered (samples; for `aggregates` the samples aggregated, set for the run's data set)
 * @property {'new' | 'same' | 'page'} [devices] `new`: every request a new device; `same`: devices
 *   registered beforehand, posted again (the idempotent path); `page`: one device read page by page
 * @property {'write' | 'overwrite' | 'read1000' | 'readDeep' | 'export100k' | 'latest' | 'aggregates'} [op] samples only
 * @property {number} [perSeries] samples per timeseries of a write (10 timeseries a request)
 * @property {boolean} [gzip] a write sent with Content-Encoding: gzip
 * @property {number} [connections] HTTP connections (and db clients) of every target, when not 16
 * @property {string} description
 */

/** @type {Scenario[]} */
const SCENARIOS = [
  { name: 'new1', kind: 'register', points: 1, devices: 'new', description: 'every request a new device, 1 point' },
  {
    name: 'new100',
    kind: 'register',
    points: 100,
    devices: 'new',
    description: 'every request a new device, 100 points',
  },
  {
    name: 'new1000',
    kind: 'register',
    points: 1000,
    devices: 'new',
    description: 'every request a new device, 1000 points',
  },
  {
    name: 'same100',
    kind: 'register',
    points: 100,
    devices: 'same',
    description: `the same 100 points again (idempotent path), round robin over ${SAME_DEVICES} registered devices`,
  },
  {
    name: 'list100',
    kind: 'list',
    points: 100,
    devices: 'page',
    description: `GET a page of 100 (limit=100) of a device with ${LIST_DEVICE_POINTS} points`,
  },
  {
    name: 'write1000',
    kind: 'samples',
    op: 'write',
    points: 1000,
    perSeries: 100,
    description: 'POST 1,000 samples: 10 timeseries × 100 new instants, round robin over 16 devices',
  },
  {
    name: 'write10000',
    kind: 'samples',
    op: 'write',
    points: 10_000,
    perSeries: 1000,
    description: 'POST 10,000 samples: 10 timeseries × 1,000 new instants, round robin over 16 devices',
  },
  {
    name: 'overwrite1000',
    kind: 'samples',
    op: 'overwrite',
    points: 1000,
    perSeries: 100,
    description: 'POST the same 1,000 samples again (stored beforehand): 64 requests in turn over 16 devices',
  },
  {
    name: 'gzip10000',
    kind: 'samples',
    op: 'write',
    points: 10_000,
    perSeries: 1000,
    gzip: true,
    description: 'write10000 with Content-Encoding: gzip (bodies compressed before the run)',
  },
  {
    name: 'read1000',
    kind: 'samples',
    op: 'read1000',
    points: 1000,
    description: 'GET page 1 (paginated=true, limit=1000) of one timeseries from a range, 16 ranges in turn',
  },
  {
    name: 'readDeep',
    kind: 'samples',
    op: 'readDeep',
    points: 1000,
    description: 'GET page 501 of 1,000 (500 pages deep, by its ContinuationToken) of the same timeseries',
  },
  {
    name: 'export100k',
    kind: 'samples',
    op: 'export100k',
    points: 100_000,
    // An answer holds a pool connection for its whole stream (about a second of CPU on each side):
    // 16 at once would queue 6 behind the pool of 10 past its 5 s connect timeout (503), and 4
    // already keep both cores busy.
    connections: 4,
    description: 'GET paginated=false: the 100,000 samples of a range, streamed, 4 ranges in turn (4 connections)',
  },
  {
    name: 'latest',
    kind: 'samples',
    op: 'latest',
    points: 100,
    description: 'GET latest n=1 of 100 timeseries of one device',
  },
  {
    name: 'aggregates',
    kind: 'samples',
    op: 'aggregates',
    points: 432_000,
    // About a second of PostgreSQL CPU an answer on this build (its JIT compiles the statement
    // every time: see bench/notes.md): 16 at once would wait for the pool past its connect timeout.
    connections: 4,
    description:
      'GET hourly avg, min, max over 30 days of minute samples of 10 timeseries, 10 groups in turn (4 connections)',
  },
];

/**
 * `count` points as the API takes them; ids sort in registration order.
 * @param {number} count
 * @returns {Array<{ id: string, pointType: string }>}
 */
function pointsOf(count) {
  return Array.from({ length: count }, (_, i) => ({
    id: `point-${String(i).padStart(5, '0')}`,
    pointType: POINT_TYPES[i % POINT_TYPES.length],
  }));
}

/**
 * Device ids that never repeat within a run, whatever target asks for them.
 * @param {string} prefix
 */
function deviceSequence(prefix) {
  const tag = `${prefix}-${randomBytes(4).toString('hex')}-`;
  let next = 0;
  return () => `${tag}${next++}`;
}

/**
 * Round robin over a fixed list.
 * @template T
 * @param {readonly T[]} items
 */
function roundRobin(items) {
  let next = 0;
  return () => items[next++ % items.length];
}

/** Ids of the devices prepared for `same100` and `list100`, for a run tagged `runTag`. */
function fixtureDevices(runTag) {
  return {
    same: Array.from({ length: SAME_DEVICES }, (_, i) => `bench-${runTag}-same-${i}`),
    list: `bench-${runTag}-list`,
  };
}

module.exports = {
  SCENARIOS,
  SAME_DEVICES,
  LIST_DEVICE_POINTS,
  pointsOf,
  deviceSequence,
  roundRobin,
  fixtureDevices,
};
