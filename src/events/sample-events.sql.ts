import { prepared } from '../database/prepared-statement';
import { raw, sql, type Sql } from '../database/sql';

/**
 * The log of committed writes and deletes that live streams send (docs/stream.md), appended by
 * the statements that change samples. Its ids increase in COMMIT order, which is what lets a
 * stream resume from a Last-Event-ID with nothing lost: an event takes EVENT_LOCK just before it
 * is inserted (its id drawn then) and holds it until its transaction has committed, so an event
 * is visible only once every lower id is visible (or rolled back). The lock covers the event's
 * insert and the commit, not the write's samples. A NOTIFY on SAMPLE_EVENTS_CHANNEL (delivered
 * at commit, never for a rolled-back write) wakes the streams of every instance.
 */

/** What an event records. */
export const SAMPLE_EVENT_KINDS = { samples: 1, deleted: 2 } as const;

/** The channel an event is announced on: `<id> <deviceId>`. */
export const SAMPLE_EVENTS_CHANNEL = 'sample_events';

/** The advisory lock (two-key form, apart from SERIES_LOCK's) that orders events by commit. */
const EVENT_LOCK = raw('pg_advisory_xact_lock(734197, 0)');

/**
 * A write's samples: `t` the distinct timeseries ids, and per sample `i` (its index in `t`), `m`
 * (metric code), `us` (instant, epoch µs) and `v` (value). Their ingest time is the event's.
 */
export interface SamplesEventPayload {
  t: string[];
  i: number[];
  m: number[];
  us: number[];
  v: number[];
}

/** A delete: per timeseries of `t`, `n` samples deleted of metric `m` in [from, to) (epoch µs; null: unbounded). */
export interface DeletedEventPayload {
  t: string[];
  n: number[];
  m: number;
  from: number | null;
  to: number | null;
}

/** The payload's text: JSON built by the writer, stored as text (no parse on the write path). */
export function payloadText(payload: SamplesEventPayload | DeletedEventPayload): string {
  return JSON.stringify(payload);
}

/**
 * The CTE `logged` that appends a samples event after the data-modifying CTE `written` (which
 * returns a row per sample) and only when it wrote something: the lock is taken in the aggregate's
 * projection, so after every sample is written, then the event is inserted and announced.
 */
export function appendSamplesEvent(p: { deviceId: unknown; eventPayload: unknown }): Sql {
  return sql`logged AS (
  INSERT INTO sample_event (device_id, kind, payload)
  SELECT ${p.deviceId}, ${raw(String(SAMPLE_EVENT_KINDS.samples))}, ${p.eventPayload}::text
  FROM (SELECT count(*) AS n, ${EVENT_LOCK} AS locked FROM written HAVING count(*) > 0) w
  RETURNING id, pg_notify(${raw(`'${SAMPLE_EVENTS_CHANNEL}'`)}, id::text || ' ' || device_id) AS notified
)`;
}

/** Appends one event in a transaction that has done its changes: the last statement before COMMIT. */
export const APPEND_EVENT = prepared<{ deviceId: string; kind: number; payload: string }, { id: string }>(
  'sample-events.append.v1',
  (p) => sql`
INSERT INTO sample_event (device_id, kind, payload)
SELECT ${p.deviceId}, ${p.kind}::int2, ${p.payload}::text FROM (SELECT ${EVENT_LOCK}) lk
RETURNING id::text, pg_notify(${raw(`'${SAMPLE_EVENTS_CHANNEL}'`)}, id::text || ' ' || device_id) AS notified`,
);
