import { EventEmitter } from 'node:events';

import { PGlite, type Results } from '@electric-sql/pglite';

import type { NamedQuery } from './prepared-statement';

/**
 * A node-postgres shaped driver over embedded PGlite, for TypeORM's `postgres` dialect
 * (`DataSourceOptions.driver`). PGlite is one session in one process, so the "pool" hands its
 * single connection to one query runner at a time: a transaction owns the session until it is
 * released, exactly as with a pg pool of size 1. (typeorm-pglite shares the session between
 * concurrent query runners, which interleaves their transactions; that is why this file exists.)
 */
export interface PgliteDriver {
  Pool: new () => PglitePool;
}

export function pgliteDriver(dataDir: string): PgliteDriver {
  return {
    Pool: class extends PglitePool {
      constructor() {
        super(dataDir);
      }
    },
  };
}

type ConnectCallback = (error: Error | null, client: PgliteClient | null, release: (error?: unknown) => void) => void;

interface PgShapedResult {
  rows: unknown[];
  rowCount: number;
  command: string;
}

class PglitePool extends EventEmitter {
  private readonly db: Promise<PGlite>;
  private readonly client: PgliteClient;
  private readonly waiting: Array<() => void> = [];
  private busy = false;

  constructor(dataDir: string) {
    super();
    this.db = PGlite.create(dataDir);
    // A failed start-up surfaces from connect(); keep it from being an unhandled rejection meanwhile.
    this.db.catch(() => undefined);
    this.client = new PgliteClient(this.db);
  }

  /** node-postgres's pool counters, for the metrics: one session, busy or idle, and its queue. */
  get totalCount(): number {
    return 1;
  }

  get idleCount(): number {
    return this.busy ? 0 : 1;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  connect(callback: ConnectCallback): void {
    this.db.then(
      () =>
        this.acquire(() => {
          let released = false;
          callback(null, this.client, () => {
            if (released) return;
            released = true;
            this.releaseSession();
          });
        }),
      (error: unknown) => callback(asError(error), null, () => undefined),
    );
  }

  end(callback: (error?: Error | null) => void): void {
    this.db
      .then((db) => db.close())
      .then(
        () => callback(null),
        (error: unknown) => callback(asError(error)),
      );
  }

  private acquire(grant: () => void): void {
    if (this.busy) {
      this.waiting.push(grant);
      return;
    }
    this.busy = true;
    grant();
  }

  private releaseSession(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
    } else {
      this.busy = false;
    }
  }
}

class PgliteClient extends EventEmitter {
  constructor(private readonly db: Promise<PGlite>) {
    super();
  }

  /**
   * TypeORM sends text and parameters; PreparedStatement sends node-postgres's query config. PGlite
   * has no named statements to keep: the name is not needed to run the text.
   */
  async query(statement: string | NamedQuery, parameters?: unknown[]): Promise<PgShapedResult> {
    const db = await this.db;
    const sql = typeof statement === 'string' ? statement : statement.text;
    const values = typeof statement === 'string' ? parameters : statement.values;
    if (values && values.length > 0) {
      return toPgShape(sql, await db.query(sql, values));
    }
    // Without parameters TypeORM may send several statements at once (migrations do); PGlite's
    // exec runs them all and, like pg, the last statement's result is the one reported.
    const results = await db.exec(sql);
    return toPgShape(sql, results[results.length - 1] ?? { rows: [], fields: [] });
  }
}

function toPgShape(sql: string, result: Results): PgShapedResult {
  return {
    rows: result.rows,
    rowCount: result.affectedRows ?? result.rows.length,
    command: /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase() ?? '',
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
