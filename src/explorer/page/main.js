// @ts-check
// The explorer: pick a device and a range, see its timeseries. The token lives in its field only.
// Flow: Show lists the device's timeseries (once per device), reads the range as buckets or every
// sample (load.js) and draws it (chart.js); Live follows the stream (live-view.js, live.js).

import { Api } from './api.js';
import { Chart } from './chart.js';
import { controls, customRange, say, showRange, showSeries, summaryOf } from './controls.js';
import { LiveView } from './live-view.js';
import { listSeries, load } from './load.js';
import { RANGES, spanOf } from './plan.js';
import { formatView, parseView } from './view.js';

const state = {
  /** The device whose timeseries are listed. */
  device: '',
  /** @type {import('./api.js').Series[]} */
  series: [],
  /** @type {string | null} the list's next page */
  next: null,
  /** @type {Set<string>} */
  selected: new Set(),
  /** @type {import('./plan.js').Range} */
  range: 'day',
  /** @type {string[]} the timeseries a view named before its device was listed */
  wanted: [],
};
/** The load in flight: a newer one aborts it. */
let inFlight = new AbortController();
/** @type {{ startedAt: number, samples: number, label: string } | null} the draw being waited for */
let pending = null;
/** @type {string | undefined} the hash last read or written: Back fires popstate and hashchange */
let shownHash;

const chart = new Chart(controls.figure, controls.plot, zoomTo, drawn);
const live = new LiveView(
  chart,
  () => spanOf(state.range, Date.now()),
  () => {
    const client = api();
    if (client && state.device) void plot(client, performance.now(), false);
  },
  () => (controls.live.checked = false),
);

/** The selected timeseries, in the list's order. */
const chosenSeries = () => state.series.filter((one) => state.selected.has(one.timeseriesId));

/** The API with the token of the field, or undefined (and a message) when it is empty. */
function api() {
  const token = controls.token.value.trim();
  if (token) return new Api(token);
  say('Paste a bearer token to see the data (npm run token prints one in development).');
  controls.token.focus();
  return undefined;
}

/** Show: lists the device's timeseries if they are not listed, then plots the selection over the range. */
async function show() {
  const client = api();
  const device = controls.device.value.trim();
  if (!client) return;
  if (!device) {
    say('Enter the id of a device.');
    controls.device.focus();
    return;
  }
  const started = performance.now();
  if (device !== state.device) {
    inFlight.abort();
    inFlight = new AbortController();
    const { signal } = inFlight;
    try {
      // The view's timeseries, or the first few, selected.
      state.device = '';
      const listed = await listSeries(client, device, state.wanted, signal);
      Object.assign(state, listed, { device, wanted: [] });
      showSeries(state.series, state.selected, state.next !== null);
    } catch (error) {
      failed(error, signal);
      return;
    }
  }
  await plot(client, started, true);
}

/**
 * Reads and draws the selected timeseries over the range.
 * @param {Api} client
 * @param {number} started when the user asked (for the figure of the caption)
 * @param {boolean} follow whether to (re)start Live with the new selection
 */
async function plot(client, started, follow) {
  inFlight.abort();
  inFlight = new AbortController();
  const { signal } = inFlight;
  writeView(false);
  const chosen = chosenSeries();
  const span = spanOf(state.range, Date.now());
  if (chosen.length === 0) {
    live.stop();
    pending = null;
    chart.draw({ kind: 'raw', tables: [] }, span);
    controls.summary.textContent = 'Select a timeseries to plot it.';
    return;
  }
  controls.figure.setAttribute('aria-busy', 'true');
  try {
    // Live first: its ticket fixes where the stream starts, then the view is read from after it.
    if (follow && controls.live.checked)
      await live.start(
        client,
        state.device,
        chosen.map((one) => one.timeseriesId),
      );
    if (signal.aborted) return;
    live.hold();
    const { content, samples, label } = await load(client, state.device, chosen, span, chart.width(), signal);
    if (signal.aborted) return;
    say('');
    pending = { startedAt: started, samples, label };
    chart.draw(content, span);
    live.release();
  } catch (error) {
    failed(error, signal);
  } finally {
    if (!signal.aborted) controls.figure.removeAttribute('aria-busy');
  }
}

/**
 * An error of a load that was not replaced by a newer one: said on the page.
 * @param {unknown} error
 * @param {AbortSignal} signal
 */
