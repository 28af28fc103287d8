import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, type Registry } from 'prom-client';
import { DataSource } from 'typeorm';

import { METRICS_REGISTRY } from '../common/metrics-registry';
import { identifier, raw, runQuery, sql } from '../database/sql';

/** The advisory lock every instance takes to create or drop sample partitions, one at a time. */
const PARTITION_LOCK = 7_341_955_120;

/** A calendar month of UTC, the unit of the sample table's partitions. */
export interface Month {
  year: number;
  /** 1..12 */
  month: number;
}

export function monthOf(us: number): Month {
  const date = new Date(Math.floor(us / 1000));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

export function nextMonth({ year, month }: Month): Month {
  return month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 };
}

/** `sample_y2026m11`: the partition holding the samples of November 2026 (UTC). */
export function partitionName({ year, month }: Month): string {
  return `sample_y${year}m${String(month).padStart(2, '0')}`;
}

const startOf = ({ year, month }: Month) => `${year}-${String(month).padStart(2, '0')}-01T00:00:00Z`;

/**
 * The monthly partitions of the sample table. A write into a month without one fails, and the
 * repository calls `ensure` for its months, then writes again: nothing is checked while the
 * partitions exist. Creation takes a transaction-scoped advisory lock, so concurrent requests,
 * processes and instances create each partition once; `IF NOT EXISTS` makes the losers no-ops.
 * There is no default partition: it would make every later creation scan it under an exclusive lock.
 */
@Injectable()
export class SamplePartitions {
  private readonly created: Counter;
  private readonly dropped: Counter;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.created = new Counter({
      name: 'samples_partitions_created_total',
      help: 'Monthly partitions of the sample table this instance created.',
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'samples_partitions_dropped_total',
      help: 'Monthly partitions of the sample table this instance dropped for SAMPLES_RETENTION_DAYS.',
      registers: [registry],
    });
  }

  /** Creates the partitions of `months` that do not exist yet; returns how many it created. */
  async ensure(months: readonly Month[]): Promise<number> {
    const distinct = [...new Map(months.map((m) => [partitionName(m), m])).values()];
    return this.dataSource.transaction(async (manager) => {
      await runQuery(manager, sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK})`);
      const existing = new Set(
        (
          await runQuery<{ name: string }>(
            manager,
            sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'sample'::regclass AND c.relname = ANY(${distinct.map(partitionName)}::text[])`,
          )
        ).map((row) => row.name),
      );
      let created = 0;
      for (const month of distinct) {
        const name = partitionName(month);
        if (existing.has(name)) continue;
        // DDL takes no parameters: the name and bounds are built from numbers, never from a request.
        await runQuery(
          manager,
          sql`CREATE TABLE IF NOT EXISTS ${identifier(name)} PARTITION OF sample
              FOR VALUES FROM (${raw(`'${startOf(month)}'`)}) TO (${raw(`'${startOf(nextMonth(month))}'`)})`,
        );
        created += 1;
      }
      this.created.inc(created);
      return created;
    });
  }

  /**
   * Drops, whole, every partition whose month ends at or before `cutoffUs` (it holds only samples
   * older than the retention), unless another instance is at it: then it returns null and leaves
   * it to that one. One transaction: a read sees a month entirely or not at all.
   */
  async dropEndingBy(cutoffUs: number): Promise<string[] | null> {
    return this.dataSource.transaction(async (manager) => {
      const [lock] = await runQuery<{ locked: boolean }>(
        manager,
        sql`SELECT pg_try_advisory_xact_lock(${PARTITION_LOCK}) AS locked`,
      );
      if (!lock?.locked) return null;
      // Waiting long for the table lock would stall every query queued behind it: give up, retry later.
      await runQuery(manager, sql`SET LOCAL lock_timeout = '5s'`);
      const names = (
        await runQuery<{ name: string }>(
          manager,
          sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'sample'::regclass ORDER BY c.relname`,
        )
      ).map((row) => row.name);
      const expired = names.filter((name) => {
        const month = monthOfPartition(name);
        return month !== undefined && Date.parse(startOf(nextMonth(month))) * 1000 <= cutoffUs;
      });
      for (const name of expired) await runQuery(manager, sql`DROP TABLE ${identifier(name)}`);
      this.dropped.inc(expired.length);
      return expired;
    });
  }
}

function monthOfPartition(name: string): Month | undefined {
  const match = /^sample_y(\d{4})m(\d{2})$/.exec(name);
  return match ? { year: Number(match[1]), month: Number(match[2]) } : undefined;
}
