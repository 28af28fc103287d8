// @ts-check
// What to ask for: the range a choice means, the buckets that fit the chart, and whether the
// samples are few enough to draw each one or so many that the buckets (min, max, average) draw them.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The relative ranges the page offers, by their name in the URL. */
export const RANGES = /** @type {const} */ ({ hour: HOUR, day: DAY, week: 7 * DAY, month: 30 * DAY, year: 365 * DAY });

/**
 * @typedef {keyof typeof RANGES} RangeName
 * @typedef {RangeName | { from: number, to: number }} Range a relative range, or instants in ms
 */

/**
 * The instants a range covers, in ms: a relative one ends now.
 * @param {Range} range
 * @param {number} now
 * @returns {{ from: number, to: number }}
 */
export function spanOf(range, now) {
  return typeof range === 'string' ? { from: now - RANGES[range], to: now } : { ...range };
}

/**
 * The granularities the aggregates endpoint takes that the page uses, finest first: each with its
 * nominal length (a day or month of the calendar may be longer or shorter) and a label.
 */
export const GRANULARITIES = [
  ['PT1M', MINUTE, '1-minute'],
  ['PT2M', 2 * MINUTE, '2-minute'],
  ['PT5M', 5 * MINUTE, '5-minute'],
  ['PT10M', 10 * MINUTE, '10-minute'],
  ['PT15M', 15 * MINUTE, '15-minute'],
  ['PT30M', 30 * MINUTE, '30-minute'],
  ['PT1H', HOUR, 'hourly'],
  ['PT2H', 2 * HOUR, '2-hour'],
  ['PT3H', 3 * HOUR, '3-hour'],
  ['PT6H', 6 * HOUR, '6-hour'],
  ['PT12H', 12 * HOUR, '12-hour'],
  ['P1D', DAY, 'daily'],
  ['P2D', 2 * DAY, '2-day'],
  ['P1W', 7 * DAY, 'weekly'],
  ['P1M', 31 * DAY, 'monthly'],
].map(([iso, ms, label]) => ({ iso: String(iso), ms: Number(ms), label: String(label) }));

/** Below this many samples a series is drawn sample by sample, whatever the chart's width. */
export const RAW_SAMPLES = 2000;

/**
 * Whether to draw every sample: while every series holds at most RAW_SAMPLES, or two per pixel of
 * the chart. Otherwise the buckets draw them, so a year of minute data costs the browser as much as
 * an hour of it (and the server answers it from its rollups).
 * @param {number[]} counts the samples of each series in the range
 * @param {number} widthPx the plot's width
 */
export function drawsEverySample(counts, widthPx) {
  return Math.max(0, ...counts) <= Math.max(RAW_SAMPLES, 2 * widthPx);
}

/**
 * The finest buckets of which a range holds no more than one per pixel.
 * @param {number} spanMs
 * @param {number} widthPx
 * @returns {{ granularity: string, label: string }}
 */
export function bucketsOf(spanMs, widthPx) {
  const fit = GRANULARITIES.find((granularity) => spanMs / granularity.ms <= Math.max(1, widthPx));
  const chosen = fit ?? GRANULARITIES[GRANULARITIES.length - 1];
  if (!chosen) throw new Error('no granularity');
  return { granularity: chosen.iso, label: chosen.label };
}

/**
 * The browser's time zone, for buckets of its calendar (a day is the user's day); UTC when the
 * browser names none the API takes.
 * @returns {string}
 */
export function browserTimeZone() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone) ? zone : 'UTC';
}
