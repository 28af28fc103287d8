import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { isConnectionFailure } from './database-errors';
import { runQuery, sql } from './sql';

/** Whether a replica is a standby, and how far its replay is behind (0 when it has replayed all it received). */
const REPLICA_STATE = sql`
SELECT pg_is_in_recovery() AS standby,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 END AS lag_ms`;

/** How often each replica is checked: reachable, in recovery, and how far behind. */
const CHECK_INTERVAL_MS = 1000;
/** A check still unanswered after this long means the replica hangs: it is taken out of use. */
const CHECK_TIMEOUT_MS = 3000;

export type ReplicaState = 'up' | 'down' | 'lagging';

export interface ReplicaStatus {
  /** host:port/database, never the credentials. */
  name: string;
  state: ReplicaState;
  /** How far the replica is behind the primary (0 when it has replayed all it received). */
  lagMs: number | null;
}

interface Replica {
  name: string;
  dataSource: DataSource;
  state: ReplicaState;
  lagMs: number | null;
  /** When the check in progress started; undefined when none is. */
  checkingSince?: number;
}

/**
 * Where reads go: to a hot standby of DATABASE_REPLICA_URLS that is up and at most
 * DB_REPLICA_MAX_LAG_MS behind (round robin among them), else to the primary. Each replica is its
 * own connection pool, checked every second (reachable, `pg_is_in_recovery()`, replay lag); a read
 * whose replica turns out to be unreachable is marked down and run again on the primary, so a
 * stopped replica costs a read nothing but the fallback.
 *
 * Not TypeORM's `replication` option: it picks a replica at random for every query runner, with
 * no health or lag check, and a read on a dead replica fails instead of falling back.
 */
@Injectable()
export class ReadReplicas implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ReadReplicas');
  private readonly replicas: Replica[];
  private readonly maxLagMs: number;
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly primary: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.maxLagMs = config.database.replicaMaxLagMs;
    this.replicas = config.database.replicaUrls.map((url) => ({
      name: nameOf(url),
      state: 'down',
      lagMs: null,
      dataSource: new DataSource({
        ...dataSourceOptions({ ...config, database: { ...config.database, url } }),
        applicationName: 'device-timeseries-api-reads',
        // A replica is only ever read: no migrations, no entities needed for raw statements.
        migrations: [],
      }),
    }));
  }

  async onModuleInit(): Promise<void> {
    if (this.replicas.length === 0) return;
    await this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all(this.replicas.filter((r) => r.dataSource.isInitialized).map((r) => r.dataSource.destroy()));
  }

  /** The state of every replica, for readiness. */
  status(): ReplicaStatus[] {
    return this.replicas.map(({ name, state, lagMs }) => ({ name, state, lagMs }));
  }

  /**
   * Runs a read on a usable replica, or on the primary when there is none; when the replica fails
   * as unreachable, on the primary again. `confirmOnPrimary`: a result the replica may give only
   * because it has not replayed a recent write yet (a device or timeseries not found) is asked of
   * the primary before it becomes a 403, 404 or 400. Never use it for a write or inside a write's
   * transaction.
   */
  async read<T>(work: (dataSource: DataSource) => Promise<T>, confirmOnPrimary?: (result: T) => boolean): Promise<T> {
    const replica = this.pick();
    if (!replica) return work(this.primary);
    let result: T;
    try {
      result = await work(replica.dataSource);
    } catch (error) {
      // Only a replica that cannot be reached: a slow or wrong statement would fail there too.
      if (!isConnectionFailure(error)) throw error;
      this.markDown(replica, error);
      return work(this.primary);
    }
    return confirmOnPrimary?.(result) ? work(this.primary) : result;
  }

  private pick(): Replica | undefined {
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.next + i) % this.replicas.length]!;
      if (replica.state === 'up') {
        this.next = (this.next + i + 1) % this.replicas.length;
        return replica;
      }
    }
    return undefined;
  }

  private async checkAll(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => this.check(replica)));
  }

  private async check(replica: Replica): Promise<void> {
    // One check at a time per replica: a replica that does not answer (a host gone silent, not
    // refusing) would otherwise collect a stuck check, and a pooled connection, every second.
    if (replica.checkingSince !== undefined) {
      if (Date.now() - replica.checkingSince > CHECK_TIMEOUT_MS) {
        this.markDown(replica, new Error(`no answer to the health check within ${CHECK_TIMEOUT_MS} ms`));
      }
      return;
    }
    replica.checkingSince = Date.now();
    try {
      if (!replica.dataSource.isInitialized) await replica.dataSource.initialize();
      const [row] = await runQuery<{ standby: boolean; lag_ms: number | null }>(replica.dataSource, REPLICA_STATE);
      const lagMs = row?.lag_ms ?? null;
      const state: ReplicaState = !row?.standby ? 'down' : lagMs !== null && lagMs > this.maxLagMs ? 'lagging' : 'up';
      if (!row?.standby && replica.state !== 'down') {
        this.logger.warn(`Replica ${replica.name} is not a standby (pg_is_in_recovery() is false): not used for reads`);
      }
      this.transition(replica, state, lagMs);
    } catch (error) {
      this.markDown(replica, error);
    } finally {
      replica.checkingSince = undefined;
    }
  }

  private markDown(replica: Replica, error: unknown): void {
    if (replica.state !== 'down') {
      this.logger.warn(
        `Replica ${replica.name} is unreachable (${error instanceof Error ? error.message : String(error)}): reads go to the primary`,
      );
    }
    replica.state = 'down';
    replica.lagMs = null;
  }

  private transition(replica: Replica, state: ReplicaState, lagMs: number | null): void {
    if (state !== replica.state) {
      this.logger.log(
        `Replica ${replica.name} is ${state}${lagMs === null ? '' : ` (${Math.round(lagMs)} ms behind)`}`,
      );
    }
    replica.state = state;
    replica.lagMs = lagMs === null ? null : Math.round(lagMs);
  }
}

function nameOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}
