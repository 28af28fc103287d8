/**
 * How each table would be laid out on a distributed PostgreSQL (Citus), the plan of
 * docs/scale-out.md. Nothing runs it on one server; it is the rule the schema keeps so that the step
 * costs no redesign: a distributed table's every unique key (primary keys included) and every
 * foreign key between distributed tables holds its distribution column (checked against the real
 * schema by test/e2e/distribution.e2e-spec.ts). A new table joins the plan or the test fails.
 */
export type TableDistribution =
  /** Sharded by the column; tables with the same `colocateWith` keep equal values on one node. */
  | { kind: 'distributed'; column: string; colocateWith?: string }
  /** Copied to every node: small, read by joins from any shard. */
  | { kind: 'reference' }
  /** Stays on the coordinator only (bookkeeping the service alone reads). */
  | { kind: 'local' };

export const DISTRIBUTION: Readonly<Record<string, TableDistribution>> = {
  // A device, its points and their timeseries live together: every device route names the device.
  device: { kind: 'distributed', column: 'id' },
  point: { kind: 'distributed', column: 'device_id', colocateWith: 'device' },
  timeseries: { kind: 'distributed', column: 'device_id', colocateWith: 'device' },
  // Samples by their series: one series' samples are one shard's index range, and a device's
  // series spread over the nodes (a device's history is not bound to one node's disk).
  sample: { kind: 'distributed', column: 'series_key' },
  // A series' packed blocks beside its rows: every read unions the two for one series key.
  sample_block: { kind: 'distributed', column: 'series_key', colocateWith: 'sample' },
  // A series' rollups beside its blocks: they are written in the blocks' transactions.
  sample_rollup: { kind: 'distributed', column: 'series_key', colocateWith: 'sample' },
  // The live streams' event log, its horizon and the browser tickets: on the coordinator, where the
  // ordering lock and NOTIFY are (docs/stream.md). Citus does not mix a local table's insert into a
  // distributed statement: there a write would append its event as a second statement (docs/scale-out.md).
  sample_event: { kind: 'local' },
  sample_event_horizon: { kind: 'local' },
  stream_ticket: { kind: 'local' },
  // TypeORM's record of applied migrations.
  migrations: { kind: 'local' },
};

/**
 * The statements that distribute an existing database (run on the Citus coordinator once its
 * workers are added), in dependency order: a table is distributed after the one it is co-located
 * with. Printed in docs/scale-out.md; the test keeps the two the same.
 */
export function distributionStatements(plan: Readonly<Record<string, TableDistribution>> = DISTRIBUTION): string[] {
  const statements: string[] = [];
  for (const [table, distribution] of Object.entries(plan)) {
    if (distribution.kind === 'reference') statements.push(`SELECT create_reference_table('${table}');`);
    if (distribution.kind !== 'distributed') continue;
    const colocation = distribution.colocateWith ? `, colocate_with => '${distribution.colocateWith}'` : '';
    statements.push(`SELECT create_distributed_table('${table}', '${distribution.column}'${colocation});`);
  }
  return statements;
}
