import { SAMPLE_EVENT_KINDS, type DeletedEventPayload, type SamplesEventPayload } from '../events/sample-events.sql';
import { formatInstant } from '../series/instants';
import { metricName } from '../series/metrics';
import type { EventRow } from './stream.sql';

/**
 * Events as Server-Sent Events text (docs/stream.md): what one subscription is sent of an event
 * of the log. The `id:` of an event is its id in the log, so `Last-Event-ID` resumes after it.
 */

/** What a stream is subscribed to; `key` is the same for the same timeseries and metric (see `subscriptionOf`). */
export interface Subscription {
  deviceId: string;
  timeseriesIds: ReadonlySet<string>;
  metric: number;
  key: string;
}

export function subscriptionOf(deviceId: string, timeseriesIds: Iterable<string>, metric: number): Subscription {
  const ids = new Set(timeseriesIds);
  return { deviceId, timeseriesIds: ids, metric, key: `${metric} ${[...ids].sort().join(' ')}` };
}

/**
 * An event of the log, parsed once however many streams it goes to: each sample's JSON is made
 * once, and each subscription's text once (streams of the same timeseries share it).
 */
export interface LoggedEvent {
  id: number;
  deviceId: string;
  kind: number;
  ingestUnixMs: number;
  payload: SamplesEventPayload | DeletedEventPayload;
  /** The samples' JSON, in the write's order, once a stream needed them. */
  sampleTexts?: string[];
  /** The text of each subscription key so far (undefined: nothing of it). */
  texts?: Map<string, string | undefined>;
}

export function loggedEvent(row: EventRow): LoggedEvent {
  return {
    id: Number(row.id),
    deviceId: row.device_id,
    kind: row.kind,
    ingestUnixMs: row.ingest_unix_ms,
    payload: JSON.parse(row.payload) as SamplesEventPayload | DeletedEventPayload,
  };
}

/**
 * The text `subscription` is sent of `event`: one `samples` event with its samples (in the write's
 * order) of the subscribed timeseries and metric, or a `deleted` event per subscribed timeseries
 * that lost samples (the last one carrying the id); undefined when none of it is subscribed.
 */
export function eventText(event: LoggedEvent, subscription: Subscription): string | undefined {
  event.texts ??= new Map();
  if (event.texts.has(subscription.key)) return event.texts.get(subscription.key);
  const text =
    event.kind === SAMPLE_EVENT_KINDS.samples
      ? samplesText(event, event.payload as SamplesEventPayload, subscription)
      : deletedText(event, event.payload as DeletedEventPayload, subscription);
  event.texts.set(subscription.key, text);
  return text;
}

function samplesText(event: LoggedEvent, p: SamplesEventPayload, subscription: Subscription): string | undefined {
  const wanted = p.t.map((id) => subscription.timeseriesIds.has(id));
  const texts = (event.sampleTexts ??= sampleTexts(event, p));
  const samples: string[] = [];
  for (let k = 0; k < p.us.length; k++) {
    if (wanted[p.i[k]!] && p.m[k] === subscription.metric) samples.push(texts[k]!);
  }
  if (samples.length === 0) return undefined;
  return `id: ${event.id}\nevent: samples\ndata: [${samples.join(',')}]\n\n`;
}

/** Every sample of the write as the read endpoint answers it. */
function sampleTexts(event: LoggedEvent, p: SamplesEventPayload): string[] {
  return p.us.map((us, k) => {
    const timeseriesId = p.t[p.i[k]!]!;
    return (
      `{"timeseriesId":"${timeseriesId}","metric":"${metricName(p.m[k]!)}","timestamp":"${formatInstant(us)}",` +
      `"val":${JSON.stringify(p.v[k])},"unixTimestamp":${Math.floor(us / 1000)},"ingestUnixTimestamp":${event.ingestUnixMs}}`
    );
  });
}

function deletedText(event: LoggedEvent, p: DeletedEventPayload, subscription: Subscription): string | undefined {
  if (p.m !== subscription.metric) return undefined;
  const events = p.t.flatMap((timeseriesId, k) =>
    subscription.timeseriesIds.has(timeseriesId)
      ? [
          JSON.stringify({
            timeseriesId,
            metric: metricName(p.m),
            startTime: p.from === null ? null : formatInstant(p.from),
            endTime: p.to === null ? null : formatInstant(p.to),
            deleted: p.n[k],
          }),
        ]
      : [],
  );
  if (events.length === 0) return undefined;
  // One event per timeseries; only the last sets the id: a reconnect between them loses none (those received come again).
  return events
    .map((data, k) => `${k === events.length - 1 ? `id: ${event.id}\n` : ''}event: deleted\ndata: ${data}\n\n`)
    .join('');
}

/** The block that opens a stream: the client's reconnection delay, and where it resumes if it drops before any event. */
export function preamble(position: number, retryMs: number): string {
  return `retry: ${retryMs}\nid: ${position}\n\n`;
}

/** A heartbeat: a comment, and the position when it moved (events of other timeseries count), which no client dispatches. */
export function heartbeat(position: number | undefined): string {
  return position === undefined ? ': heartbeat\n\n' : `: heartbeat\nid: ${position}\n\n`;
}

/** Why a stream ends, as its last event. */
export type EndReason = 'overflow' | 'expired' | 'shutdown';

const END_MESSAGES: Record<EndReason, string> = {
  overflow:
    'The client read slower than events came (more than SAMPLES_STREAM_BUFFER waiting): reconnect with the last event id',
  expired: 'The bearer token has expired: reconnect with a new token and the last event id',
  shutdown: 'The instance is shutting down: reconnect with the last event id',
};

export function endText(reason: EndReason): string {
  return `event: ${reason}\ndata: ${JSON.stringify({ message: END_MESSAGES[reason] })}\n\n`;
}
