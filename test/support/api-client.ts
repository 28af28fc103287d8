import type { InjectOptions, LightMyRequestResponse as Response } from 'fastify';

/** Who calls, and with which extra headers. */
export interface Caller {
  /** A bearer token; omitted: no Authorization header. */
  token?: string;
  headers?: Record<string, string>;
}

/** A query: a record (arrays repeat the parameter) or a raw string such as `?limit=1&limit=2`. */
export type QueryRecord = Record<string, string | number | boolean | ReadonlyArray<string | number>>;
export type Query = string | QueryRecord;

type Send = (options: InjectOptions) => Promise<Response>;

/**
 * A typed client of every route of the API, through the whole Fastify stack (routing, parsing,
 * hooks, guards, filters). Device ids are percent-encoded; bodies are sent as JSON unless a raw
 * payload is given.
 */
export class ApiClient {
  constructor(private readonly send: Send) {}

  /** POST /apollo/devices/{deviceId}/timeseries */
  registerTimeseries(deviceId: string, body: unknown, caller: Caller = {}): Promise<Response> {
    return this.send({
      method: 'POST',
      url: devicePath(deviceId, 'timeseries'),
      headers: headersOf(caller, { 'content-type': 'application/json' }),
      payload: JSON.stringify(body),
    });
  }

  /** GET /apollo/devices/{deviceId}/timeseries */
  listTimeseries(
    deviceId: string,
    query: Query = {},
    caller: Caller & { continuationToken?: string } = {},
  ): Promise<Response> {
    return this.get(devicePath(deviceId, 'timeseries') + queryString(query), caller);
  }

  /**
   * POST /apollo/devices/{deviceId}/timeseries/samples. `body` is sent as JSON, or as given when
   * it is a string or Buffer (a compressed body, malformed JSON).
   */
  writeSamples(deviceId: string, body: unknown, caller: Caller = {}): Promise<Response> {
    const raw = typeof body === 'string' || Buffer.isBuffer(body);
    return this.send({
      method: 'POST',
      url: devicePath(deviceId, 'timeseries/samples'),
      headers: headersOf(caller, { 'content-type': 'application/json' }),
      payload: raw ? body : JSON.stringify(body),
    });
  }

  /** GET /apollo/devices/{deviceId}/timeseries/samples */
  readSamples(
    deviceId: string,
    query: Query = {},
    caller: Caller & { continuationToken?: string } = {},
  ): Promise<Response> {
    return this.get(devicePath(deviceId, 'timeseries/samples') + queryString(query), caller);
  }

  /** GET /apollo/devices/{deviceId}/timeseries/samples/latest */
  latestSamples(deviceId: string, query: Query, caller: Caller = {}): Promise<Response> {
    return this.get(devicePath(deviceId, 'timeseries/samples/latest') + queryString(query), caller);
  }

  /** GET /apollo/devices/{deviceId}/timeseries/samples/stats */
  sampleStats(deviceId: string, query: Query, caller: Caller = {}): Promise<Response> {
    return this.get(devicePath(deviceId, 'timeseries/samples/stats') + queryString(query), caller);
  }

  /** GET /apollo/devices/{deviceId}/timeseries/samples/aggregates */
  sampleAggregates(deviceId: string, query: Query, caller: Caller = {}): Promise<Response> {
    return this.get(devicePath(deviceId, 'timeseries/samples/aggregates') + queryString(query), caller);
  }

  /** DELETE /apollo/devices/{deviceId}/timeseries/samples */
  deleteSamples(deviceId: string, query: Query, caller: Caller = {}): Promise<Response> {
    return this.send({
      method: 'DELETE',
      url: devicePath(deviceId, 'timeseries/samples') + queryString(query),
      headers: headersOf(caller),
    });
  }

  private get(url: string, caller: Caller & { continuationToken?: string }): Promise<Response> {
    return this.send({ method: 'GET', url, headers: headersOf(caller, continuationHeader(caller.continuationToken)) });
  }

  /** GET /apollo/devices/{deviceId}/timeseries/{timeseriesId} */
  getTimeseries(deviceId: string, timeseriesId: string, caller: Caller = {}): Promise<Response> {
    return this.get(devicePath(deviceId, `timeseries/${encodeURIComponent(timeseriesId)}`), caller);
  }
}

/** `/apollo/devices/{deviceId}/<rest>` with the device id percent-encoded. */
export function devicePath(deviceId: string, rest: string): string {
  return `/apollo/devices/${encodeURIComponent(deviceId)}/${rest}`;
}

export function queryString(query: Query): string {
  if (typeof query === 'string') return query;
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) search.append(name, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function continuationHeader(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { continuationtoken: token };
}

function headersOf(caller: Caller, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    ...(caller.token === undefined ? {} : { authorization: `Bearer ${caller.token}` }),
    ...caller.headers,
  };
}
