import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DISTRIBUTION, distributionStatements, type TableDistribution } from '../../src/database/distribution';
import { ROOT } from '../support/server-process';
import { startTestApp, type TestApp } from '../support/test-app';

/**
 * The Citus plan (src/database/distribution.ts, docs/scale-out.md) against the schema the
 * migrations really build: every table has a place in it, every unique key and every foreign key
 * between distributed tables holds the distribution column.
 */
describe('the schema keeps the distribution plan', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const distributed = (table: string): Extract<TableDistribution, { kind: 'distributed' }> | undefined => {
    const plan = DISTRIBUTION[table];
    return plan?.kind === 'distributed' ? plan : undefined;
  };
  /** The co-location group: the table a chain of colocateWith ends at. */
  const groupOf = (table: string): string => {
    const next = distributed(table)?.colocateWith;
    return next ? groupOf(next) : table;
  };

  it('has a place for every table (partitions count as their parent)', async () => {
    const tables = await t.query<{ name: string }>(
      `SELECT relname AS name FROM pg_class
       WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition`,
    );
    expect(tables.map((row) => row.name).sort()).toEqual(Object.keys(DISTRIBUTION).sort());
  });

  it('holds the distribution column in every unique key, primary keys included', async () => {
    const keys = await t.query<{ table: string; key: string; columns: string[] }>(
      `SELECT c.relname AS table, i.relname AS key, array_agg(a.attname::text ORDER BY k.position) AS columns
       FROM pg_index x
       JOIN pg_class c ON c.oid = x.indrelid
       JOIN pg_class i ON i.oid = x.indexrelid
       CROSS JOIN LATERAL unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
       WHERE c.relnamespace = current_schema()::regnamespace AND x.indisunique AND NOT c.relispartition
       GROUP BY c.relname, i.relname`,
    );
    const shardedKeys = keys.filter((key) => distributed(key.table));
    // The rule is not vacuous: each distributed table has its primary key here.
    expect(new Set(shardedKeys.map((key) => key.table))).toEqual(
      new Set(Object.keys(DISTRIBUTION).filter((table) => distributed(table))),
    );
    const breaking = shardedKeys.filter((key) => !key.columns.includes(distributed(key.table)!.column));
    expect(breaking).toEqual([]);
  });

  it('joins distributed tables by foreign keys only on their distribution columns, within one co-location group', async () => {
    const foreignKeys = await t.query<{
      name: string;
      from: string;
      to: string;
      fromColumns: string[];
      toColumns: string[];
    }>(
      `SELECT con.conname AS name, src.relname AS from, dst.relname AS to,
              (SELECT array_agg(a.attname::text ORDER BY k.position) FROM unnest(con.conkey) WITH ORDINALITY AS k(num, position)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num) AS "fromColumns",
              (SELECT array_agg(a.attname::text ORDER BY k.position) FROM unnest(con.confkey) WITH ORDINALITY AS k(num, position)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num) AS "toColumns"
       FROM pg_constraint con
       JOIN pg_class src ON src.oid = con.conrelid
       JOIN pg_class dst ON dst.oid = con.confrelid
       WHERE con.contype = 'f' AND src.relnamespace = current_schema()::regnamespace AND NOT src.relispartition`,
    );
    expect(foreignKeys.length).toBeGreaterThan(0);
    const breaking = foreignKeys.filter((fk) => {
      const from = distributed(fk.from);
      const to = distributed(fk.to);
      if (!from || !to) return false;
      const position = fk.fromColumns.indexOf(from.column);
      return position < 0 || fk.toColumns[position] !== to.column || groupOf(fk.from) !== groupOf(fk.to);
    });
    expect(breaking).toEqual([]);
  });

  it('prints in docs/scale-out.md exactly the statements the plan gives', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'scale-out.md'), 'utf8');
    const printed = doc.split('\n').filter((line) => /^SELECT create_(distributed|reference)_table\(/.test(line));
    expect(printed).toEqual(distributionStatements());
  });

  it('distributes a table after the one it is co-located with, and copies reference tables', () => {
    expect(
      distributionStatements({
        tenant: { kind: 'distributed', column: 'id' },
        unit: { kind: 'reference' },
        item: { kind: 'distributed', column: 'tenant_id', colocateWith: 'tenant' },
        log: { kind: 'local' },
      }),
    ).toEqual([
      "SELECT create_distributed_table('tenant', 'id');",
      "SELECT create_reference_table('unit');",
      "SELECT create_distributed_table('item', 'tenant_id', colocate_with => 'tenant');",
    ]);
  });
});
