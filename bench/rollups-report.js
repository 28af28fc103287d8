'use strict';

/** The rollups part of the report (bench/rollups.js): its targets and its section. */

const { round } = require('./stats');

/** @param {number} value */
const fmt = (value) => Math.round(value).toLocaleString('en-US');

/**
 * The targets of issue 18 (rollups), from a run's `samples` results.
 * @param {any} samples
 * @returns {import('./report').TargetCheck[]}
 */
function evaluateRollupTargets(samples) {
  const { rollups } = samples;
  /** @type {import('./report').TargetCheck[]} */
  const checks = [];
  const year = rollups.layout.days >= 365;
  const span = `${rollups.layout.days} days of minute data`;
  for (const c of rollups.cases) {
    const subject =
      c.name === 'stats' ? `stats of one series over ${span}` : `${c.description} over ${span} (${c.name})`;
    if (c.name !== 'stats') {
      checks.push({
        name: `${subject}: p50 with rollups`,
        goal: '≤ 20 ms',
        measured: `${c.on.p50Ms} ms (p99 ${c.on.p99Ms} ms, ${c.on.requests} requests one at a time)`,
        pass: year ? c.on.p50Ms <= 20 : null,
      });
    }
    checks.push({
      name: `${subject}: SAMPLES_ROLLUPS=off p50 / rollups p50`,
      goal: '≥ 50×',
      measured: `${c.ratio}× (${c.off.p50Ms} ms vs ${c.on.p50Ms} ms); answers ${c.alike ? 'alike' : `differ: ${c.difference}`}`,
      pass: year && c.alike ? c.ratio !== null && c.ratio >= 50 : c.alike ? null : false,
    });
  }
  const write = samples.scenarios.find((/** @type {any} */ s) => s.scenario === 'write1000');
  const service = write?.targets.service?.samplesPerS;
  const db = write?.targets.db?.samplesPerS;
  checks.push({
    name: 'write1000 with rollups on: service / db (samples/s)',
    goal: '≥ 0.85',
    measured: service && db ? `${round(service / db, 3)} (${fmt(service)} vs ${fmt(db)})` : 'not run',
    pass: service && db ? service / db >= 0.85 : null,
  });
  return checks;
}

/**
 * The `### Rollups` part of the Samples section.
 * @param {any} samples
 * @returns {string[]}
 */
function renderRollups(samples) {
  const { rollups } = samples;
  const { layout, pack, storage } = rollups;
  const lines = [
    '',
    '### Rollups',
    '',
    `${fmt(layout.samples)} samples (${layout.series} series, a sample a minute for ${layout.days} days) in a database of their own,`,
    `loaded in ${rollups.loadSeconds} s and packed by \`npm run samples:pack\` (which writes the days' rollups with their blocks):`,
    `\`${JSON.stringify({ packedSamples: pack.packedSamples, blocks: pack.blocks, seconds: pack.seconds })}\`, ${pack.seconds > 0 ? fmt(pack.packedSamples / pack.seconds) : '–'} samples/s.`,
    `After VACUUM: blocks ${storage.blockBytesPerSample} bytes a sample, rollups ${storage.rollupBytesPerSample} (${fmt(storage.rollupDays)} series-days).`,
    'Then two instances on that database, one with rollups and one with `SAMPLES_ROLLUPS=off`, each asked the same',
    'requests one at a time; every answer with rollups is compared with the one without (sums within 1e-9).',
    '',
    '| Request | rollups p50 (ms) | rollups p99 (ms) | requests | off p50 (ms) | requests | off / rollups | answers |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | :-: |',
  ];
  for (const c of rollups.cases) {
    lines.push(
      `| ${c.name}: ${c.description} | ${c.on.p50Ms} | ${c.on.p99Ms} | ${c.on.requests} | ${c.off.p50Ms} | ${c.off.requests} | ${c.ratio}× | ${c.alike ? '✓' : '✗'} |`,
    );
  }
  return lines;
}

module.exports = { evaluateRollupTargets, renderRollups };
