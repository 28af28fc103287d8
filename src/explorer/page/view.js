// @ts-check
// The view in the URL's hash: the device, the selected timeseries and the range, so a view can be
// shared or bookmarked. Never the token.

import { RANGES } from './plan.js';

/**
 * @typedef {import('./plan.js').Range} Range
 * @typedef {{ device: string, series: string[], range: Range }} View
 */

/** @returns {View} */
const defaultView = () => ({ device: '', series: [], range: 'day' });

/**
 * The view a hash names (`#device=…&series=a,b&range=week`, or `from=…&to=…` in ISO 8601); what is
 * missing or malformed takes the default.
 * @param {string} hash
 * @returns {View}
 */
export function parseView(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const view = defaultView();
  view.device = params.get('device') ?? '';
  view.series = (params.get('series') ?? '').split(',').filter(Boolean);
  const named = params.get('range') ?? '';
  const from = Date.parse(params.get('from') ?? '');
  const to = Date.parse(params.get('to') ?? '');
  if (named in RANGES) view.range = /** @type {import('./plan.js').RangeName} */ (named);
  else if (Number.isFinite(from) && Number.isFinite(to) && from < to) view.range = { from, to };
  return view;
}

/**
 * The hash of a view, readable (`:` and `,` need no escaping in a fragment).
 * @param {View} view
 * @returns {string}
 */
export function formatView(view) {
  /** @type {Record<string, string>} */
  const fields = { device: view.device };
  if (view.series.length > 0) fields.series = view.series.join(',');
  if (typeof view.range === 'string') fields.range = view.range;
  else {
    fields.from = new Date(view.range.from).toISOString();
    fields.to = new Date(view.range.to).toISOString();
  }
  return `#${new URLSearchParams(fields).toString().replaceAll('%3A', ':').replaceAll('%2C', ',')}`;
}
