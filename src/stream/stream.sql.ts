import { prepared } from '../database/prepared-statement';
import { sql } from '../database/sql';

/**
 * The SQL of live streams, run by StreamRepository: reading the event log (series/sample-events.sql.ts)
 * after an id, where a stream may resume from, pruning it, and the browsers' tickets.
 */

/** An event as a stream reads it; `payload` is the JSON text the writer stored. */
export interface EventRow {
  id: string;
  device_id: string;
  kind: number;
  payload: string;
  /** The write's transaction time, which is its samples' ingest time: epoch ms. */
  ingest_unix_ms: number;
}

/** FETCH_EVENTS' rows: an event, or none (all null), and the newest id of the log on every row. */
export type FetchedRow = { [K in keyof EventRow]: EventRow[K] | null } & { high: string | null };

/**
 * The events of `deviceIds` after `after`, in id (commit) order, at most `limit`, and `high`, the
 * newest id in the same snapshot: when fewer than `limit` came, the log holds nothing more for
 * them up to `high` (ids are visible in commit order), so a reader may move on to it and never
 * scans the other devices' events again.
 */
export const FETCH_EVENTS = prepared<{ after: number; deviceIds: readonly string[]; limit: number }, FetchedRow>(
  'stream.fetch-events.v2',
  (p) => sql`
SELECT e.id::text, e.device_id, e.kind, e.payload, e.ingest_unix_ms, h.high::text
FROM (SELECT max(id) AS high FROM sample_event) h
LEFT JOIN LATERAL (
  SELECT id, device_id, kind, payload, floor(extract(epoch FROM created_at) * 1000)::float8 AS ingest_unix_ms
  FROM sample_event
  WHERE id > ${p.after}::int8 AND device_id = ANY(${p.deviceIds}::text[])
  ORDER BY id
  LIMIT ${p.limit}
) e ON true
ORDER BY e.id`,
);

/**
 * Where streams stand: `last_id`, the newest event (where a new stream starts), and `pruned_through`,
 * the newest event pruned (a stream resumes from an id in [pruned_through, last_id], or not at all).
 */
export const RESUME_POINT = prepared<Record<string, never>, { pruned_through: string; last_id: string }>(
  'stream.resume-point.v1',
  () => sql`
SELECT h.pruned_through::text, greatest(h.pruned_through, (SELECT max(id) FROM sample_event))::text AS last_id
FROM sample_event_horizon h WHERE h.id = 1`,
);

/** Deletes the events older than `olderThanS` seconds and records the newest it deleted as the horizon. */
export const PRUNE_EVENTS = prepared<{ olderThanS: number }, { pruned: number }>(
  'stream.prune-events.v1',
  (p) => sql`
WITH gone AS (
  DELETE FROM sample_event WHERE created_at < now() - make_interval(secs => ${p.olderThanS}::float8) RETURNING id
), moved AS (
  UPDATE sample_event_horizon SET pruned_through = greatest(pruned_through, (SELECT max(id) FROM gone))
  WHERE id = 1 AND EXISTS (SELECT 1 FROM gone)
)
SELECT count(*)::int AS pruned FROM gone`,
);

/** A ticket: what it is bound to, keyed by the hex SHA-256 of its text. */
export interface TicketParams {
  hash: string;
  subject: string;
  deviceId: string;
  timeseriesIds: readonly string[];
  metric: number;
  lastEventId: string | null;
  /** The token's exp, epoch seconds. */
  tokenExpiresS: number;
  ticketS: number;
}

export const ISSUE_TICKET = prepared<TicketParams, { expires_at: string }>(
  'stream.issue-ticket.v1',
  (p) => sql`
INSERT INTO stream_ticket (hash, subject, device_id, timeseries_ids, metric, last_event_id, token_expires_at, expires_at)
VALUES (decode(${p.hash}, 'hex'), ${p.subject}, ${p.deviceId}, ${p.timeseriesIds}::uuid[], ${p.metric}::int2,
        ${p.lastEventId}::int8, to_timestamp(${p.tokenExpiresS}::float8), now() + make_interval(secs => ${p.ticketS}::float8))
RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at`,
);

export interface RedeemedTicketRow {
  subject: string;
  device_id: string;
  timeseries_ids: string[];
  metric: number;
  last_event_id: string | null;
  token_expires_s: number;
}

/** Marks the ticket used, once: a row only for an unused ticket that has not expired. */
export const REDEEM_TICKET = prepared<{ hash: string }, RedeemedTicketRow>(
  'stream.redeem-ticket.v1',
  (p) => sql`
UPDATE stream_ticket SET used_at = now()
WHERE hash = decode(${p.hash}, 'hex') AND used_at IS NULL AND expires_at > now()
RETURNING subject, device_id, timeseries_ids::text[] AS timeseries_ids, metric, last_event_id::text,
          extract(epoch FROM token_expires_at)::float8 AS token_expires_s`,
);

/** Tickets expired an hour ago or more: used or not, they open nothing. */
export const PRUNE_TICKETS = prepared<Record<string, never>, never>(
  'stream.prune-tickets.v1',
  () => sql`DELETE FROM stream_ticket WHERE expires_at < now() - interval '1 hour'`,
);
