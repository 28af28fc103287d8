'use strict';

/**
 * The samples part of docs/performance.md and of the targets (issue 12): every scenario, target
 * and peer with its figures, the service's ratio to each, and the targets' verdicts, from the
 * `samples` part of a run's results.
 */

const { evaluateRollupTargets, renderRollups } = require('./rollups-report');
const { round } = require('./stats');

/** The order of the targets in the tables: the PostgreSQL ones, then the peers. */
const TARGET_ORDER = ['service', 'bare', 'db', 'influxdb', 'victoriametrics'];
const LABELS = /** @type {Record<string, string>} */ ({
  service: 'service',
  bare: 'bare',
  db: 'db',
  influxdb: 'InfluxDB',
  victoriametrics: 'VictoriaMetrics',
});

/** @param {number} value */
const fmt = (value) => Math.round(value).toLocaleString('en-US');
/** @param {number | null | undefined} bytes */
const mb = (bytes) => (bytes == null ? '?' : (bytes / 1024 / 1024).toFixed(1));
/**
 * Bytes a sample of a peer's folder, with two significant digits below 1 (VictoriaMetrics takes
 * the regular data set to hundredths of a byte).
 * @param {any} load a peer's preload figures
 * @param {'apparentBytes' | 'allocatedBytes'} kind
 */
const peerPerSample = (load, kind) => {
  const value = load.settled.total[kind] / load.samples;
  return value >= 1 ? String(round(value, 1)) : value.toPrecision(2);
};
/** @param {number | null | undefined} value */
const ratioText = (value) => (value == null ? '–' : value.toFixed(2));

/**
 * The samples targets of issue 12, checked against a run's `samples` results.
 * @param {any} samples
 * @returns {import('./report').TargetCheck[]}
 */
