import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

import { compile, paramRefs, type ParamRefs, type Sql } from './sql';

/**
 * A prepared statement written with the `sql` tag: `(p) => sql`SELECT ... WHERE id = ${p.deviceId}``,
 * where `p.deviceId` names the property of the parameters object that `$n` is bound from.
 */
export function prepared<Params, Row>(
  name: string,
  build: (p: ParamRefs<Params>) => Sql,
): PreparedStatement<Params, Row> {
  const compiled = compile<Params>(build(paramRefs<Params>()), name);
  return new PreparedStatement<Params, Row>(name, compiled.text, (params) => compiled.bind(params));
}

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
 * The text is written with the `sql` tag (src/database/sql.ts): `${p.deviceId}` names a property
 * of the parameters object (`Params`), numbered `$n` by the tag and bound from the object when the
 * statement runs, so no one counts `$n` by hand. Rows are typed (`Row`). Errors come unwrapped from
 * the driver (not as TypeORM's QueryFailedError); classifyDatabaseError reads both.
 */
export class PreparedStatement<Params, Row> {
  /**
   * @param name unique among the application's statements: node-postgres refuses one name with
   *   two texts on a connection.
   * @param text the text PostgreSQL prepares, with `$1..$n` (made by `prepared`).
   * @param bind the values of `$1..$n`, from the parameters object.
   */
  constructor(
    readonly name: string,
    readonly text: string,
    readonly bind: (params: Params) => unknown[],
  ) {}

  /** The same statement, run with parameters of another shape that `adapt` turns into its own. */
  adapt<Outer>(adapt: (params: Outer) => Params): PreparedStatement<Outer, Row> {
    return new PreparedStatement<Outer, Row>(this.name, this.text, (params) => this.bind(adapt(params)));
  }

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
