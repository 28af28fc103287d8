'use strict';

/** The live samples stream part of the report (bench/stream.js): its targets and its section. */

/** @param {number} value */
const fmt = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
/** @param {number | null | undefined} value */
const figure = (value) => (value == null || !Number.isFinite(value) ? '–' : String(value));

/**
 * The targets of the stream issue, from a run's `stream` results.
 * @param {any} stream
 * @returns {import('./report').TargetCheck[]}
 */
function evaluateStreamTargets(stream) {
  const paced = stream.phases.find((/** @type {any} */ p) => p.kind === 'paced');
  const d = paced?.delivery;
  const { subscribers } = stream.setup;
  const rate = fmt(stream.setup.paced.writesPerS * stream.setup.paced.samplesPerWrite);
  const s = stream.subscribers;
  const loaded = stream.phases.filter((/** @type {any} */ p) => p.subscribers > 0);
  const owed = loaded.reduce((/** @type {number} */ sum, /** @type {any} */ p) => sum + p.delivery.owed, 0);
  return [
    {
      name: `commit-to-event latency p50, ${subscribers} subscribers on B, ${rate} samples/s written to A`,
      goal: '≤ 20 ms',
      measured: d
        ? `${figure(d.latencyFromAckMs.p50)} ms (from the write's send: ${figure(d.latencyFromSentMs.p50)} ms; ${fmt(d.received)} samples received)`
        : 'not run',
      pass: d ? d.latencyFromAckMs.p50 <= 20 : null,
    },
    {
      name: `commit-to-event latency p99, ${subscribers} subscribers on B, ${rate} samples/s written to A`,
      goal: '≤ 100 ms',
      measured: d
        ? `${figure(d.latencyFromAckMs.p99)} ms (from the write's send: ${figure(d.latencyFromSentMs.p99)} ms)`
        : 'not run',
      pass: d ? d.latencyFromAckMs.p99 <= 100 : null,
    },
    {
      name: 'samples lost and duplicated, counted by the subscribers (every phase with subscribers)',
      goal: '0 and 0',
      measured: `${fmt(s.lost)} lost, ${fmt(s.duplicates)} duplicates of ${fmt(owed)} owed; ${fmt(s.unexpected + s.wrongSeries)} unexpected`,
      pass: s.lost === 0 && s.duplicates === 0 && s.unexpected === 0 && s.wrongSeries === 0,
    },
    {
      name: `ingest to A with ${subscribers} subscribers on B / without (samples/s)`,
      goal: '≥ 0.90',
      measured: `${figure(stream.ingest.ratio)} (${fmt(stream.ingest.withSamplesPerS)} vs ${fmt(stream.ingest.withoutSamplesPerS)})`,
      pass: Number.isFinite(stream.ingest.ratio) ? stream.ingest.ratio >= 0.9 : null,
    },
  ];
}

/**
 * The `## Live samples stream` section.
 * @param {any} stream
 * @returns {string[]}
 */
