// @ts-check
// The Live switch's part of the page: the stream's samples go into the chart (a chart of every
// sample gets them inserted, a chart of buckets is read again), its window moves with the clock, and
// samples that come while a view is read wait until it is drawn.

import { controls, say } from './controls.js';
import { LiveFeed } from './live.js';

/** How often a live chart of buckets is read again while samples come (its buckets are never stale). */
const REFRESH_MS = 5000;
/** How often the window of a live chart of every sample moves with the clock, samples or not. */
const SLIDE_MS = 10_000;

/**
 * @typedef {import('./api.js').Api} Api
 * @typedef {import('./api.js').Sample} Sample
 * @typedef {{ from: number, to: number }} Span
 */

export class LiveView {
  /**
   * @param {import('./chart.js').Chart} chart
   * @param {() => Span} window the range shown now
   * @param {() => void} refresh reads the view again
   * @param {() => void} stopped the feed stopped for good (an expired token): the switch goes off
   */
  constructor(chart, window, refresh, stopped) {
    this.chart = chart;
    this.window = window;
    this.refresh = refresh;
    /** @type {Sample[] | null} what came while a view was read, added once it is drawn */
    this.held = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.refreshTimer = undefined;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.slideTimer = undefined;
    /** What Live said last: a reconnected stream clears it, not another message. */
    this.said = '';
    this.feed = new LiveFeed({
      onSamples: (samples) => this.add(samples),
      onResync: () => this.refreshSoon(),
      onProblem: (message, fatal) => {
        this.said = message;
        say(message);
        if (fatal) {
          this.stop();
          stopped();
        }
      },
      onOpen: () => {
        if (controls.message.textContent === this.said) say('');
      },
    });
  }

  get running() {
    return this.feed.running;
  }

  /**
   * Follows the timeseries from now on; resolves once the stream's start is fixed (its ticket), so a
   * view read after that misses nothing.
   * @param {Api} client
   * @param {string} device
   * @param {string[]} ids
   */
  async start(client, device, ids) {
    this.stop();
    this.slideTimer = setInterval(() => this.chart.append([], this.window()), SLIDE_MS);
    await this.feed.start(client, device, ids);
  }

  stop() {
    this.feed.stop();
    clearInterval(this.slideTimer);
    clearTimeout(this.refreshTimer);
    this.slideTimer = undefined;
    this.refreshTimer = undefined;
    this.held = null;
  }

  /** A view is being read: what comes meanwhile waits for it. */
  hold() {
    this.held = this.running ? [] : null;
  }

  /** The view is drawn (or failed, `drawn` false): what came meanwhile goes into it. */
  release(drawn = true) {
    const came = this.held;
    this.held = null;
    if (drawn && came && came.length > 0) this.add(came);
  }

  /** @param {Sample[]} samples */
  add(samples) {
    if (this.held) this.held.push(...samples);
    else if (this.chart.content?.kind === 'raw') this.chart.append(samples, this.window());
    else this.refreshSoon();
  }

  refreshSoon() {
    if (this.refreshTimer !== undefined) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, REFRESH_MS);
  }
}
