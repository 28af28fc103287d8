import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { isMissingPartition } from '../database/database-errors';
import { ReadReplicas } from '../database/read-replicas';
import { SamplePartitions, type Month } from '../series/sample-partitions';
import { LOCK_SERIES } from '../series/sample-blocks.sql';
import { APPEND_EVENT, SAMPLE_EVENT_KINDS } from '../events/sample-events.sql';
import { REBUILD_ROLLUPS } from '../series/sample-rollups.sql';
import type { SamplePositionRow, SampleRow } from '../series/series.sql';
import { runQuery } from '../database/sql';
import { BEGIN_EXPORT, COMMIT, declareExport, fetchExport, ROLLBACK } from './samples-export.sql';
import {
  DELETE_SAMPLES,
  probeStatementFor,
  readStatementFor,
  WRITE_SAMPLES,
  type DeleteSamplesParams,
  type DeleteSamplesRow,
  type ReadSamplesParams,
  type WriteSamplesParams,
  type WriteSamplesRow,
} from './samples.sql';

/** How many rows an export fetches from its cursor at a time: its memory is about this many rows. */
const EXPORT_BATCH = 2000;

/** An unpaginated read, opened: its probe answered, its rows still in the database. */
export interface OpenExport {
  probe: SamplePositionRow[];
  /** The rows, fetched batch by batch; ends (and frees the connection) when done or returned early. */
  rows(): AsyncGenerator<SampleRow[], void, undefined>;
  /** Ends the read without fetching (after a refusal). */
  close(): Promise<void>;
}

/** The samples feature's persistence: its statements (samples.sql.ts) behind typed methods. */
@Injectable()
export class SamplesRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly partitions: SamplePartitions,
    private readonly replicas: ReadReplicas,
  ) {}

  /**
   * Writes the samples in one statement. When one falls in a month without a partition (the
   * statement then wrote nothing), creates the partitions of `months()` and writes again: the
   * months are only worked out then, not on every write.
   */
  async write(params: WriteSamplesParams, months: () => readonly Month[]): Promise<WriteSamplesRow> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = await WRITE_SAMPLES.run(this.dataSource, params);
        if (!row) throw new Error('The samples statement returned no row');
        return row;
      } catch (error) {
        if (!isMissingPartition(error) || attempt >= 2) throw error;
        await this.partitions.ensure(months());
      }
    }
  }

  /**
   * Deletes the samples of the timeseries in [start, end) from both tiers, on the primary; returns
   * how many, with the rollups of the days whose blocks it cut. Under the series' locks, so no pack
   * of them runs meanwhile. `eventOf` makes the stream's event of what was deleted (none: no event).
   */
  async delete(
    params: DeleteSamplesParams,
    eventOf: (row: DeleteSamplesRow) => { deviceId: string; payload: string } | undefined,
  ): Promise<{ deleted: number; eventId: number | undefined }> {
    return this.dataSource.transaction(async (manager) => {
      await LOCK_SERIES.runIn(manager, params);
      const [row] = await DELETE_SAMPLES.runIn(manager, params);
      if (!row) throw new Error('The delete statement returned no row');
      // Cut blocks: their days' summaries follow before the commit, so no answer sees one without the other.
      if (row.blocks > 0)
        await REBUILD_ROLLUPS.runIn(manager, { ...params, from: params.start, to: params.end, toInclusive: false });
      // The stream's event last: it holds the events' lock until the commit (series/sample-events.sql.ts).
      const event = eventOf(row);
      const [logged] = event ? await APPEND_EVENT.runIn(manager, { ...event, kind: SAMPLE_EVENT_KINDS.deleted }) : [];
      return { deleted: row.deleted, eventId: logged ? Number(logged.id) : undefined };
    });
  }

  /** One page, at most `limit` samples. */
  readPage(params: ReadSamplesParams, descending: boolean): Promise<SampleRow[]> {
    return this.replicas.read((dataSource) =>
      readStatementFor(params.streams.length, descending).run(dataSource, params),
    );
  }

  /**
   * An unpaginated read of at most `params.limit` samples, consistent from probe to last row: one
   * REPEATABLE READ, read-only transaction holds the probe and a cursor the rows are fetched from,
   * EXPORT_BATCH at a time, so memory stays constant however large the answer.
   */
  openExport(params: ReadSamplesParams, descending: boolean): Promise<OpenExport> {
    return this.replicas.read((dataSource) => this.openExportOn(dataSource, params, descending));
  }

  private async openExportOn(
    dataSource: DataSource,
    params: ReadSamplesParams,
    descending: boolean,
  ): Promise<OpenExport> {
    const runner = dataSource.createQueryRunner('master');
    let open = true;
    const close = async (commit: boolean) => {
      if (!open) return;
      open = false;
      try {
        await runQuery(runner, commit ? COMMIT : ROLLBACK);
      } finally {
        await runner.release();
      }
    };
    try {
      await runner.connect();
      await runQuery(runner, BEGIN_EXPORT);
      const probe = await probeStatementFor(params.streams.length, descending).runOn(runner, params);
      const read = readStatementFor(params.streams.length, descending);
      return {
        probe,
        async *rows() {
          try {
            const cursor = declareExport(read, params);
            await runner.query(cursor.text, cursor.values);
            for (;;) {
              const batch = await runQuery<SampleRow>(runner, fetchExport(EXPORT_BATCH));
              if (batch.length > 0) yield batch;
              if (batch.length < EXPORT_BATCH) break;
            }
            await close(true);
          } finally {
            await close(false);
          }
        },
        close: () => close(false),
      };
    } catch (error) {
      await close(false).catch(() => undefined);
      throw error;
    }
  }
}
