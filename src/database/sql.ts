/**
 * SQL that numbers its own parameters. A statement is written as a tagged template; what goes in
 * `${...}` is never pasted into the text:
 *
 * - a named parameter of the statement, `${p.deviceId}` (p: the statement's ParamRefs), becomes
 *   `$n`, the same `$n` every time the name recurs, bound from the parameters object when the
 *   statement runs (see PreparedStatement);
 * - a fragment, `${sql`AND p.point_type = ${p.pointType}`}`, is spliced in, its parameters
 *   numbered in the order they appear in the whole text;
 * - `raw(text)` goes in as written: only for text the code chose (an identifier it built, a
 *   direction keyword), never for a value from a request;
 * - anything else is a value bound as the next `$n` (for one-off queries, see `toQuery`).
 *
 * Casts stay SQL: `${p.timeseriesIds}::uuid[]`. So the text reads as the SQL PostgreSQL runs and
 * no one counts `$n` by hand.
 */

/** A named parameter: the property `name` of the parameters object a statement runs with. */
export class ParamRef {
  constructor(readonly name: string) {}
}

/** A bound value, fixed when the fragment was written. */
class BoundValue {
  constructor(readonly value: unknown) {}
}

type Part = string | ParamRef | BoundValue | Sql;

/** A piece of SQL: text with parameters and values in place, numbered when compiled. */
export class Sql {
  private constructor(readonly parts: readonly Part[]) {}

  static of(strings: readonly string[], holes: readonly unknown[]): Sql {
    const parts: Part[] = [];
    strings.forEach((text, index) => {
      if (text !== '') parts.push(text);
      if (index < holes.length) parts.push(partOf(holes[index]));
    });
    return new Sql(parts);
  }
}

function partOf(hole: unknown): Part {
  if (hole instanceof Sql || hole instanceof ParamRef) return hole;
  return new BoundValue(hole);
}

/** The tag: `sql`SELECT ... WHERE id = ${p.id}``. */
export function sql(strings: TemplateStringsArray, ...holes: unknown[]): Sql {
  return Sql.of(strings, holes);
}

/** Text the code chose, spliced in as written: never a value from a request. */
export function raw(text: string): Sql {
  return Sql.of([text], []);
}

/** A quoted identifier (a table name the code built): `"sample_y2026m11"`. */
export function identifier(name: string): Sql {
  return raw(`"${name.replaceAll('"', '""')}"`);
}

/** An empty fragment, for an optional condition: `${filtered ? sql`AND ...` : empty}`. */
export const empty = sql``;

/** The fragments separated by `separator` (`, ` by default); empty fragments are left out. */
export function join(fragments: readonly Sql[], separator = ', '): Sql {
  const kept = fragments.filter((fragment) => fragment.parts.length > 0);
  if (kept.length === 0) return empty;
  return Sql.of(['', ...kept.slice(1).map(() => separator), ''], kept);
}

/** The named parameters of a statement with parameters `P`: `p.name` for each property. */
export type ParamRefs<P> = { readonly [K in keyof P & string]-?: ParamRef };

/** A ParamRefs whose every property is the ParamRef of its name. */
export function paramRefs<P>(): ParamRefs<P> {
  return new Proxy({} as ParamRefs<P>, {
    get: (_target, name) => {
      if (typeof name !== 'string') throw new Error('Statement parameters are named by strings');
      return new ParamRef(name);
    },
  });
}

/** A compiled statement: its text with `$1..$n`, and how to get the values of `$1..$n`. */
export interface CompiledSql<P> {
  text: string;
  /** The names of the named parameters, in `$n` order (bound values have no name). */
  names: readonly string[];
  bind(params: P): unknown[];
}

/** Numbers the parameters of `query` in the order they appear (a recurring name keeps its number). */
export function compile<P>(query: Sql, label = 'statement'): CompiledSql<P> {
  let text = '';
  const slots: Array<ParamRef | BoundValue> = [];
  const numbers = new Map<string, number>();
  const visit = (fragment: Sql) => {
    for (const part of fragment.parts) {
      if (typeof part === 'string') text += part;
      else if (part instanceof Sql) visit(part);
      else if (part instanceof ParamRef) {
        let number = numbers.get(part.name);
        if (number === undefined) {
          slots.push(part);
          number = slots.length;
          numbers.set(part.name, number);
        }
        text += `$${number}`;
      } else {
        slots.push(part);
        text += `$${slots.length}`;
      }
    }
  };
  visit(query);
  const names = slots.flatMap((slot) => (slot instanceof ParamRef ? [slot.name] : []));
  return {
    text,
    names,
    bind: (params: P) =>
      slots.map((slot) => {
        if (slot instanceof BoundValue) return slot.value;
        const value = (params as Record<string, unknown>)[slot.name];
        // A parameter left out is a bug in the caller, not a NULL: say which.
        if (value === undefined) throw new Error(`${label}: parameter "${slot.name}" is undefined`);
        return value;
      }),
  };
}

/** A one-off query (no named parameters): its text and values, for `query(text, values)`. */
export function toQuery(query: Sql): { text: string; values: unknown[] } {
  const compiled = compile<Record<string, never>>(query, 'query');
  if (compiled.names.length > 0) {
    throw new Error(`toQuery: named parameters (${compiled.names.join(', ')}) need a PreparedStatement`);
  }
  return { text: compiled.text, values: compiled.bind({}) };
}

/** Whatever runs `query(text, values)`: an EntityManager, a QueryRunner, a DataSource. */
export interface Queryable {
  query<T = unknown>(text: string, values?: unknown[]): Promise<T>;
}

/** Runs a one-off query (no named parameters) on `target` and returns its rows. */
export function runQuery<Row>(target: Queryable, query: Sql): Promise<Row[]> {
  const { text, values } = toQuery(query);
  // Without values, the simple protocol (DDL and SET take no parameters).
  return values.length > 0 ? target.query<Row[]>(text, values) : target.query<Row[]>(text);
}
