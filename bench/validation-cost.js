'use strict';

/**
 * What validating a large POST body costs, measured in-process on an idle core: the service's pipe
 * as built (PointListPipe), class-validator alone on every item (PointDto, the declared contract),
 * and the same rules as a JSON schema compiled by Ajv (what the bare server uses), with JSON.parse
 * for scale.
 */

require('reflect-metadata');

const { Buffer } = require('node:buffer');
const { performance } = require('node:perf_hooks');

const Ajv = require('ajv');
const { plainToInstance } = require('class-transformer');
const { validateSync } = require('class-validator');

const { pointListSchema } = require('./bare-server');
const { fromDist } = require('./dist');
const { pointsOf } = require('./scenarios');
const { quantile, round } = require('./stats');

/**
 * Median and mean time (ms) of `fn`, after a warm-up, over at least `minTimeMs`.
 * @param {() => unknown} fn
 * @param {number} minTimeMs
 */
function time(fn, minTimeMs) {
  for (let i = 0; i < 30; i++) fn();
  /** @type {number[]} */
  const samples = [];
  const end = performance.now() + minTimeMs;
  while (performance.now() < end || samples.length < 20) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return {
    medianMs: round(quantile(samples, 0.5), 3),
    meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length, 3),
    runs: samples.length,
  };
}

/**
 * @param {{ points: number, minTimeMs: number }} options
 */
function measureValidationCost({ points, minTimeMs }) {
  const { loadConfig } = fromDist('config/config');
  const { PointListPipe } = fromDist('devices/pipes/point-list.pipe');
  const { PointDto } = fromDist('devices/dto/point.dto');
  const { VALIDATOR_OPTIONS } = fromDist('common/validation');
  const config = loadConfig({});
  const pipe = new PointListPipe(config);
  const text = JSON.stringify(pointsOf(points));
  const body = JSON.parse(text);

  const validate = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false }).compile(
    pointListSchema(config.limits.maxPointsPerRequest),
  );
  if (!validate(body)) throw new Error('the benchmark body does not pass the JSON schema');
  pipe.transform(body);
  const classValidator = () => {
    for (const item of body) {
      if (validateSync(plainToInstance(PointDto, item), VALIDATOR_OPTIONS).length > 0) throw new Error('invalid');
    }
  };
  classValidator();

  const pointListPipe = time(() => pipe.transform(body), minTimeMs);
  return {
    points,
    bodyBytes: Buffer.byteLength(text),
    jsonParse: time(() => JSON.parse(text), minTimeMs),
    pointListPipe,
    classValidator: time(classValidator, minTimeMs),
    ajvSchema: time(() => validate(body), minTimeMs),
  };
}

/**
 * The same for a samples write of `samples` samples (10 timeseries): the service's SampleListPipe
 * (validation and conversion in one pass: instants parsed, duplicates refused), and for scale
 * JSON.parse of the body and the bare server's JSON schema compiled by Ajv (which checks the
 * shape only; bare then parses the instants as the pipe does).
 * @param {{ samples: number, minTimeMs: number }} options
 */
function measureSampleValidationCost({ samples, minTimeMs }) {
  const { loadConfig } = fromDist('config/config');
  const { SampleListPipe } = fromDist('samples/pipes/sample-list.pipe');
  const { sampleListSchema } = require('./bare-samples');
  const config = loadConfig({});
  const pipe = new SampleListPipe(config);
  const perSeries = Math.ceil(samples / 10);
  const ids = Array.from({ length: 10 }, (_, i) => `0b5bd0a4-4c7e-4a8c-9d0c-${String(i).padStart(12, '0')}`);
  const start = Date.UTC(2026, 10, 1);
  const text = JSON.stringify(
    ids
      .flatMap((timeseriesId, s) =>
        Array.from({ length: perSeries }, (_, j) => ({
          timeseriesId,
          val: 20 + ((j + s) % 500) / 100,
          timestamp: new Date(start + j).toISOString(),
        })),
      )
      .slice(0, samples),
  );
  const body = JSON.parse(text);
  const validate = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false }).compile(
    sampleListSchema(config.limits.maxSamplesPerRequest),
  );
  if (!validate(body)) throw new Error('the benchmark body does not pass the JSON schema');
  if (pipe.transform(body).instants.length !== samples) throw new Error('the pipe lost samples');
  return {
    samples,
    bodyBytes: Buffer.byteLength(text),
    jsonParse: time(() => JSON.parse(text), minTimeMs),
    sampleListPipe: time(() => pipe.transform(body), minTimeMs),
    ajvSchema: time(() => validate(body), minTimeMs),
  };
}

module.exports = { measureValidationCost, measureSampleValidationCost };