function evaluateSampleTargets(samples) {
  /** @type {import('./report').TargetCheck[]} */
  const checks = [];
  /** @param {string} name */
  const scenario = (name) => samples.scenarios.find((/** @type {any} */ s) => s.scenario === name);
  /**
   * service/<other> on a scenario, in samples/s (requests/s times a fixed batch: the same ratio).
   * @param {string} name
   * @param {string} other
   * @param {number} goal
   */
  const ratio = (name, other, goal) => {
    const s = scenario(name);
    const value = s?.serviceOver[other];
    const label = `service/${LABELS[other]} on ${name} (samples/s)`;
    if (!s || value == null) {
      const skipped = samples.skippedPeers?.find((/** @type {any} */ p) => p.name === other);
      checks.push({
        name: label,
        goal: `≥ ${goal.toFixed(2)}`,
        measured: skipped ? `${skipped.label} skipped: ${skipped.reason}` : 'not run',
        pass: null,
      });
      return;
    }
    checks.push({
      name: label,
      goal: `≥ ${goal.toFixed(2)}`,
      measured: `${value.toFixed(3)} (${fmt(s.targets.service.samplesPerS)} vs ${fmt(s.targets[other].samplesPerS)}; rounds ${(s.serviceOverByRound[other] ?? []).join(', ')})`,
      pass: value >= goal,
    });
  };

  ratio('write1000', 'db', 0.9);
  ratio('write10000', 'db', 0.9);
  ratio('write1000', 'bare', 1.0);
  ratio('write10000', 'bare', 1.0);
  ratio('overwrite1000', 'db', 0.9);
  ratio('read1000', 'db', 0.8);
  ratio('readDeep', 'db', 0.8);

  const r1000 = scenario('read1000');
  const deep = scenario('readDeep');
  const depth = r1000 && deep ? deep.targets.service.rps / r1000.targets.service.rps : null;
  checks.push({
    name: 'readDeep / read1000, service (requests/s)',
    goal: '≥ 0.90 (within 10%)',
    measured:
      depth === null
        ? 'not run'
        : `${round(depth, 3)} (${deep.targets.service.rps} vs ${r1000.targets.service.rps} req/s)`,
    pass: depth === null ? null : depth >= 0.9,
  });
  ratio('read1000', 'influxdb', 1.0);

  const { exportRss } = samples;
  const exportGrowth = exportRss?.one?.growthBytes ?? null;
  checks.push({
    name: 'export100k: RSS growth of the service during an answer',
    goal: '≤ 64 MB',
    measured:
      exportGrowth === null
        ? 'not run'
        : `+${mb(exportGrowth)} MB over ${mb(exportRss.restBytes)} MB at rest (1 connection, ${exportRss.one.requests} answers); ` +
          `${exportRss.many.connections} connections +${mb(exportRss.many.growthBytes)} MB; the fresh process's first answer +${mb(exportRss.first.growthBytes)} MB`,
    pass: exportGrowth === null ? null : exportGrowth <= 64 * 1024 * 1024,
  });
  ratio('export100k', 'db', 0.8);
  ratio('aggregates', 'db', 0.9);
  ratio('latest', 'db', 0.9);

  const storage = samples.preload?.storage;
  const peerStorage = Object.entries(samples.preload?.peers ?? {})
    .map(([name, load]) => `${LABELS[name]} ${peerPerSample(load, 'apparentBytes')}`)
    .join(', ');
  checks.push({
    name: 'bytes per sample in PostgreSQL (heap and indexes)',
    goal: '≤ 90',
    measured: storage
      ? `${storage.bytesPerSample} (heap ${storage.heapBytesPerSample}, index ${storage.indexBytesPerSample}; ${fmt(storage.samples)} samples)${peerStorage ? `; ${peerStorage} (their folders)` : ''}`
      : 'not run',
    pass: storage ? storage.bytesPerSample <= 90 : null,
  });

  const writes = (samples.statements ?? []).filter((/** @type {any} */ line) => line.case.startsWith('write'));
  const counts = writes.map((/** @type {any} */ line) => line.statementsPerRequest);
  checks.push({
    name: 'statements per samples write constant in the batch size (1, 1,000, 10,000 samples)',
    goal: 'same count',
    measured: writes.length
      ? writes
          .map((/** @type {any} */ line) => `${line.case.replace('write ', '')}: ${line.statementsPerRequest}`)
          .join(', ')
      : 'not run',
    pass: writes.length ? counts.every((/** @type {number} */ c) => c === counts[0]) : null,
  });

  const w10000 = scenario('write10000');
  const pipe = samples.validation?.sampleListPipe?.medianMs;
  const cpu = w10000?.targets.service.cpuMsPerRequest;
  const share = pipe != null && cpu ? (pipe / cpu) * 100 : null;
  checks.push({
    name: "SampleListPipe on a 10,000-sample body / the service's CPU per write10000 request",
    goal: '≤ 10%',
    measured: share === null ? 'not run' : `${round(share, 1)}% (${pipe} ms of ${cpu} ms)`,
    pass: share === null ? null : share <= 10,
  });

  const runErrors = samples.scenarios.reduce(
    (/** @type {number} */ sum, /** @type {any} */ s) =>
      sum + Object.values(s.targets).reduce((/** @type {number} */ n, /** @type {any} */ t) => n + t.errors, 0),
    0,
  );
  const exportErrors = exportRss ? exportRss.first.errors + exportRss.one.errors + exportRss.many.errors : 0;
  const memoryErrors = samples.memory?.errors ?? 0;
  const differ = (samples.readsCheck ?? []).filter((/** @type {any} */ line) => !line.same).length;
  const total = runErrors + exportErrors + memoryErrors;
  checks.push({
    name: 'errors in the samples runs (every target), the memory checks, and answers that differ',
    goal: '0',
    measured: `${total} errors (runs ${runErrors}, write memory ${memoryErrors}, export memory ${exportErrors}); ${differ} reads answered differently`,
    pass: total === 0 && differ === 0,
  });

  const { memory } = samples;
  checks.push({
    name: memory
      ? `RSS after ${fmt(memory.second.requests)} vs ${fmt(memory.first.requests)} samples writes`
      : 'RSS after 100,000 vs 10,000 samples writes',
    goal: '≤ +15%',
    measured: memory
      ? `${mb(memory.second.rssBytes)} MB vs ${mb(memory.first.rssBytes)} MB (${memory.growthPct >= 0 ? '+' : ''}${memory.growthPct}%)`
      : 'not run',
    pass:
      memory && memory.first.requests >= 10_000 && memory.second.requests >= 100_000 ? memory.growthPct <= 15 : null,
  });
  if (samples.packed) checks.push(...evaluatePackedTargets(samples));
  if (samples.rollups) checks.push(...evaluateRollupTargets(samples));
  return checks;
}

/** @param {number | null | undefined} value samples/s */
const rate = (value) => (value == null ? '–' : fmt(value));
/** @param {number | null | undefined} value a latency: none when no answer completed in the window */
const figure = (value) => (value == null || !Number.isFinite(value) ? '–' : String(value));

/**
 * The packed history targets (bench/packed.js), from a run's `samples` results.
 * @param {any} samples
 * @returns {import('./report').TargetCheck[]}
 */
