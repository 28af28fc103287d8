// @ts-check
// Reading a device's timeseries, and a view: the buckets that fit the chart (min, max, average and count of each, answered
// from rollups where the history is packed); when their counts say the range holds few samples,
// every sample instead. One request for a long range, two for a short one.

import { ApiError } from './api.js';
import { browserTimeZone, bucketsOf, drawsEverySample } from './plan.js';

/**
 * @typedef {import('./api.js').Api} Api
 * @typedef {import('./api.js').Series} Series
 * @typedef {import('./chart.js').Content} Content
 * @typedef {import('./chart.js').RawTable} RawTable
 */

/** How many timeseries a newly shown device starts with selected. */
const FIRST_SELECTED = 4;
/** How many pages of timeseries to read looking for the ones a shared view names. */
const PAGES_FOR_A_VIEW = 10;

/**
 * The device's first page of timeseries (more pages while a shared view names one not seen yet), and
 * the selection: the timeseries the view names, or the first few.
 * @param {Api} client
 * @param {string} device
 * @param {string[]} named by the view
 * @param {AbortSignal} signal
 * @returns {Promise<{ series: Series[], next: string | null, selected: Set<string> }>}
 */
export async function listSeries(client, device, named, signal) {
  let page = await client.listSeries(device, null, signal);
  const series = [...page.series];
  const wanted = new Set(named);
  const found = () => series.filter((one) => wanted.has(one.timeseriesId)).length;
  for (let pages = 1; page.next && found() < wanted.size && pages < PAGES_FOR_A_VIEW; pages++) {
    page = await client.listSeries(device, page.next, signal);
    series.push(...page.series);
  }
  const chosen = series.filter((one) => wanted.has(one.timeseriesId));
  const selected = (chosen.length > 0 ? chosen : series.slice(0, FIRST_SELECTED)).map((one) => one.timeseriesId);
  return { series, next: page.next, selected: new Set(selected) };
}

/**
 * The content of the chart for the chosen timeseries over a span.
 * @param {Api} client
 * @param {string} device
 * @param {Series[]} chosen
 * @param {{ from: number, to: number }} span ms
 * @param {number} widthPx the chart's width
 * @param {AbortSignal} signal
 * @returns {Promise<{ content: Content, samples: number, label: string }>}
 */
export async function load(client, device, chosen, span, widthPx, signal) {
  const ids = chosen.map((one) => one.timeseriesId);
  const from = new Date(span.from);
  const to = new Date(span.to);
  const buckets = bucketsOf(span.to - span.from, widthPx);
  const answer = await client.aggregates(device, ids, from, to, buckets.granularity, browserTimeZone(), signal);
  const byId = new Map(answer.map((one) => [one.timeseriesId, one.buckets]));
  const counts = ids.map((id) => (byId.get(id) ?? []).reduce((sum, bucket) => sum + (bucket.count ?? 0), 0));
  const samples = counts.reduce((sum, count) => sum + count, 0);
  if (drawsEverySample(counts, widthPx)) {
    try {
      const rows = samples === 0 ? [] : await client.samples(device, ids, from, to, signal);
      /** @type {Map<string, RawTable>} */
      const tables = new Map(chosen.map((one) => [one.timeseriesId, { series: one, xs: [], ys: [] }]));
      for (const row of rows) {
        const table = tables.get(row.timeseriesId);
        table?.xs.push(row.unixTimestamp / 1000);
        table?.ys.push(row.val);
      }
      return { content: { kind: 'raw', tables: [...tables.values()] }, samples: rows.length, label: '' };
    } catch (error) {
      // More than one unpaginated read may answer (SAMPLES_EXPORT_LIMIT set low): the buckets then.
      if (!(error instanceof ApiError && error.status === 400)) throw error;
    }
  }
  const tables = chosen.map((one) => {
    const own = byId.get(one.timeseriesId) ?? [];
    return {
      series: one,
      xs: own.map((bucket) => Date.parse(bucket.start) / 1000),
      avg: own.map((bucket) => bucket.avg),
      min: own.map((bucket) => bucket.min),
      max: own.map((bucket) => bucket.max),
    };
  });
  return { content: { kind: 'aggregates', granularity: buckets.granularity, tables }, samples, label: buckets.label };
}