function renderStream(stream) {
  const { setup } = stream;
  const s = stream.subscribers;
  const lines = [
    '',
    '## Live samples stream',
    '',
    `Two service instances, A and B, on a database of their own (\`${Object.entries(setup.env)
      .map(([k, v]) => `${k}=${v}`)
      .join('`, `')}\`); ${setup.subscribers} subscribers on B`,
    `(\`GET .../timeseries/samples/stream\`, plain node:http clients parsing SSE in ${setup.subscriberThreads} worker threads), each following`,
    `${setup.seriesPerSubscriber} of the ${setup.seriesPerDevice} series of one of ${setup.devices} devices; writes to A. Every sample's value is its number in the run,`,
    'its instant follows from it, so each subscriber knows which samples it is owed: those of its series in the writes A',
    'answered 202 while it was connected. After each phase with subscribers, a settle (until everything owed arrived, or',
    `nothing more for ${fmt(setup.settleIdleMs)} ms, at most ${fmt(setup.settleMaxMs)} ms: "settle" below), then lost, duplicate and unexpected samples are counted. Commit-to-event latency is, for each`,
    "sample received, its arrival at the subscriber minus the arrival of its write's 202 at the writer (from the write's",
    'send in brackets: an upper bound); both threads read one monotonic clock. Everything shares the machine: PostgreSQL,',
    'A, B, the writer and the subscribers ("bench" CPU below); the load average before each phase shows other work.',
    '',
    `- paced: ${setup.paced.writesPerS} writes/s of ${setup.paced.samplesPerWrite} samples (${fmt(setup.paced.writesPerS * setup.paced.samplesPerWrite)} samples/s), open loop, the devices in turn, ${setup.phaseS} s.`,
    `- ingest: ${setup.ingest.writers} writers of ${fmt(setup.ingest.samplesPerWrite)} samples back to back for ${setup.phaseS} s, without any subscriber and with the ${setup.subscribers}`,
    `  (${setup.rounds} round${setup.rounds === 1 ? '' : 's'} of each, in turn); the ratio is of the means.`,
    '',
    '| Target | Goal | Measured | Met |',
    '| --- | --- | --- | :-: |',
    ...evaluateStreamTargets(stream).map(
      (c) => `| ${c.name} | ${c.goal} | ${c.measured} | ${c.pass === null ? 'see note' : c.pass ? '✓' : '✗'} |`,
    ),
    '',
    '| Phase | subscribers | samples/s (202) | write p50 / p99 ms | errors | received / owed | lost | dup | event p50 / p99 ms | from send p50 / p99 ms | settle ms | CPU ms/s A / B / pg / bench | machine busy | load before |',
    '| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | --- | ---: | --- | ---: | ---: |',
  ];
  for (const p of stream.phases) {
    const d = p.delivery;
    lines.push(
      `| ${p.name} | ${p.subscribers} | ${fmt(p.samplesPerS)} | ${figure(p.writeP50Ms)} / ${figure(p.writeP99Ms)} | ${p.errors} | ${d ? `${fmt(d.received)} / ${fmt(d.owed)}` : '–'} | ${d ? fmt(d.lost) : '–'} | ${d ? fmt(d.duplicates) : '–'} | ${d ? `${figure(d.latencyFromAckMs.p50)} / ${figure(d.latencyFromAckMs.p99)}` : '–'} | ${d ? `${figure(d.latencyFromSentMs.p50)} / ${figure(d.latencyFromSentMs.p99)}` : '–'} | ${d ? fmt(p.settleMs) : '–'} | ${figure(p.cpuMsPerS.a)} / ${figure(p.cpuMsPerS.b)} / ${figure(p.cpuMsPerS.postgres)} / ${figure(p.cpuMsPerS.bench)} | ${figure(p.machineBusyPct)}% | ${figure(p.loadAverage1m?.before)} |`,
    );
  }
  const terminal = Object.entries(s.terminal)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  lines.push(
    '',
    `Subscribers: ${fmt(s.connects)} streams opened, ${fmt(s.reconnects)} opened again with Last-Event-ID after the server ended them` +
      `${terminal ? ` (terminal events: ${terminal})` : ''}, ${fmt(s.connectFailures)} refused; ${fmt(s.heartbeats)} heartbeats;` +
      ` unexpected samples ${fmt(s.unexpected)}, of series not subscribed ${fmt(s.wrongSeries)}, malformed ${fmt(s.malformed)}; event ids not increasing ${fmt(s.idsNotIncreasing)};` +
      ` events holding samples of more than one write ${fmt(s.eventsSpanningWrites)}. The subscriber threads' busy share per phase:` +
      ` ${stream.phases.map((/** @type {any} */ p) => `${p.name} ${p.subscriberThreadsBusyPct.join('% / ')}%`).join('; ')}.`,
    '',
    `Contract checks on B (an error before a stream is a JSON 4xx; a stream resumed with Last-Event-ID sends what the subscriber got live after that id): ${stream.contract.map((/** @type {any} */ c) => `${c.case}: ${c.observed} ${c.ok ? '✓' : '✗'}`).join('; ')}.`,
  );
  return lines;
}

module.exports = { evaluateStreamTargets, renderStream };