function evaluatePackedTargets(samples) {
  const { packed } = samples;
  /** @type {import('./report').TargetCheck[]} */
  const checks = [];
  const rows = (/** @type {string} */ name) => samples.scenarios.find((/** @type {any} */ s) => s.scenario === name);
  const onPacked = (/** @type {string} */ name) => packed.scenarios.find((/** @type {any} */ s) => s.scenario === name);
  const skippedPeer = (/** @type {string} */ name) =>
    samples.skippedPeers?.find((/** @type {any} */ p) => p.name === name);

  const { pack, storage, rebuilt } = packed.dataSet;
  checks.push({
    name: 'packing: `npm run samples:pack` on the data set (samples/s)',
    goal: '≥ 500,000',
    measured:
      pack.samplesPerS == null
        ? 'not run'
        : `${fmt(pack.samplesPerS)} (${fmt(pack.packedSamples)} samples into ${fmt(pack.blocks)} blocks in ${pack.seconds} s; ${pack.wallSeconds} s with the CLI's start)`,
    pass: pack.samplesPerS == null ? null : pack.samplesPerS >= 500_000,
  });
  const tierText = (/** @type {any} */ st, /** @type {any} */ re) =>
    `${st.bytesPerSample} (blocks ${st.blocks.bytesPerSample}; row partitions ${st.rows.bytesPerSample}, ${fmt(st.rows.samples)} rows left, indexes ${fmt(st.rows.indexBytes)} bytes; ${re.bytesPerSample} with those rebuilt by REINDEX${st.deadRowsKept ? '; VACUUM could not remove the deleted rows' : ''})`;
  checks.push({
    name: 'bytes per sample, packed tier: every sample_block and sample partition (pg_total_relation_size) after VACUUM (ANALYZE)',
    goal: '≤ 4',
    measured: tierText(storage, rebuilt),
    pass: storage.bytesPerSample <= 4,
  });
  const influx = samples.preload?.peers?.influxdb;
  const influxPerSample = influx ? influx.settled.total.apparentBytes / influx.samples : null;
  const skippedInflux = skippedPeer('influxdb');
  checks.push({
    name: "packed bytes per sample / InfluxDB's (its data folder)",
    goal: '≤ 0.50',
    measured:
      influxPerSample === null
        ? skippedInflux
          ? `InfluxDB skipped: ${skippedInflux.reason}`
          : 'InfluxDB not run'
        : `${round(storage.bytesPerSample / influxPerSample, 2)} (${storage.bytesPerSample} vs ${round(influxPerSample, 2)}; ${round(rebuilt.bytesPerSample / influxPerSample, 2)} with the row indexes rebuilt; ${round(storage.bytesPerSample / (influx.settled.total.allocatedBytes / influx.samples), 2)} against its ${peerPerSample(influx, 'allocatedBytes')} allocated)`,
    pass: influxPerSample === null ? null : storage.bytesPerSample <= 0.5 * influxPerSample,
  });
  const { noisy } = packed;
  checks.push({
    name: 'bytes per sample, packed tier, noisy data set (1- and 15-minute series, 3 significant digits, gaps)',
    goal: '≤ 4',
    measured: `${tierText(noisy.storage, noisy.rebuilt)}; ${fmt(noisy.samples)} samples, ${noisy.rowsStorage.bytesPerSample} as rows`,
    pass: noisy.storage.bytesPerSample <= 4,
  });

  /**
   * The packed service's samples/s on a scenario over another figure of the run.
   * @param {string} name
   * @param {string} label
   * @param {(s: any) => number | null | undefined} other the other figure, from the scenario's row summary
   * @param {number} goal
   * @param {string} [missing]
   */
  const over = (name, label, other, goal, missing = 'not run') => {
    const p = onPacked(name);
    const r = rows(name);
    const theirs = r ? other(r) : null;
    const mine = p?.targets.service?.samplesPerS;
    const value = mine != null && theirs ? mine / theirs : null;
    checks.push({
      name: `${name} packed: service / ${label} (samples/s)`,
      goal: `≥ ${goal.toFixed(2)}`,
      measured:
        value === null ? missing : `${round(value, 3)} (${fmt(mine)} vs ${fmt(/** @type {number} */ (theirs))})`,
      pass: value === null ? null : value >= goal,
    });
  };
  const influxMissing = skippedInflux ? `InfluxDB skipped: ${skippedInflux.reason}` : 'not run';
  for (const name of ['read1000', 'readDeep']) {
    over(name, 'InfluxDB', (s) => s.targets.influxdb?.samplesPerS, 1.0, influxMissing);
    over(name, 'db on rows', (s) => s.targets.db?.samplesPerS, 1.0);
  }
  over('export100k', 'InfluxDB', (s) => s.targets.influxdb?.samplesPerS, 1.0, influxMissing);
  const { exportRss } = packed;
  const growth = exportRss?.one?.growthBytes ?? null;
  checks.push({
    name: 'export100k packed: RSS growth of the service during an answer',
    goal: '≤ 64 MB',
    measured:
      growth === null
        ? 'not run'
        : `+${mb(growth)} MB over ${mb(exportRss.restBytes)} MB at rest (1 connection, ${exportRss.one.requests} answers); ` +
          `${exportRss.many.connections} connections +${mb(exportRss.many.growthBytes)} MB; the fresh process's first answer +${mb(exportRss.first.growthBytes)} MB`,
    pass: growth === null ? null : growth <= 64 * 1024 * 1024,
  });
  over('aggregates', 'service on rows', (s) => s.targets.service?.samplesPerS, 2.0);

  const { writes } = packed;
  const writeDb = rows('write1000')?.targets.db?.samplesPerS;
  const writeService = rows('write1000')?.targets.service?.samplesPerS;
  const writeRatio = writes && writeDb ? writes.pointsPerS / writeDb : null;
  const overlapped = writes ? writes.pack.packingAtStart && writes.pack.packingAtEnd : false;
  checks.push({
    name: 'write1000 beside a running pack: service / db on rows (samples/s)',
    goal: '≥ 0.90',
    measured:
      writeRatio === null
        ? 'not run'
        : `${round(writeRatio, 3)} (${fmt(writes.pointsPerS)} vs ${fmt(/** @type {number} */ (writeDb))}; ${writeService ? `${round(writes.pointsPerS / writeService, 2)} × the service on rows; ` : ''}the pack moved ${fmt(writes.pack.movedSamples)} samples meanwhile${overlapped ? '' : '; it did not run the whole window'})`,
    pass: writeRatio === null ? null : overlapped ? writeRatio >= 0.9 : null,
  });

  const differ =
    packed.answers.filter((/** @type {any} */ line) => !line.alike).length +
    packed.readsCheck.filter((/** @type {any} */ line) => !line.same).length;
  const compared = packed.answers.reduce((/** @type {number} */ n, /** @type {any} */ line) => n + line.compared, 0);
  const errors =
    packed.runs.reduce((/** @type {number} */ n, /** @type {any} */ run) => n + run.errors, 0) +
    (writes?.errors ?? 0) +
    (exportRss ? exportRss.first.errors + exportRss.one.errors + exportRss.many.errors : 0);
  checks.push({
    name: 'packed history: answers as on rows, and errors',
    goal: 'alike, 0',
    measured: `${compared} answers compared with those before the pack, ${differ} reads differ; ${errors} errors`,
    pass: differ === 0 && errors === 0,
  });
  return checks;
}

