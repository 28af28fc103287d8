import type { InjectOptions } from 'fastify';

import type { TestApp } from './test-app';

/** An answer through the whole Fastify stack, whether an envelope or an event stream. */
export interface InjectedAnswer {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  /** The whole body; none of an event stream. */
  body: string;
  eventStream: boolean;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any -- as light-my-request's json(): the caller names the shape
}

/**
 * `t.request` for the tests that call every documented operation (access matrix, fuzz): an answer
 * that is a live stream (`text/event-stream`) never ends, so it is taken by its status and headers
 * and left (its events are the stream tests' subject); any other answer is read whole.
 */
export async function injectAnswer(t: TestApp, options: InjectOptions): Promise<InjectedAnswer> {
  const abort = new AbortController();
  const response = await t.app.inject({ ...options, payloadAsStream: true, signal: abort.signal });
  const eventStream = String(response.headers['content-type'] ?? '').startsWith('text/event-stream');
  let body = '';
  if (eventStream) abort.abort();
  else for await (const chunk of response.stream()) body += String(chunk);
  return {
    statusCode: response.statusCode,
    headers: response.headers,
    body,
    eventStream,
    json: <T>() => JSON.parse(body) as T,
  };
}
