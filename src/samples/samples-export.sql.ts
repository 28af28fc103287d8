import { raw, sql, type Sql } from '../database/sql';
import type { SampleRow } from '../series/series.sql';
import type { ReadSamplesParams, ReadStatement } from './samples.sql';

/* An unpaginated read (an export): the probe and a cursor in one REPEATABLE READ snapshot. */

export const BEGIN_EXPORT = sql`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY`;
export const COMMIT = sql`COMMIT`;
export const ROLLBACK = sql`ROLLBACK`;

/** The cursor an export fetches its rows from: the read statement's text and values behind DECLARE. */
export function declareExport(
  read: ReadStatement<SampleRow>,
  params: ReadSamplesParams,
): { text: string; values: unknown[] } {
  return { text: `DECLARE samples_export NO SCROLL CURSOR FOR ${read.text}`, values: read.bind(params) };
}

/** The next `rows` rows of the export's cursor. */
export const fetchExport = (rows: number): Sql => sql`FETCH ${raw(String(Math.trunc(rows)))} FROM samples_export`;
