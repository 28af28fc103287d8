// @ts-check
// The explorer: pick a device and a range, see its timeseries. The token lives in its field only.
// Flow: Show lists the device's timeseries (once per device), asks how many samples the range holds
// (stats), then reads raw samples or buckets (plan.js) and draws them (chart.js).

import { Api } from './api.js';
import { Chart } from './chart.js';
import { controls, customRange, say, showRange, showSeries, summaryOf } from './controls.js';
import { LiveFeed } from './live.js';
import { listSeries, load } from './load.js';
import { RANGES, spanOf } from './plan.js';
import { formatView, parseView } from './view.js';

/** How often a live view of buckets is read again (the server's buckets are never stale). */
const LIVE_REFRESH_MS = 5000;

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
/**
 * @type {import('./api.js').Sample[] | null} live samples that came while a view was read: Live starts
 * before the read (nothing written meanwhile is missed), they are added once it is drawn
 */
let held = null;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let refreshTimer;
/** @type {ReturnType<typeof setInterval> | undefined} */
let slideTimer;
/** The hash last read or written: Back fires both popstate and hashchange, the view is read once. */
/** @type {string | undefined} */
let shownHash;

const chart = new Chart(controls.figure, controls.plot, zoomTo, drawn);
const live = new LiveFeed({
  onSamples: (samples) => {
    if (held) held.push(...samples);
    else if (chart.content?.kind === 'raw') chart.append(samples, spanOf(state.range, Date.now()));
    else refreshSoon();
  },
  onResync: refreshSoon,
  onProblem: (message, fatal) => {
    say(message);
    if (fatal) setLive(false);
  },
  onOpen: () => say(''),
});

/** The API with the token of the field, or undefined (and a message) when it is empty. */
function api() {
  const token = controls.token.value.trim();
  if (token) return new Api(token);
  say('Paste a bearer token to see the data (npm run token prints one in development).');
  controls.token.focus();
  return undefined;
}

/** Show: lists the device if it is not listed, then plots the selection over the range. */
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
    try {
      await list(client, device, inFlight.signal);
    } catch (error) {
      failed(error, inFlight.signal);
      return;
    }
  }
  await plot(client, started, true);
}

/**
 * Lists the device's timeseries and selects those the view named, or the first few.
 * @param {Api} client
 * @param {string} device
 * @param {AbortSignal} signal
 */
async function list(client, device, signal) {
  state.device = '';
  const listed = await listSeries(client, device, state.wanted, signal);
  Object.assign(state, { device, series: listed.series, next: listed.next, selected: listed.selected, wanted: [] });
  showSeries(state.series, state.selected, state.next !== null);
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
  const chosen = state.series.filter((one) => state.selected.has(one.timeseriesId));
  const ids = chosen.map((one) => one.timeseriesId);
  const span = spanOf(state.range, Date.now());
  if (ids.length === 0) {
    live.stop();
    pending = null;
    chart.draw({ kind: 'raw', tables: [] }, span);
    controls.summary.textContent = 'Select a timeseries to plot it.';
    return;
  }
  controls.figure.setAttribute('aria-busy', 'true');
  held = null;
  if (follow && controls.live.checked) {
    held = [];
    setLive(true);
  }
  try {
    const { content, samples, label } = await load(client, state.device, chosen, span, chart.width(), signal);
    if (signal.aborted) return;
    say('');
    pending = { startedAt: started, samples, label };
    chart.draw(content, span);
    const came = held;
    held = null;
    if (came && came.length > 0) live.listeners.onSamples(came);
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
  held = null;
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
  setLive(false);
  state.range = { from, to };
  showRange(state.range);
  writeView(true);
  void plot(client, performance.now(), false);
}

/** @param {boolean} on */
function setLive(on) {
  controls.live.checked = on;
  clearInterval(slideTimer);
  slideTimer = undefined;
  if (!on) {
    live.stop();
    return;
  }
  const client = api();
  const ids = [...state.selected];
  if (!client || !state.device || ids.length === 0) return;
  live.start(client, state.device, ids);
  // The window of a raw view moves with the clock between samples too.
  slideTimer = setInterval(() => chart.append([], spanOf(state.range, Date.now())), 10_000);
}

/** A live view of buckets: read again, at most every LIVE_REFRESH_MS. */
function refreshSoon() {
  if (refreshTimer !== undefined) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    const client = api();
    if (client && state.device) void plot(client, performance.now(), false);
  }, LIVE_REFRESH_MS);
}

/** @param {boolean} push a new history entry (a zoom), or replace the current one */
function writeView(push) {
  const hash = formatView({
    device: state.device || controls.device.value.trim(),
    series: state.series.filter((one) => state.selected.has(one.timeseriesId)).map((one) => one.timeseriesId),
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
  showRange(view.range);
  if (view.device !== state.device) {
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
  if (value === 'custom') {
    state.range = spanOf(state.range, Date.now());
  } else if (value in RANGES) state.range = /** @type {import('./plan.js').RangeName} */ (value);
  showRange(state.range);
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
  if (client) void plot(client, performance.now(), true);
});
controls.more.addEventListener('click', () => {
  const client = api();
  if (!client || !state.next) return;
  client
    .listSeries(state.device, state.next)
    .then((page) => {
      state.series.push(...page.series);
      state.next = page.next;
      showSeries(state.series, state.selected, state.next !== null);
    })
    .catch((error) => say(error instanceof Error ? error.message : String(error)));
});
controls.live.addEventListener('change', () => setLive(controls.live.checked));
window.addEventListener('popstate', readView);
window.addEventListener('hashchange', readView);

readView();
controls.summary.textContent = 'Paste a bearer token, enter a device and press Show.';
controls.token.focus();
