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
 * @property {'register' | 'list'} kind
 * @property {number} points points per request: posted (register) or returned (list)
 * @property {'new' | 'same' | 'page'} devices `new`: every request a new device; `same`: devices
 *   registered beforehand, posted again (the idempotent path); `page`: one device read page by page
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