function failed(error, signal) {
  if (signal.aborted) return;
  live.release(false);
  controls.figure.removeAttribute('aria-busy');
  say(error instanceof Error ? error.message : String(error));
  controls.summary.textContent = 'Not drawn: see the message above.';
}

/** After each draw: the caption of a new chart, with the time from Show to drawn. */
function drawn() {
  if (!pending) return;
  const elapsed = performance.now() - pending.startedAt;
  controls.figure.dataset.renderMs = String(Math.round(elapsed));
  if (chart.content) controls.summary.textContent = summaryOf(chart.content, pending.samples, pending.label, elapsed);
  pending = null;
}

/**
 * A range dragged across the chart: shown as a custom range (Back returns to the previous view).
 * @param {number} from
 * @param {number} to
 */
function zoomTo(from, to) {
  const client = api();
  if (!client) return;
  state.range = { from, to };
  rangeShown();
  writeView(true);
  void plot(client, performance.now(), false);
}

/** Shows the range in the form; Live follows only a range that ends now. */
function rangeShown() {
  showRange(state.range);
  if (typeof state.range !== 'string') live.stop();
}

/** @param {boolean} push a new history entry (a zoom), or replace the current one */
function writeView(push) {
  const hash = formatView({
    device: state.device || controls.device.value.trim(),
    series: chosenSeries().map((one) => one.timeseriesId),
    range: state.range,
  });
  shownHash = hash;
  if (hash === location.hash) return;
  if (push) history.pushState(null, '', hash);
  else history.replaceState(null, '', hash);
}

/** The view of the address (on load, Back, Forward, or an edited hash), shown when a token is there. */
function readView() {
  if (location.hash === shownHash) return;
  shownHash = location.hash;
  const view = parseView(location.hash);
  controls.device.value = view.device;
  state.range = view.range;
  rangeShown();
  const listed = new Set(state.series.map((one) => one.timeseriesId));
  if (view.device !== state.device || view.series.some((id) => !listed.has(id))) {
    state.device = '';
    state.wanted = view.series;
  } else if (view.series.length > 0) {
    state.selected = new Set(view.series);
    showSeries(state.series, state.selected, state.next !== null);
  }
  if (controls.token.value.trim() && view.device) void show();
}

controls.form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (controls.range.value === 'custom') {
    const range = customRange();
    if (!range) return say('Enter a custom range: From before To.');
    state.range = range;
  }
  void show();
});
controls.range.addEventListener('change', () => {
  const value = controls.range.value;
  if (value === 'custom') state.range = spanOf(state.range, Date.now());
  else if (value in RANGES) state.range = /** @type {import('./plan.js').RangeName} */ (value);
  rangeShown();
  if (state.device) void show();
});
for (const field of [controls.from, controls.to]) {
  field.addEventListener('change', () => {
    const range = customRange();
    if (!range) return;
    state.range = range;
    if (state.device) void show();
  });
}
controls.list.addEventListener('change', (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement)) return;
  if (box.checked) state.selected.add(box.value);
  else state.selected.delete(box.value);
  const client = api();
  if (client && state.device) void plot(client, performance.now(), true);
});
controls.more.addEventListener('click', () => {
  const client = api();
  const { device, next } = state;
  if (!client || !next) return;
  controls.more.disabled = true;
  client
    .listSeries(device, next)
    .then((page) => {
      // Another device shown, or this page added already: nothing to add.
      if (state.device !== device || state.next !== next) return;
      const listed = new Set(state.series.map((one) => one.timeseriesId));
      state.series.push(...page.series.filter((one) => !listed.has(one.timeseriesId)));
      state.next = page.next;
      showSeries(state.series, state.selected, state.next !== null);
    })
    .catch((error) => say(error instanceof Error ? error.message : String(error)))
    .finally(() => (controls.more.disabled = false));
});
// Live on reads the view again after the ticket (nothing written since the last read is missed).
controls.live.addEventListener('change', () => {
  const client = controls.live.checked ? api() : undefined;
  if (client && state.device) void plot(client, performance.now(), true);
  else live.stop();
});
window.addEventListener('popstate', readView);
window.addEventListener('hashchange', readView);

readView();
controls.summary.textContent = 'Paste a bearer token, enter a device and press Show.';
controls.token.focus();
