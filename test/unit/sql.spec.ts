import { prepared } from '../../src/database/prepared-statement';
import { compile, empty, identifier, join, paramRefs, raw, runQuery, sql, toQuery } from '../../src/database/sql';

interface Params {
  deviceId: string;
  ids: string[];
  limit: number;
  after: string | null;
}

describe('the sql tag', () => {
  const p = paramRefs<Params>();

  it('numbers named parameters in the order they first appear, and reuses the number of a name', () => {
    const query = compile<Params>(
      sql`SELECT 1 FROM t WHERE a = ${p.deviceId} AND b = ANY(${p.ids}::uuid[]) AND c = ${p.deviceId} LIMIT ${p.limit}`,
    );
    expect(query.text).toBe('SELECT 1 FROM t WHERE a = $1 AND b = ANY($2::uuid[]) AND c = $1 LIMIT $3');
    expect(query.names).toEqual(['deviceId', 'ids', 'limit']);
    expect(query.bind({ deviceId: 'd', ids: ['x'], limit: 5, after: null })).toEqual(['d', ['x'], 5]);
  });

  it('numbers the parameters of nested fragments where they fall in the whole text', () => {
    const condition = (after: boolean) => (after ? sql`AND k > ${p.after}` : empty);
    const query = compile<Params>(
      sql`SELECT ${raw('k')} FROM t WHERE d = ${p.deviceId} ${condition(true)} LIMIT ${p.limit}`,
    );
    expect(query.text).toBe('SELECT k FROM t WHERE d = $1 AND k > $2 LIMIT $3');
    expect(query.bind({ deviceId: 'd', ids: [], limit: 1, after: 'k9' })).toEqual(['d', 'k9', 1]);
    const without = compile<Params>(sql`SELECT k FROM t WHERE d = ${p.deviceId} ${condition(false)} LIMIT ${p.limit}`);
    expect(without.text).toBe('SELECT k FROM t WHERE d = $1  LIMIT $2');
    // A parameter the text does not use is not bound: PostgreSQL would need a type for it.
    expect(without.names).toEqual(['deviceId', 'limit']);
  });

  it('binds a value written in the template as the next parameter, never as text', () => {
    const hostile = "x'; DROP TABLE device; --";
    const query = toQuery(sql`SELECT * FROM device WHERE id = ${hostile} AND n = ${3}`);
    expect(query).toEqual({ text: 'SELECT * FROM device WHERE id = $1 AND n = $2', values: [hostile, 3] });
  });

  it('quotes identifiers and joins fragments, leaving out empty ones', () => {
    expect(toQuery(sql`DROP TABLE ${identifier('sample_y2026m11')}`).text).toBe('DROP TABLE "sample_y2026m11"');
    expect(toQuery(sql`SELECT ${identifier('a"b')}`).text).toBe('SELECT "a""b"');
    const columns = join([sql`a = ${1}`, empty, sql`b = ${2}`], ' AND ');
    expect(toQuery(sql`WHERE ${columns}`)).toEqual({ text: 'WHERE a = $1 AND b = $2', values: [1, 2] });
    expect(toQuery(sql`x${join([])}y`).text).toBe('xy');
  });

  it('refuses to bind a parameter that is missing from the parameters object', () => {
    const statement = prepared<Params, unknown>('test.missing', (q) => sql`SELECT ${q.deviceId}, ${q.limit}`);
    expect(() => statement.bind({ deviceId: 'd' } as Params)).toThrow('test.missing: parameter "limit" is undefined');
    // null is a value (SQL NULL), not a missing parameter.
    expect(
      prepared<Params, unknown>('test.null', (q) => sql`SELECT ${q.after}`).bind({ after: null } as Params),
    ).toEqual([null]);
  });

  it('will not run named parameters as a one-off query', () => {
    expect(() => toQuery(sql`SELECT ${p.deviceId}`)).toThrow(/named parameters \(deviceId\) need a PreparedStatement/);
  });

  it('runs a one-off query with its values, or without any on the simple protocol', async () => {
    const calls: unknown[][] = [];
    const target = {
      query: <T>(text: string, values?: unknown[]) => {
        calls.push(values === undefined ? [text] : [text, values]);
        return Promise.resolve([] as T);
      },
    };
    await runQuery(target, sql`SELECT pg_advisory_xact_lock(${42})`);
    await runQuery(target, sql`SET LOCAL lock_timeout = '5s'`);
    expect(calls).toEqual([['SELECT pg_advisory_xact_lock($1)', [42]], ["SET LOCAL lock_timeout = '5s'"]]);
  });

  it('gives an adapted statement the same text, binding parameters of another shape', () => {
    const inner = prepared<{ a: number; b: number }, unknown>('test.adapt', (q) => sql`SELECT ${q.b}, ${q.a}`);
    const outer = inner.adapt((pair: [number, number]) => ({ a: pair[0], b: pair[1] }));
    expect(outer.text).toBe(inner.text);
    expect(outer.query([1, 2])).toEqual({ name: 'test.adapt', text: 'SELECT $1, $2', values: [2, 1] });
  });
});