/**
 * The `### Packed history` part of the Samples section.
 * @param {any} samples
 * @param {string[]} peers the peers of the run, as in the tables
 * @returns {string[]}
 */
function renderPacked(samples, peers) {
  const { packed, preload } = samples;
  const { dataSet, noisy } = packed;
  const rowsSummary = (/** @type {string} */ name) =>
    samples.scenarios.find((/** @type {any} */ s) => s.scenario === name);
  const tierRow = (
    /** @type {string} */ store,
    /** @type {string} */ set,
    /** @type {any} */ st,
    /** @type {string} */ how,
  ) =>
    `| ${store} | ${set} | ${fmt(st.samples)} | ${fmt(st.totalBytes)} | **${st.bytesPerSample}** (blocks ${st.blocks.bytesPerSample}: heap ${fmt(st.blocks.heapBytes)}, TOAST ${fmt(st.blocks.toastBytes)}, indexes ${fmt(st.blocks.indexBytes)} bytes; row partitions ${st.rows.bytesPerSample}: heap ${fmt(st.rows.heapBytes)}, indexes ${fmt(st.rows.indexBytes)} bytes) | ${how} |`;
  const lines = [
    '',
    '### Packed history',
    '',
    `After the row runs, the data set is loaded again, the same way and with the same layout, into a throwaway database of`,
    `its own (the main one also holds the samples the write scenarios wrote, in series of their own), read once on rows,`,
    `packed by \`node dist/src/scripts/pack-samples.js\` (\`npm run samples:pack\`) with \`SAMPLES_PACK_AFTER=${packed.packAfter}\``,
    'beside a running service, vacuumed (`VACUUM (ANALYZE) sample, sample_block`) and read again: every answer compared with',
    "the same service's answer before the pack, then the reads measured on `service` and `db` (the service's statements,",
    `which read both tiers), ${samples.rounds ?? 1} round(s) as on rows. The data set ends 10 days before the run, so every`,
    `period of it had passed the cutoff: ${fmt(dataSet.rowsLeft)} samples were left as rows.`,
    '',
    `The pack: \`${JSON.stringify({ packedSamples: dataSet.pack.packedSamples, blocks: dataSet.pack.blocks, seconds: dataSet.pack.seconds })}\`, ${rate(dataSet.pack.samplesPerS)} samples/s`,
    `(${dataSet.pack.wallSeconds} s with the CLI's start). Each series × metric is packed a month at a time, one transaction each, 2 series at once.`,
    '',
    '#### Storage per tier',
    '',
    '| Store | data set | samples | bytes | bytes per sample | how measured |',
    '| --- | --- | ---: | ---: | --- | --- |',
    `| PostgreSQL rows (\`sample\`) | regular | ${fmt(preload.storage.samples)} | ${fmt(preload.storage.heapBytes + preload.storage.indexBytes)} | **${preload.storage.bytesPerSample}** (heap ${preload.storage.heapBytesPerSample}, indexes ${preload.storage.indexBytesPerSample}); ${round(preload.storage.totalBytes / preload.storage.samples, 1)} with pg_total_relation_size | after the preload and VACUUM (the table above) |`,
    tierRow(
      'PostgreSQL packed (`sample_block` + `sample`)',
      'regular',
      dataSet.storage,
      `pg_total_relation_size of every partition of both tables after the pack and VACUUM (ANALYZE)${dataSet.storage.deadRowsKept ? `; VACUUM could not remove the deleted rows (${dataSet.storage.vacuums} tries)` : ''}`,
    ),
    tierRow(
      'PostgreSQL packed, row indexes rebuilt',
      'regular',
      dataSet.rebuilt,
      'the same after `REINDEX TABLE sample`: VACUUM leaves a btree its size, so a row partition emptied by the pack keeps the room of every row it indexed unless the pack compacts it',
    ),
  ];
  for (const [name, load] of Object.entries(preload.peers ?? {})) {
    const l = /** @type {any} */ (load);
    lines.push(
      `| ${LABELS[name]} | regular | ${fmt(l.samples)} | ${fmt(l.settled.total.apparentBytes)} | **${peerPerSample(l, 'apparentBytes')}** (${peerPerSample(l, 'allocatedBytes')} allocated) | its data folder after the preload (the table above) |`,
    );
  }
  lines.push(
    `| PostgreSQL rows (\`sample\`) | noisy | ${fmt(noisy.rowsStorage.samples)} | ${fmt(noisy.rowsStorage.totalBytes)} | **${noisy.rowsStorage.bytesPerSample}** | pg_total_relation_size after the load and VACUUM |`,
    tierRow('PostgreSQL packed', 'noisy', noisy.storage, 'after the pack and VACUUM (ANALYZE)'),
    tierRow('PostgreSQL packed, row indexes rebuilt', 'noisy', noisy.rebuilt, 'after `REINDEX TABLE sample`'),
    '',
    `The noisy data set, in a third throwaway database: ${noisy.series} timeseries over ${noisy.layout.days} days, half with a sample a`,
    `minute, half every 15 minutes; values ${noisy.layout.values}; ${round(noisy.layout.missingShare * 100, 1)}% of the samples missing at`,
    `random and one hour in ${noisy.layout.outageEveryHours} missing whole: ${fmt(noisy.samples)} samples of ${fmt(noisy.slots)} instants. Instants ${noisy.layout.instants}.`,
    `Its pack: ${rate(noisy.pack.samplesPerS)} samples/s (${fmt(noisy.pack.packedSamples)} samples into ${fmt(noisy.pack.blocks)} blocks in ${noisy.pack.seconds} s). Only PostgreSQL holds it.`,
    '',
    '#### Reads on packed history',
    '',
    '| Scenario | Target | conns | req/s | samples/s | p50 ms | p99 ms | errors | server CPU | pg CPU | load CPU | server RSS peak MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of packed.scenarios) {
    for (const target of ['service', 'db']) {
      const t = s.targets[target];
      if (!t) continue;
      lines.push(
        `| ${s.scenario} (packed) | ${LABELS[target]} | ${samples.connections?.[s.scenario] ?? '16'} | ${t.rps < 100 ? t.rps.toFixed(1) : fmt(t.rps)} | ${fmt(t.samplesPerS)} | ${figure(t.p50Ms)} | ${figure(t.p99Ms)} | ${t.errors} | ${t.cpuMsPerRequest ?? '–'} | ${t.postgresCpuMsPerRequest || '–'} | ${t.loadCpuMsPerRequest ?? '–'} | ${t.rssPeakBytes == null ? '–' : mb(t.rssPeakBytes)} |`,
      );
    }
  }
  if (packed.runs.some((/** @type {any} */ run) => run.requests === 0)) {
    lines.push(
      '',
      'A run at 0 requests/s had no answer completed within its window: every answer took longer than the window.',
    );
  }
  lines.push(
    '',
    'The first round of each scenario starts with a warm-up of the service; `db` follows it on a warm PostgreSQL, without one.',
  );
  const influx = peers.includes('influxdb');
  lines.push(
    '',
    'Packed beside rows (samples/s of the same run):',
    '',
    `| Scenario | packed: service | packed: db | rows: service | rows: db |${influx ? ' InfluxDB |' : ''} packed service / rows service | packed service / rows db |${influx ? ' packed service / InfluxDB |' : ''}`,
    `| --- | ---: | ---: | ---: | ---: |${influx ? ' ---: |' : ''} ---: | ---: |${influx ? ' ---: |' : ''}`,
  );
  for (const s of packed.scenarios) {
    const r = rowsSummary(s.scenario);
    const mine = s.targets.service?.samplesPerS;
    const ratio = (/** @type {number | undefined} */ other) =>
      mine != null && other ? (mine / other).toFixed(2) : '–';
    lines.push(
      `| ${s.scenario} | ${rate(mine)} | ${rate(s.targets.db?.samplesPerS)} | ${rate(r?.targets.service?.samplesPerS)} | ${rate(r?.targets.db?.samplesPerS)} |${influx ? ` ${rate(r?.targets.influxdb?.samplesPerS)} |` : ''} ${ratio(r?.targets.service?.samplesPerS)} | ${ratio(r?.targets.db?.samplesPerS)} |${influx ? ` ${ratio(r?.targets.influxdb?.samplesPerS)} |` : ''}`,
    );
  }
  lines.push(
    '',
    'The answers: every variant of each read (4 of each in a quick run; the first of `export100k`) asked of the service before and after the pack,',
    'status, body and ContinuationToken compared; then the first of each asked of the service and `db` as before the runs.',
    '',
    '| Read | answers compared | the same after the pack | statuses | service | db | expected | alike |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | :-: |',
  );
  for (const line of packed.answers) {
    const check = packed.readsCheck.find((/** @type {any} */ c) => c.scenario === line.scenario);
    lines.push(
      `| ${line.scenario} | ${line.compared} | ${line.same} | ${line.statuses.join(', ')} | ${check?.service?.count == null ? '–' : fmt(check.service.count)} | ${check?.db?.count == null ? '–' : fmt(check.db.count)} | ${check ? fmt(check.expected) : '–'} | ${line.alike && (check?.same ?? true) ? '✓' : '✗'} |`,
    );
  }
  const { exportRss, writes } = packed;
  if (exportRss) {
    lines.push(
      '',
      `Export of packed history: a fresh service process at rest ${mb(exportRss.freshBytes)} MB; its first \`export100k\` answer peaked at`,
      `+${mb(exportRss.first.growthBytes)} MB; at rest after it ${mb(exportRss.restBytes)} MB; ${exportRss.durationS} s of answers on 1 connection peaked at`,
      `+${mb(exportRss.one.growthBytes)} MB over that (${exportRss.one.requests} answers, p50 ${exportRss.one.p50Ms} ms), ${exportRss.durationS} s on ${exportRss.many.connections} connections at +${mb(exportRss.many.growthBytes)} MB`,
      `(${exportRss.many.requests} answers).`,
    );
  }
  if (writes) {
    lines.push(
      '',
      `Writes beside a pack: a service instance of the main database runs \`write1000\` (its devices, new instants) while`,
      '`npm run samples:pack -- --paced` (one series at a time, resting as long as each transaction took: how the service packs in the background) packs that database (everything the row runs left there); the measured window',
      `(${writes.durationS} s after a ${writes.rampS} s ramp) opens once a pack statement runs (${writes.pack.secondsBeforeWindow} s after the start: the candidates' scan first),`,
      `and the pack is stopped when it closes. ${rate(writes.pointsPerS)} samples/s (${writes.rps} req/s, p50 ${writes.p50Ms} ms, p99 ${writes.p99Ms} ms,`,
      `${writes.errors} errors); the pack ${writes.pack.packingAtEnd ? 'was still packing when the window closed' : 'ended before the window closed'} and moved ${fmt(writes.pack.movedSamples)} samples into ${fmt(writes.pack.blocks)} blocks in ${writes.pack.seconds} s.`,
      "The pg CPU of this run counts the pack's backends too (same database).",
    );
  }
  lines.push(
    '',
    `The packed part took ${packed.seconds} s of the run (${Object.entries(packed.phases ?? {})
      .map(([k, v]) => `${k} ${v} s`)
      .join(', ')}).`,
  );
  return lines;
}

