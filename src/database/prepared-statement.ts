import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/** A query sent by name: node-postgres prepares it on a connection's first use and binds it after. */
export interface NamedQuery {
  name: string;
  text: string;
  values: unknown[];
}

/** What the pools behind TypeORM hand out (a node-postgres client, or the PGlite driver's client). */
interface NamedQueryClient {
  query(query: NamedQuery): Promise<{ rows: unknown[] }>;
}

/**
 * A hot statement, prepared once per connection. PostgreSQL parses and plans an unnamed statement
 * on every execution and the client resends its whole text every time; a named one is parsed once
 * per connection, later executions send only the name and the values (docs/performance.md measures
 * what that buys). `run` sends it as one statement on its own, outside any transaction: a statement
 * is atomic by itself, so a write that fits in one statement needs no BEGIN/COMMIT round trips;
 * `runIn` sends it inside a transaction.
 *
 * Parameters are an object (`Params`), turned into the statement's positional values by `bind`,
 * written beside the SQL text so `$1..$n` and their meaning sit together; rows are typed (`Row`).
 * Errors come unwrapped from the driver (not as TypeORM's QueryFailedError); classifyDatabaseError
 * reads both.
 */
export class PreparedStatement<Params, Row> {
  /**
   * @param name unique among the application's statements: node-postgres refuses one name with
   *   two texts on a connection.
   * @param bind the positional values `$1..$n` of `params`.
   */
  constructor(
    readonly name: string,
    readonly text: string,
    readonly bind: (params: Params) => unknown[],
  ) {}

  /** The query node-postgres sends (also what the benchmark's references run). */
  query(params: Params): NamedQuery {
    return { name: this.name, text: this.text, values: this.bind(params) };
  }

  /** Runs the statement on a connection of the data source's pool and returns its rows. */
  async run(dataSource: DataSource, params: Params): Promise<Row[]> {
    const runner = dataSource.createQueryRunner('master');
    try {
      return await this.runOn(runner, params);
    } finally {
      await runner.release();
    }
  }

  /** Runs the statement inside the transaction of `manager` (from DataSource#transaction). */
  runIn(manager: EntityManager, params: Params): Promise<Row[]> {
    if (!manager.queryRunner) throw new Error('PreparedStatement.runIn() needs the manager of a transaction');
    return this.runOn(manager.queryRunner, params);
  }

  /** Runs the statement on a query runner the caller holds (inside its transaction, if any). */
  async runOn(runner: QueryRunner, params: Params): Promise<Row[]> {
    const client = (await runner.connect()) as NamedQueryClient;
    const { rows } = await client.query(this.query(params));
    return rows as Row[];
  }
}
