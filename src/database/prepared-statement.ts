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
 * Errors come unwrapped from the driver (not as TypeORM's QueryFailedError); classifyDatabaseError
 * reads both.
 */
export class PreparedStatement<Row> {
  /**
   * @param name unique among the application's statements: node-postgres refuses one name with
   *   two texts on a connection.
   */
  constructor(
    readonly name: string,
    readonly text: string,
  ) {}

  /** Runs the statement on a connection of the data source's pool and returns its rows. */
  async run(dataSource: DataSource, values: unknown[]): Promise<Row[]> {
    const runner = dataSource.createQueryRunner('master');
    try {
      return await this.runOn(runner, values);
    } finally {
      await runner.release();
    }
  }

  /** Runs the statement inside the transaction of `manager` (from DataSource#transaction). */
  runIn(manager: EntityManager, values: unknown[]): Promise<Row[]> {
    if (!manager.queryRunner) throw new Error('PreparedStatement.runIn() needs the manager of a transaction');
    return this.runOn(manager.queryRunner, values);
  }

  private async runOn(runner: QueryRunner, values: unknown[]): Promise<Row[]> {
    const client = (await runner.connect()) as NamedQueryClient;
    const { rows } = await client.query({ name: this.name, text: this.text, values });
    return rows as Row[];
  }
}
