'use strict';

/**
 * Before anything is measured: the service and the bare server must answer the same requests
 * with the same status codes and the same envelope shape, or the comparison means nothing.
 */

const { request } = require('./http-client');
const { pointsOf } = require('./scenarios');

/**
 * The shape of a JSON value: its keys (in order) and value types, not its values.
 * @param {unknown} value
 * @returns {unknown}
 */
function shapeOf(value) {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shapeOf(item)]));
  }
  return value === null ? 'null' : typeof value;
}

/**
 * @typedef {object} Case
 * @property {string} name
 * @property {(device: string) => { method: string, path: string, headers?: Record<string, string>, body?: string }} build
 * @property {string} [setup] a body to POST to the device first
 * @property {boolean} [compareShape] compare the whole body's shape (successes)
 */

/**
 * Runs the same cases against both servers; returns one line per case.
 * @param {{ service: string, bare: string }} urls
 * @param {{ writer: string, reader: string, collection: string }} auth
 */
async function checkConformance(urls, auth) {
  const json = { 'content-type': 'application/json' };
  const asWriter = { ...json, authorization: `Bearer ${auth.writer}`, ercollectionid: auth.collection };
  const seed = JSON.stringify([
    { id: 'PointId1', pointType: 'temperature' },
    { id: 'PointId2', pointType: 'humidity' },
  ]);
  const post =
    (/** @type {string} */ body, headers = asWriter) =>
    (/** @type {string} */ device) => ({
      method: 'POST',
      path: `/apollo/devices/${encodeURIComponent(device)}/timeseries`,
      headers,
      body,
    });
  const get =
    (/** @type {string} */ query, headers = asWriter) =>
    (/** @type {string} */ device) => ({
      method: 'GET',
      path: `/apollo/devices/${encodeURIComponent(device)}/timeseries${query}`,
      headers,
    });

  /** @type {Case[]} */
  const cases = [
    { name: 'seed request (new device)', build: post(seed), compareShape: true },
    { name: 'seed request again (idempotent)', setup: seed, build: post(seed), compareShape: true },
    {
      name: 'point exists with another type',
      setup: seed,
      build: post(JSON.stringify([{ id: 'PointId1', pointType: 'humidity' }])),
    },
    { name: 'empty array', build: post('[]') },
    { name: 'not an array', build: post('{"id":"a","pointType":"b"}') },
    { name: 'unknown field', build: post(JSON.stringify([{ id: 'a', pointType: 'b', extra: 1 }])) },
    { name: 'number as id', build: post(JSON.stringify([{ id: 1, pointType: 'b' }])) },
    { name: 'control character', build: post(JSON.stringify([{ id: 'a\u0001', pointType: 'b' }])) },
    { name: 'blank pointType', build: post(JSON.stringify([{ id: 'a', pointType: '   ' }])) },
    {
      name: 'duplicate ids',
      build: post(
        JSON.stringify([
          { id: 'a', pointType: 'b' },
          { id: 'a', pointType: 'b' },
        ]),
      ),
    },
    { name: '1001 points', build: post(JSON.stringify(pointsOf(1001))) },
    { name: 'malformed JSON', build: post('[{"id":') },
    { name: 'text/plain body', build: post(seed, { ...asWriter, 'content-type': 'text/plain' }) },
    { name: 'no token', build: post(seed, json) },
    { name: 'garbage token', build: post(seed, { ...asWriter, authorization: 'Bearer abc.def.ghi' }) },
    {
      name: 'read-only token',
      build: post(seed, { ...asWriter, authorization: `Bearer ${auth.reader}` }),
    },
    { name: 'foreign erCollectionId', build: post(seed, { ...asWriter, ercollectionid: 'someone-else' }) },
    { name: 'list a page (limit=1)', setup: seed, build: get('?limit=1'), compareShape: true },
    { name: 'list with limit=0', setup: seed, build: get('?limit=0') },
    { name: 'list with an unknown parameter', setup: seed, build: get('?color=red') },
    { name: 'list an unknown device', build: get('') },
    { name: 'unknown route', build: (device) => ({ method: 'GET', path: `/apollo/nothing/${device}` }) },
  ];

  const lines = [];
  let index = 0;
  for (const testCase of cases) {
    /** @type {Record<string, { status: number, shape: string, wwwAuthenticate: boolean }>} */
    const seen = {};
    for (const [target, base] of Object.entries(urls)) {
      const device = `conformance-${target}-${index}`;
      if (testCase.setup) await request(`${base}${post(testCase.setup)(device).path}`, post(testCase.setup)(device));
      const spec = testCase.build(device);
      const response = await request(`${base}${spec.path}`, spec);
      const body = response.json;
      seen[target] = {
        status: response.status,
        shape: JSON.stringify(
          testCase.compareShape ? shapeOf(body) : shapeOf({ status: body?.status, data: body?.data }),
        ),
        wwwAuthenticate: response.headers['www-authenticate'] !== undefined,
      };
    }
    index++;
    const { service, bare } = seen;
    const same =
      service.status === bare.status &&
      service.shape === bare.shape &&
      service.wwwAuthenticate === bare.wwwAuthenticate;
    lines.push({ case: testCase.name, service: service.status, bare: bare.status, same });
  }
  return lines;
}

module.exports = { checkConformance, shapeOf };