/**
 * The `## Samples` section of docs/performance.md.
 * @param {any} samples
 * @param {{ mode: string, settings: any }} run
 * @returns {string[]}
 */
function renderSamples(samples, { mode, settings }) {
  const { layout, preload } = samples;
  const targets = TARGET_ORDER.filter((t) => samples.scenarios.some((/** @type {any} */ s) => s.targets[t]));
  const peers = targets.filter((t) => t === 'influxdb' || t === 'victoriametrics');
  const timing = /** @type {Array<[string, any]>} */ (Object.entries(samples.timing ?? {}));
  const heavy = timing.find(([, t]) => timing.length > 0 && t.durationS !== timing[0][1].durationS);
  const lines = [
    '## Samples',
    '',
    `The samples scenarios of issue 12, in the same run. Before anything is measured, every target holds the same data set:`,
    `${fmt(preload.samples)} samples (${mode === 'quick' ? 'a quick run: a smaller data set than the full run' : 'the issue asks for at least 10 million'}),`,
    `one device of 100 timeseries with a sample a minute (${fmt(layout.bulk.count)} each), one timeseries with a sample every 10 s`,
    `(${fmt(layout.deep.count)}), and the ${fmt(layout.overwrite.devices * layout.overwrite.windows)} requests of 1,000 samples \`overwrite1000\` posts again. Values have two decimals.`,
    `Each scenario runs ${samples.rounds ?? settings.rounds} round(s) in the order ${targets.map((t) => LABELS[t]).join(', ')}; ${timing.length ? `${/** @type {any} */ (timing[0][1]).durationS} s per run after a ${/** @type {any} */ (timing[0][1]).rampS} s ramp` : ''}${heavy ? ` (${heavy[0]} and the other heavy reads ${/** @type {any} */ (heavy[1]).durationS} s after ${/** @type {any} */ (heavy[1]).rampS} s)` : ''}, with a warm-up in the first round.`,
    'Only the answers completed within the window count. Every write request carries new instants (each target its own',
    'devices), but `overwrite1000`, which posts samples already stored. The service and `bare` take JSON; InfluxDB and',
    'VictoriaMetrics the same samples as line protocol (`samples,sid=<timeseriesId> val=<value> <ms>`) on their `/write`;',
    "`db` runs the service's own statements (imported from `dist/`) from pg clients.",
    '',
    '**Durability differs.** PostgreSQL answers a write once its WAL is flushed (`synchronous_commit` on); InfluxDB',
    'fsyncs its WAL before it answers (`wal-fsync-delay = "0s"`); VictoriaMetrics answers before the samples reach',
    'disk (they are buffered in memory and flushed about every second): its write figures are not durable writes.',
    '',
    '**Peers**: ' +
      [
        ...(samples.peers ?? []).map((/** @type {any} */ p) => `${p.label} (${p.version})`),
        ...(samples.skippedPeers ?? []).map((/** @type {any} */ p) => `${p.label} skipped: ${p.reason}`),
      ].join('; ') +
      '. Each is started by the benchmark on a loopback port with its data in a temporary folder, and paused (SIGSTOP)',
    'outside its own runs so its background work does not take CPU from the others.',
    '',
    '### Storage of the data set',
    '',
    '| Store | loaded in s | samples/s while loading | bytes | bytes per sample | how measured |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    `| PostgreSQL (sample table: heap and indexes) | ${preload.postgresSeconds} | ${fmt(preload.samples / preload.postgresSeconds)} | ${fmt(preload.storage.heapBytes + preload.storage.indexBytes)} | ${preload.storage.bytesPerSample} (heap ${preload.storage.heapBytesPerSample}, index ${preload.storage.indexBytesPerSample}) | pg_relation_size + pg_indexes_size of the ${preload.storage.partitions} partitions, after VACUUM; INSERT ... SELECT generate_series (2 connections) |`,
  ];
  for (const [name, load] of Object.entries(preload.peers ?? {})) {
    const l = /** @type {any} */ (load);
    lines.push(
      `| ${LABELS[name]} (data folder) | ${l.seconds} | ${fmt(l.samplesPerS)} | ${fmt(l.settled.total.apparentBytes)} (${fmt(l.settled.total.allocatedBytes)} allocated) | ${peerPerSample(l, 'apparentBytes')} (${peerPerSample(l, 'allocatedBytes')} allocated) | /write, 4 requests of 10,000 lines at a time; then ${l.settled.method}${l.settled.reportedBytes != null ? `; vm_data_size_bytes says ${fmt(l.settled.reportedBytes)}` : ''} |`,
    );
  }
  lines.push(
    '',
    "The data set is very regular (a step of a minute or 10 s, a slow wave of two-decimal values): the peers' columnar",
    'compression takes it to a few bytes or less a sample, which real data would not reach; the PostgreSQL row is the',
    'same size whatever the values.',
    '',
    '### Results',
    '',
    'Mean of the rounds. CPU per request (ms): "server" is the process under test (the service, bare, InfluxDB or',
    'VictoriaMetrics), "pg" the PostgreSQL backends of the benchmark database, "load" the load generator (autocannon,',
    'or the pg clients of `db`).',
    '',
    '| Scenario | Target | conns | req/s | samples/s | p50 ms | p99 ms | errors | server CPU | pg CPU | load CPU | server RSS peak MB |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const s of samples.scenarios) {
    for (const target of targets) {
      const t = s.targets[target];
      if (!t) continue;
      lines.push(
        `| ${s.scenario} | ${LABELS[target]} | ${samples.connections?.[s.scenario] ?? settings.connections} | ${t.rps < 100 ? t.rps.toFixed(1) : fmt(t.rps)} | ${fmt(t.samplesPerS)} | ${t.p50Ms} | ${t.p99Ms} | ${t.errors} | ${t.cpuMsPerRequest ?? '–'} | ${t.postgresCpuMsPerRequest || '–'} | ${t.loadCpuMsPerRequest ?? '–'} | ${t.rssPeakBytes == null ? '–' : mb(t.rssPeakBytes)} |`,
      );
    }
  }
  lines.push(
    '',
    "The service over each target (requests/s; each round is the ratio of that round's runs):",
    '',
    `| Scenario | ${targets
      .filter((t) => t !== 'service')
      .map((t) => `service/${LABELS[t]} | by round`)
      .join(' | ')} |`,
    `| --- | ${targets
      .filter((t) => t !== 'service')
      .map(() => '---: | ---')
      .join(' | ')} |`,
  );
  for (const s of samples.scenarios) {
    lines.push(
      `| ${s.scenario} | ${targets
        .filter((t) => t !== 'service')
        .map((t) => `${ratioText(s.serviceOver[t])} | ${(s.serviceOverByRound[t] ?? []).join(', ') || '–'}`)
        .join(' | ')} |`,
    );
  }
  lines.push('', 'What each scenario does:', '');
  for (const s of samples.scenarios) lines.push(`- \`${s.scenario}\`: ${s.description}`);

  if (peers.length) {
    lines.push(
      '',
      "The peers' reads: InfluxDB by InfluxQL on `/query` (`SELECT val ... WHERE sid=... AND time >= ... LIMIT 1000` for a page, the page after the previous page's last instant for `readDeep`, `GROUP BY sid ORDER BY time DESC LIMIT 1` for `latest`, `mean, min, max ... GROUP BY time(1h), sid` for `aggregates`); VictoriaMetrics by `/api/v1/export` for raw samples (no limit parameter: the time range holding the page) and MetricsQL on `/api/v1/query` (`last_over_time(...[1h])`) and `/api/v1/query_range` (`aggr_over_time` of avg, min and max over 1h, step 1h), with its response cache off.",
    );
  }

  lines.push(
    '',
    '### The answers, compared before the runs',
    '',
    'The first read of each read scenario, asked of every target: how many samples (buckets for `aggregates`) each',
    "answers, and for raw samples the first one's value; `db` counts rows (a page is limit + 1). The service's",
    'ContinuationToken of `read1000` is also checked against the one the benchmark mints for `readDeep`.',
    '',
    `| Scenario | expected | ${targets.map((t) => LABELS[t]).join(' | ')} | alike |`,
    `| --- | ---: | ${targets.map(() => '---:').join(' | ')} | :-: |`,
  );
  for (const line of samples.readsCheck ?? []) {
    lines.push(
      `| ${line.scenario} | ${fmt(line.expected)} | ${targets.map((t) => (line[t] ? (line[t].count == null ? `status ${line[t].status}` : fmt(line[t].count)) : '–')).join(' | ')} | ${line.same ? '✓' : '✗'} |`,
    );
  }

  if (samples.packed) lines.push(...renderPacked(samples, peers));
  if (samples.rollups) lines.push(...renderRollups(samples));

  const { memory, exportRss, statements, validation } = samples;
  lines.push(
    '',
    '### Memory',
    '',
    `Writes: a fresh service process, then ${memory.scenario} with ${settings.connections} connections: RSS ${mb(memory.startRssBytes)} MB at start,`,
    `${mb(memory.first.rssBytes)} MB after ${fmt(memory.first.requests)} requests, ${mb(memory.second.rssBytes)} MB after ${fmt(memory.second.requests)} (${memory.growthPct >= 0 ? '+' : ''}${memory.growthPct}%), ${memory.errors} errors; ${memory.rssMethod}.`,
    `Along the way (MB): ${memory.series.map((/** @type {any} */ p) => `${fmt(p.requests)}: ${mb(p.rssBytes)}`).join(', ')}.`,
    ...(memory.series.some((/** @type {any} */ p) => p.heap)
      ? [
          `V8 heap used / heap size (MB): ${memory.series
            .filter((/** @type {any} */ p) => p.heap)
            .map((/** @type {any} */ p) => `${fmt(p.requests)}: ${p.heap.usedMb} / ${p.heap.totalMb}`)
            .join(', ')}.`,
        ]
      : []),
    '',
    `Export: another fresh service process at rest: ${mb(exportRss.freshBytes)} MB; its first \`export100k\` answer on its own peaked at`,
    `+${mb(exportRss.first.growthBytes)} MB. At rest after it: ${mb(exportRss.restBytes)} MB. Then ${exportRss.durationS} s of answers on 1 connection peaked at`,
    `+${mb(exportRss.one.growthBytes)} MB over that (${exportRss.one.requests} answers, p50 ${exportRss.one.p50Ms} ms), and ${exportRss.durationS} s on ${exportRss.many.connections} connections at +${mb(exportRss.many.growthBytes)} MB`,
    `(${exportRss.many.requests} answers). RSS read every 50 ms.`,
    '',
    '### Statements per request',
    '',
    'Counted in a service process whose node-postgres clients count every query they send (`bench/statements-hook.js`,',
    'below TypeORM: BEGIN, FETCH and COMMIT count), three requests of each kind:',
    '',
    '| Request | statements | which (per request) | statuses |',
    '| --- | ---: | --- | --- |',
    ...statements.map(
      (/** @type {any} */ line) =>
        `| ${line.case} | ${line.statementsPerRequest} | ${line.statements.map((/** @type {string} */ s) => `\`${s.replace(/\|/g, '\\|')}\``).join('; ')} | ${line.statuses.join(', ')} |`,
    ),
    '',
    '### Validation cost',
    '',
    `One ${fmt(validation.samples)}-sample body (${fmt(validation.bodyBytes)} bytes, 10 timeseries), in-process on an idle core:`,
    '',
    '| Step | median ms | mean ms |',
    '| --- | ---: | ---: |',
    `| JSON.parse of the body | ${validation.jsonParse.medianMs} | ${validation.jsonParse.meanMs} |`,
    `| SampleListPipe.transform: the service's validation and conversion (instants parsed, duplicates refused) | ${validation.sampleListPipe.medianMs} | ${validation.sampleListPipe.meanMs} |`,
    `| The bare server's JSON schema compiled by Ajv (shape only; bare then parses the instants) | ${validation.ajvSchema.medianMs} | ${validation.ajvSchema.meanMs} |`,
    '',
  );
  return lines;
}

module.exports = { evaluateSampleTargets, renderSamples };
