'use strict';
/**
 * The memory checks' shared part: RSS of a fresh service process after `first` and after `second`
 * requests in total, in ten steps, with the V8 heap beside each step and the trend over them.
 */
const { processUsage } = require('./processes');
const { round } = require('./stats');

/** How the RSS figures under load are taken (see sampledRss). */
const RSS_METHOD = 'mean of 100 ms readings over the second half of each step';

/**
 * Sends `first` requests, then nine more steps up to `second`: a plateau is heap sizing, a steady
 * climb is a leak. `load(amount)` runs that many requests and gives autocannon-like figures.
 * @param {import('./processes').ServerProcess} server
 * @param {(amount: number) => Promise<{ rps: number, errors: number }>} load
 * @param {number[]} amounts `[first, second]`
 */
async function rssGrowth(server, load, [first, second]) {
  const startRss = processUsage(/** @type {number} */ (server.child.pid)).rssBytes;
  const { figures: a, rssBytes: rssFirst } = await sampledRss(server, () => load(first));
  /** @type {Array<{ requests: number, rssBytes: number | null, heap?: object }>} */
  const series = [{ requests: first, rssBytes: rssFirst, heap: await heapOf(server) }];
  let done = first;
  let stepErrors = 0;
  let rpsSum = 0;
  for (let step = 1; step <= 9; step++) {
    const target = Math.round(first + ((second - first) * step) / 9);
    const { figures, rssBytes } = await sampledRss(server, () => load(target - done));
    stepErrors += figures.errors;
    rpsSum += figures.rps;
    done = target;
    series.push({ requests: done, rssBytes, heap: await heapOf(server) });
  }
  const rssSecond = series[series.length - 1].rssBytes ?? 0;
  return {
    rssMethod: RSS_METHOD,
    startRssBytes: startRss,
    first: { requests: first, rssBytes: rssFirst, rps: a.rps, errors: a.errors },
    second: { requests: second, rssBytes: rssSecond, rps: round(rpsSum / 9, 1), errors: stepErrors },
    errors: a.errors + stepErrors,
    series,
    trendMbPer10k: trendMbPer10k(series),
    growthPct: round(((rssSecond - rssFirst) / rssFirst) * 100, 1),
  };
}

/**
 * Runs one load step while reading the service's RSS every 100 ms, and gives the mean of the
 * readings over the second half of the step: under this load RSS saws by 40-70 MB within a second
 * or two as V8 collects, so a single reading after the step lands on a peak or a trough by chance.
 * @template T
 * @param {{ child: { pid?: number } }} server
 * @param {() => Promise<T>} step
 * @returns {Promise<{ figures: T, rssBytes: number }>}
 */
async function sampledRss(server, step) {
  /** @type {number[]} */
  const readings = [];
  const timer = setInterval(() => {
    const rss = processUsage(/** @type {number} */ (server.child.pid)).rssBytes;
    if (rss != null) readings.push(rss);
  }, 100);
  try {
    const figures = await step();
    const half = readings.slice(Math.floor(readings.length / 2));
    const rssBytes = half.length
      ? Math.round(half.reduce((sum, value) => sum + value, 0) / half.length)
      : (processUsage(/** @type {number} */ (server.child.pid)).rssBytes ?? 0);
    return { figures, rssBytes };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The V8 heap of the service (used, total) and its memory outside the heap, from its own /metrics
 * (prom-client's process metrics), in MB: tells live objects from heap sizing when RSS moves.
 * @param {{ url: string }} server
 * @returns {Promise<{ usedMb: number, totalMb: number, externalMb: number } | undefined>}
 */
async function heapOf(server) {
  try {
    const response = await fetch(`${server.url}/metrics`);
    if (!response.ok) return undefined;
    const text = await response.text();
    const metric = (/** @type {string} */ name) => {
      const match = new RegExp(`^${name} (\\S+)`, 'm').exec(text);
      return match ? round(Number(match[1]) / 1048576, 1) : NaN;
    };
    return {
      usedMb: metric('nodejs_heap_size_used_bytes'),
      totalMb: metric('nodejs_heap_size_total_bytes'),
      externalMb: metric('nodejs_external_memory_bytes'),
    };
  } catch {
    return undefined;
  }
}

/**
 * The least-squares slope of RSS over requests, in MB per 10,000 requests: near zero when RSS only
 * saw-tooths with garbage collection, steadily positive when something grows per request.
 * @param {Array<{ requests: number, rssBytes: number | null }>} series
 */
function trendMbPer10k(series) {
  const points = series
    .filter((p) => p.rssBytes != null)
    .map((p) => [p.requests / 10_000, Number(p.rssBytes) / 1048576]);
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxy = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return sxx === 0 ? null : round(sxy / sxx, 2);
}

module.exports = { heapOf, rssGrowth, sampledRss, trendMbPer10k };
