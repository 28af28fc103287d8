'use strict';

/** Figures of a measured run, computed the same way for every target. */

/**
 * The `q` quantile (0..1) of sorted values, by the nearest-rank method.
 * @param {number[]} sorted ascending
 * @param {number} q
 */
function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Requests/s, points/s and latency quantiles (ms) of completed requests.
 * @param {number[]} latenciesMs one per completed request
 * @param {number} elapsedS
 * @param {number} pointsPerRequest
 */
function summarize(latenciesMs, elapsedS, pointsPerRequest) {
  const sorted = Float64Array.from(latenciesMs).sort();
  const rps = latenciesMs.length / elapsedS;
  return {
    requests: latenciesMs.length,
    durationS: round(elapsedS, 2),
    rps: round(rps, 1),
    pointsPerS: Math.round(rps * pointsPerRequest),
    p50Ms: round(quantile(/** @type {any} */ (sorted), 0.5), 2),
    p99Ms: round(quantile(/** @type {any} */ (sorted), 0.99), 2),
  };
}

/**
 * @param {number} value
 * @param {number} digits
 */
function round(value, digits) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * The mean of each numeric figure over runs (A B A B: the two runs of one target).
 * @param {Array<Record<string, number>>} runs
 * @param {string[]} keys
 */
function meanOf(runs, keys) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const key of keys) out[key] = runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
  return out;
}

module.exports = { quantile, summarize, round, meanOf };
