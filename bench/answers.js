'use strict';

/**
 * How the benchmark compares two answers of stats or aggregates that may add up their sums in
 * another order (rollups, src/series/sample-rollups.sql.ts): count, min, max, first and last equal,
 * sum, avg and twa within 1e-9 relative, as the rollups' tests do.
 */

const RELATIVE = 1e-9;
const SUMMED = new Set(['sum', 'avg', 'twa']);

/**
 * Where two answers differ beyond the rule (sums within 1e-9 relative, the rest equal), or null.
 * @param {unknown} a
 * @param {unknown} b
 * @param {string} path
 * @returns {string | null}
 */
function difference(a, b, path = '') {
  if (typeof a === 'number' && typeof b === 'number' && SUMMED.has(path.split('.').pop() ?? '')) {
    const scale = Math.max(Math.abs(a), Math.abs(b));
    return Math.abs(a - b) <= RELATIVE * scale ? null : `${path}: ${a} vs ${b}`;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = difference(/** @type {any} */ (a)[key], /** @type {any} */ (b)[key], `${path}.${key}`);
      if (found) return found;
    }
    return null;
  }
  return a === b ? null : `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

module.exports = { difference };
