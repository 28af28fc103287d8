// @ts-check
// The page's controls: the form's fields, the list of timeseries, the message and the caption.

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
function element(id, type) {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`The page has no #${id}`);
  return found;
}

export const controls = {
  form: element('view', HTMLFormElement),
  token: element('token', HTMLInputElement),
  device: element('device', HTMLInputElement),
  range: element('range', HTMLSelectElement),
  custom: element('custom', HTMLElement),
  customTo: element('custom-to', HTMLElement),
  from: element('from', HTMLInputElement),
  to: element('to', HTMLInputElement),
  live: element('live', HTMLInputElement),
  message: element('message', HTMLElement),
  list: element('series-list', HTMLUListElement),
  hint: element('series-hint', HTMLElement),
  more: element('more', HTMLButtonElement),
  figure: element('chart', HTMLElement),
  plot: element('plot', HTMLElement),
  summary: element('summary', HTMLElement),
};

/** @param {string} text an error or what to do next; '' clears it */
export function say(text) {
  controls.message.textContent = text;
}

/**
 * The value of a datetime-local field (the browser's local time) for an instant.
 * @param {number} ms
 */
function localInput(ms) {
  const date = new Date(ms);
  return new Date(ms - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
}

/**
 * Shows a range in the form: the choice, and the From and To fields for a custom one. Live follows a
 * range that ends now, so it is off and disabled for a custom one.
 * @param {import('./plan.js').Range} range
 */
export function showRange(range) {
  const custom = typeof range !== 'string';
  controls.range.value = custom ? 'custom' : range;
  controls.custom.hidden = !custom;
  controls.customTo.hidden = !custom;
  if (custom) {
    controls.from.value = localInput(range.from);
    controls.to.value = localInput(range.to);
  }
  controls.live.disabled = custom;
  if (custom) controls.live.checked = false;
}

/**
 * The custom range the From and To fields hold, if they hold one.
 * @returns {{ from: number, to: number } | undefined}
 */
export function customRange() {
  const from = new Date(controls.from.value).getTime();
  const to = new Date(controls.to.value).getTime();
  return Number.isFinite(from) && Number.isFinite(to) && from < to ? { from, to } : undefined;
}

/**
 * Lists the device's timeseries as checkboxes, the selected ones checked.
 * @param {import('./api.js').Series[]} series
 * @param {Set<string>} selected
 * @param {boolean} more whether another page can be loaded
 */
export function showSeries(series, selected, more) {
  controls.list.replaceChildren(
    ...series.map((one) => {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = one.timeseriesId;
      box.checked = selected.has(one.timeseriesId);
      const type = document.createElement('span');
      type.className = 'type';
      type.textContent = one.pointType;
      const label = document.createElement('label');
      label.title = one.timeseriesId;
      label.append(box, ` ${one.pointId} `, type);
      const item = document.createElement('li');
      item.append(label);
      return item;
    }),
  );
  controls.hint.hidden = series.length > 0;
  controls.hint.textContent = 'This device has no timeseries.';
  controls.more.hidden = !more;
}

/**
 * What the chart shows, in one line.
 * @param {import('./chart.js').Content} content
 * @param {number} samples how many samples the range holds
 * @param {string} bucketLabel
 * @param {number} elapsedMs from Show to the drawn chart
 */
export function summaryOf(content, samples, bucketLabel, elapsedMs) {
  const series = `${content.tables.length} timeseries`;
  if (samples === 0) return `${series}: no samples in this range.`;
  const how =
    content.kind === 'raw' ? 'every sample drawn' : `${bucketLabel} buckets (line: average; band: minimum to maximum)`;
  return `${series} · ${samples.toLocaleString('en')} samples · ${how} · ${Math.round(elapsedMs)} ms`;
}
