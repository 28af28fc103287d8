import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import {
  FETCH_EVENTS,
  ISSUE_TICKET,
  PRUNE_EVENTS,
  PRUNE_TICKETS,
  REDEEM_TICKET,
  RESUME_POINT,
  type EventRow,
  type FetchedRow,
  type RedeemedTicketRow,
  type TicketParams,
} from './stream.sql';

/** Where streams stand: the newest event, and the newest pruned one (ids below it cannot resume). */
export interface ResumePoint {
  lastId: number;
  prunedThrough: number;
}

/** The stream feature's persistence (stream.sql.ts), always on the primary: a replica may lag the NOTIFY. */
@Injectable()
export class StreamRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The events of the devices after `after` (at most `limit`), and the newest id of the log. */
  async events(
    after: number,
    deviceIds: readonly string[],
    limit: number,
  ): Promise<{ events: EventRow[]; high: number }> {
    const rows = await FETCH_EVENTS.run(this.dataSource, { after, deviceIds, limit });
    const events = rows.filter((row): row is FetchedRow & EventRow => row.id !== null);
    return { events, high: Number(rows[0]?.high ?? 0) };
  }

  async resumePoint(): Promise<ResumePoint> {
    const [row] = await RESUME_POINT.run(this.dataSource, {});
    if (!row) throw new Error('sample_event_horizon has no row: the migration did not run');
    return { lastId: Number(row.last_id), prunedThrough: Number(row.pruned_through) };
  }

  /** Prunes events older than `olderThanS` and expired tickets; how many events went. */
  async prune(olderThanS: number): Promise<number> {
    const [row] = await PRUNE_EVENTS.run(this.dataSource, { olderThanS });
    await PRUNE_TICKETS.run(this.dataSource, {});
    return row?.pruned ?? 0;
  }

  async issueTicket(params: TicketParams): Promise<string> {
    const [row] = await ISSUE_TICKET.run(this.dataSource, params);
    if (!row) throw new Error('The ticket statement returned no row');
    return row.expires_at;
  }

  async redeemTicket(hash: string): Promise<RedeemedTicketRow | undefined> {
    const [row] = await REDEEM_TICKET.run(this.dataSource, { hash });
    return row;
  }
}
