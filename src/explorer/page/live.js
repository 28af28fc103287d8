// @ts-check
// The Live switch: new samples of the selected timeseries from the stream endpoint, opened with a
// single-use ticket (an EventSource cannot send the token). When the stream drops it asks for a new
// ticket that resumes after the last event it saw, so nothing is lost or repeated.

import { ApiError } from './api.js';

/** How long to wait before reconnecting, doubled after each failure up to the last. */
const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];

/**
 * @typedef {import('./api.js').Api} Api
 * @typedef {import('./api.js').Sample} Sample
 * @typedef {{
 *   onSamples: (samples: Sample[]) => void,
 *   onResync: () => void,
 *   onProblem: (message: string, fatal: boolean) => void,
 *   onOpen: () => void,
 * }} Listeners
 */

export class LiveFeed {
  /** @param {Listeners} listeners */
  constructor(listeners) {
    this.listeners = listeners;
    /** Bumped by start and stop: a callback of an older feed does nothing. */
    this.generation = 0;
    /** @type {EventSource | null} */
    this.source = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.failures = 0;
    /** Between start and stop. */
    this.running = false;
  }

  /**
   * Follows the timeseries from now on (replacing any feed). Resolves once the ticket is answered: what
   * is written from then on will come, so a view read after it misses nothing.
   * @param {Api} api
   * @param {string} deviceId
   * @param {string[]} ids
   * @returns {Promise<void>}
   */
  start(api, deviceId, ids) {
    this.stop();
    this.running = true;
    const generation = this.generation;
    this.failures = 0;
    return this.follow(generation, { api, deviceId, ids }, undefined);
  }

  stop() {
    this.running = false;
    this.generation++;
    this.source?.close();
    this.source = null;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * @param {number} generation
   * @param {{ api: Api, deviceId: string, ids: string[] }} target
   * @param {string | undefined} lastEventId
   */
  async follow(generation, target, lastEventId) {
    this.timer = undefined;
    let ticket;
    try {
      ticket = await target.api.ticket(target.deviceId, target.ids, lastEventId);
    } catch (error) {
      if (generation !== this.generation) return;
      const status = error instanceof ApiError ? error.status : 0;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 410) {
        // Further back than the service keeps: re-read the view, then follow from now.
        this.listeners.onResync();
        this.retry(generation, target, undefined);
      } else if (status === 401 || status === 403 || status === 400) {
        this.listeners.onProblem(`Live stopped. ${message}`, true);
        this.stop();
      } else {
        this.listeners.onProblem(`Live: reconnecting. ${message}`, false);
        this.retry(generation, target, lastEventId);
      }
      return;
    }
    if (generation !== this.generation) return;
    let resumeAfter = ticket.lastEventId;
    const source = new EventSource(ticket.url);
    this.source = source;
    source.onopen = () => {
      this.failures = 0;
      this.listeners.onOpen();
    };
    source.addEventListener('samples', (event) => {
      resumeAfter = event.lastEventId;
      const samples = /** @type {unknown} */ (JSON.parse(String(event.data)));
      this.listeners.onSamples(/** @type {Sample[]} */ (samples));
    });
    source.addEventListener('deleted', (event) => {
      resumeAfter = event.lastEventId;
      this.listeners.onResync();
    });
    source.addEventListener('expired', () => {
      this.listeners.onProblem('Live stopped: the bearer token has expired. Paste a new token and press Show.', true);
      this.stop();
    });
    // A stream the service ended (overflow, shutdown) or that dropped: resume after the last event.
    source.onerror = () => {
      if (generation !== this.generation) return;
      source.close();
      this.source = null;
      this.retry(generation, target, resumeAfter);
    };
  }

  /**
   * @param {number} generation
   * @param {{ api: Api, deviceId: string, ids: string[] }} target
   * @param {string | undefined} lastEventId
   */
  retry(generation, target, lastEventId) {
    const wait = RETRY_MS[Math.min(this.failures, RETRY_MS.length - 1)];
    this.failures++;
    this.timer = setTimeout(() => void this.follow(generation, target, lastEventId), wait);
  }
}
