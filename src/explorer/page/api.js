// @ts-check
// The API as the page calls it: the same routes as any client, on the page's own origin, with the
// bearer token the user pasted (held by the caller, passed in, never stored).

/**
 * @typedef {{ timeseriesId: string, pointId: string, pointType: string }} Series
 * @typedef {{ timeseriesId: string, unixTimestamp: number, val: number }} Sample
 * @typedef {{ start: string, count?: number, avg: number | null, min: number | null, max: number | null }} Bucket
 * @typedef {{ timeseriesId: string, buckets: Bucket[] }} Aggregates
 * @typedef {{ ticket: string, url: string, expiresAt: string, lastEventId: string }} Ticket
 */

/** The metric the explorer plots: what a write without `metric` stores. */
export const METRIC = 'Raw';

/** A refused or failed request, with a sentence a person can act on. */
export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status (0: no answer)
   * @param {string} message
   */
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * What to tell the user about an answer that is not a success: the API's own sentence (the envelope's
 * `status.Message`) with what to do about it.
 * @param {number} status
 * @param {string} said the envelope's message, or ''
 * @param {string | null} retryAfter the Retry-After header
 * @returns {string}
 */
export function messageOf(status, said, retryAfter) {
  const reason = said ? `${said.replace(/\.$/, '')}.` : '';
  switch (status) {
    case 401:
      return `The token was refused: ${reason || 'it is missing or invalid.'} Paste a valid token (npm run token prints one in development).`;
    case 403:
      return `Not allowed: ${reason || 'the token may not read this.'} The token needs a read scope and the device's collection.`;
    case 429: {
      const wait = Number(retryAfter);
      const when = Number.isFinite(wait) && wait > 0 ? `in ${wait} s` : 'in a moment';
      return `Too many requests: ${reason || 'the rate limit is reached.'} Try again ${when}.`;
    }
    case 0:
      return `The service did not answer${said ? ` (${said})` : ''}. Is it running?`;
    default:
      return `The service answered ${status}: ${reason || 'no reason given.'}`;
  }
}

/**
 * A body as JSON, of a shape the caller states.
 * @param {Response} answer
 * @returns {Promise<unknown>}
 */
const json = (answer) => answer.json();

/**
 * @param {Response} answer
 * @returns {Promise<ApiError>}
 */
async function refusal(answer) {
  let said = '';
  try {
    const body = /** @type {{ status?: { Message?: unknown } }} */ (await json(answer));
    if (typeof body.status?.Message === 'string') said = body.status.Message;
  } catch {
    // Not the envelope (a proxy's error page): the status says enough.
  }
  return new ApiError(answer.status, messageOf(answer.status, said, answer.headers.get('retry-after')));
}

/**
 * @param {string} deviceId
 * @param {string} [rest]
 */
const devicePath = (deviceId, rest = '') => `/apollo/devices/${encodeURIComponent(deviceId)}/timeseries${rest}`;

/**
 * The query of a samples route: the timeseries (the parameter repeated for each), the metric and more.
 * @param {string[]} ids
 * @param {Date} from
 * @param {Date} to
 * @param {Record<string, string>} [more]
 */
function selection(ids, from, to, more = {}) {
  const query = new URLSearchParams({
    startTime: from.toISOString(),
    endTime: to.toISOString(),
    metric: METRIC,
    ...more,
  });
  for (const id of ids) query.append('timeseries_ids', id);
  return query;
}

export class Api {
  /** @param {string} token */
  constructor(token) {
    this.token = token;
  }

  /**
   * A GET or POST of the API, answering the envelope's `data` (and the answer, for its headers).
   * @param {string} path with its query
   * @param {{ signal?: AbortSignal, body?: unknown, headers?: Record<string, string> }} [options]
   * @returns {Promise<{ data: unknown, answer: Response }>} each caller states the data it asked for
   */
  async call(path, options = {}) {
    /** @type {Record<string, string>} */
    const headers = { authorization: `Bearer ${this.token}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let answer;
    try {
      answer = await fetch(path, {
        method: options.body === undefined ? 'GET' : 'POST',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        cache: 'no-store',
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new ApiError(0, messageOf(0, error instanceof Error ? error.message : '', null));
    }
    if (!answer.ok) throw await refusal(answer);
    const body = /** @type {{ data: unknown }} */ (await json(answer));
    return { data: body.data, answer };
  }

  /**
   * One page of the device's timeseries, in the list endpoint's order.
   * @param {string} deviceId
   * @param {string | null} continuation the previous page's token
   * @param {AbortSignal} [signal]
   * @returns {Promise<{ series: Series[], next: string | null }>}
   */
  async listSeries(deviceId, continuation, signal) {
    const { data } = await this.call(`${devicePath(deviceId)}?limit=100`, {
      signal,
      headers: continuation ? { ContinuationToken: continuation } : {},
    });
    const page = /** @type {{ relationships: Series[], continuationToken: string | null }} */ (data);
    return { series: page.relationships, next: page.continuationToken };
  }

  /**
   * Every sample of [from, to), in timestamp order.
   * @param {string} deviceId
   * @param {string[]} ids
   * @param {Date} from
   * @param {Date} to
   * @param {AbortSignal} [signal]
   * @returns {Promise<Sample[]>}
   */
  async samples(deviceId, ids, from, to, signal) {
    const query = selection(ids, from, to);
    const { data } = await this.call(`${devicePath(deviceId, '/samples')}?${query}`, { signal });
    return /** @type {Sample[]} */ (data);
  }

  /**
   * The min, max, average and count of every bucket of [from, to) in the browser's calendar (empty ones too).
   * @param {string} deviceId
   * @param {string[]} ids
   * @param {Date} from
   * @param {Date} to
   * @param {string} granularity an ISO 8601 duration the aggregates endpoint takes
   * @param {string} timeZone
   * @param {AbortSignal} [signal]
   * @returns {Promise<Aggregates[]>}
   */
  async aggregates(deviceId, ids, from, to, granularity, timeZone, signal) {
    const query = selection(ids, from, to, { granularity, timeZone, aggregates: 'avg,min,max,count', fill: 'null' });
    const { data } = await this.call(`${devicePath(deviceId, '/samples/aggregates')}?${query}`, { signal });
    return /** @type {Aggregates[]} */ (data);
  }

  /**
   * A single-use ticket that opens the stream of the timeseries' new samples in an EventSource.
   * @param {string} deviceId
   * @param {string[]} ids
   * @param {string | undefined} lastEventId where to resume; undefined: from now
   * @returns {Promise<Ticket>}
   */
  async ticket(deviceId, ids, lastEventId) {
    const { data } = await this.call(devicePath(deviceId, '/samples/stream/tickets'), {
      body: { timeseriesIds: ids, metric: METRIC, lastEventId },
    });
    return /** @type {Ticket} */ (data);
  }
}
