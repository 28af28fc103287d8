import { instantForDatabase } from '../series/instants';
import type { PackCandidateRow, PackParams } from './history.sql';

/** A block holds about this many samples at least, where the series' density allows (docs/storage.md). */
export const BLOCK_SAMPLES = 500;

const HOUR_US = 3_600_000_000;

/** One transaction of a pack: a series' rows of one month at most. */
export type PackChunk = PackParams;

/**
 * The period of a series' blocks: the one of its existing blocks (a series keeps its period, so
 * blocks never overlap), else the shortest of a UTC hour, day or month that holds BLOCK_SAMPLES
 * at the density of the rows to pack: a 1-second series packs by the hour, a minute series by
 * the day, a 15-minute one by the month (blocks never cross a month: retention drops months).
 */
export function unitOf(candidate: PackCandidateRow): PackParams['unit'] {
  if (candidate.period_seconds !== null) {
    return candidate.period_seconds === 3600 ? 'hour' : candidate.period_seconds === 86_400 ? 'day' : 'month';
  }
  const perHour = candidate.count / Math.max((candidate.last_us - candidate.first_us) / HOUR_US, 1);
  if (perHour >= BLOCK_SAMPLES) return 'hour';
  if (perHour * 24 >= BLOCK_SAMPLES) return 'day';
  return 'month';
}

/** The start of the UTC `unit` holding `us`, in epoch ms. */
export function periodStartMs(us: number, unit: PackParams['unit']): number {
  const date = new Date(Math.floor(us / 1000));
  const [year, month, day, hour] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), date.getUTCHours()];
  if (unit === 'month') return Date.UTC(year, month, 1);
  return unit === 'day' ? Date.UTC(year, month, day) : Date.UTC(year, month, day, hour);
}

/**
 * The transactions that pack a candidate: its rows from the first up to the start of the period
 * that holds the cutoff (a period is packed once it has wholly passed), a UTC month at a time.
 */
export function packChunks(candidate: PackCandidateRow, cutoffUs: number): PackChunk[] {
  const unit = unitOf(candidate);
  const endMs = periodStartMs(cutoffUs, unit);
  const chunks: PackChunk[] = [];
  for (let fromMs = periodStartMs(candidate.first_us, 'month'); fromMs < endMs;) {
    const date = new Date(fromMs);
    const next = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    const toMs = Math.min(next, endMs);
    if (toMs * 1000 > candidate.first_us) {
      chunks.push({
        seriesKey: candidate.series_key,
        metric: candidate.metric,
        from: instantForDatabase(fromMs * 1000),
        to: instantForDatabase(toMs * 1000),
        unit,
      });
    }
    fromMs = next;
  }
  return chunks;
}
