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

/** The partitioned tables of sample storage: rows, packed blocks and their rollups, all by UTC month. */
const TABLES = ['sample', 'sample_block', 'sample_rollup'] as const;
type SampleTable = (typeof TABLES)[number];

/** `sample_y2026m11`: the partition of `table` holding November 2026 (UTC). */
export function partitionName({ year, month }: Month, table: SampleTable = 'sample'): string {
  return `${table}_y${year}m${String(month).padStart(2, '0')}`;
}

/** A block's arrays are compressed by TOAST from 128 bytes on, not only above its default 2 KB. */
const STORAGE: Record<SampleTable, string> = {
  sample: '',
  sample_block: ' WITH (toast_tuple_target = 128)',
  sample_rollup: '',
};

const startOf = ({ year, month }: Month) => `${year}-${String(month).padStart(2, '0')}-01T00:00:00Z`;

/**
 * The monthly partitions of the sample, sample_block and sample_rollup tables, a month of each together. A write into a month without one fails, and the
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
      help: 'Months of sample partitions (rows, blocks and rollups) this instance created.',
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'samples_partitions_dropped_total',
      help: 'Months of sample partitions (rows, blocks and rollups) this instance dropped for SAMPLES_RETENTION_DAYS.',
      registers: [registry],
    });
  }

  /** Creates the partitions (of both tables) of `months` that do not exist yet; returns in how many months. */
  async ensure(months: readonly Month[]): Promise<number> {
    const wanted = uniqueMonths(months).flatMap((month) =>
      TABLES.map((table) => ({ month, table, name: partitionName(month, table) })),
    );
    return this.dataSource.transaction(async (manager) => {
      await runQuery(manager, sql`SELECT pg_advisory_xact_lock(${PARTITION_LOCK})`);
      const existing = new Set(
        (
          await runQuery<{ name: string }>(
            manager,
            sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE c.relname = ANY(${wanted.map((w) => w.name)}::text[])`,
          )
        ).map((row) => row.name),
      );
      const created = new Set<string>();
      for (const { month, table, name } of wanted) {
        if (existing.has(name)) continue;
        // DDL takes no parameters: the name and bounds are built from numbers, never from a request.
        await runQuery(
          manager,
          sql`CREATE TABLE IF NOT EXISTS ${identifier(name)} PARTITION OF ${raw(table)}
              FOR VALUES FROM (${raw(`'${startOf(month)}'`)}) TO (${raw(`'${startOf(nextMonth(month))}'`)})${raw(STORAGE[table])}`,
        );
        created.add(partitionName(month));
      }
      this.created.inc(created.size);
      return created.size;
    });
  }

  /**
   * The months ending at or before `cutoffUs` whose row partition still takes more room than an
   * empty one: a pack emptied them (or was stopped before it compacted them).
   */
  async uncompacted(cutoffUs: number): Promise<Month[]> {
    const rows = await runQuery<{ name: string }>(
      this.dataSource,
      sql`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'sample'::regclass AND pg_total_relation_size(c.oid) > 16384`,
    );
    return rows
      .map((row) => monthOfPartition(row.name))
      .filter(
        (month): month is Month => month !== undefined && Date.parse(startOf(nextMonth(month))) * 1000 <= cutoffUs,
      );
  }

  /**
   * After a pack moved rows of `months` into blocks: empties the files of each month's row partition
   * that has no row left (TRUNCATE, checked under its lock: a write that came meanwhile keeps it),
   * else vacuums it, so reads skip the packed rows' index entries at once and their space is free.
   * The lock waits at most a second for a query that reads the month: else the month is vacuumed.
   */
  async compact(months: readonly Month[]): Promise<void> {
    for (const month of uniqueMonths(months)) {
      const name = identifier(partitionName(month));
      const emptied = await this.dataSource
        .transaction(async (manager) => {
          await runQuery(manager, sql`SET LOCAL lock_timeout = '1s'`);
          await runQuery(manager, sql`LOCK TABLE ${name} IN ACCESS EXCLUSIVE MODE`);
          const [row] = await runQuery<{ empty: boolean }>(
            manager,
            sql`SELECT NOT EXISTS (SELECT 1 FROM ${name}) AS empty`,
          );
          if (row?.empty) await runQuery(manager, sql`TRUNCATE ${name}`);
          return row?.empty === true;
        })
        .catch(() => false);
      if (!emptied) await runQuery(this.dataSource, sql`VACUUM (ANALYZE) ${name}`);
    }
  }

  /**
   * Drops, whole, every partition (rows, blocks and rollups) whose month ends at or before `cutoffUs` (it holds only samples
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
              WHERE i.inhparent IN ('sample'::regclass, 'sample_block'::regclass, 'sample_rollup'::regclass)
              -- A read locks the row partitions, then the block partitions, then the rollups, each in
              -- month order: dropping in that order too, a read waits for the drop and never deadlocks with it.
              ORDER BY i.inhparent = 'sample_rollup'::regclass, i.inhparent = 'sample_block'::regclass, c.relname`,
        )
      ).map((row) => row.name);
      const expired = names.filter((name) => {
        const month = monthOfPartition(name);
        return month !== undefined && Date.parse(startOf(nextMonth(month))) * 1000 <= cutoffUs;
      });
      for (const name of expired) await runQuery(manager, sql`DROP TABLE ${identifier(name)}`);
      this.dropped.inc(new Set(expired.map((name) => name.replace(/^sample_(block|rollup)_/, 'sample_'))).size);
      return expired;
    });
  }
}

function uniqueMonths(months: readonly Month[]): Month[] {
  return [...new Map(months.map((month) => [partitionName(month), month])).values()];
}

function monthOfPartition(name: string): Month | undefined {
  const match = /^sample(?:_block|_rollup)?_y(\d{4})m(\d{2})$/.exec(name);
  return match ? { year: Number(match[1]), month: Number(match[2]) } : undefined;
}
