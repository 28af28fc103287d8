'use strict';

/**
 * Preloaded into a profiled server (`node --require bench/profile-hook.js ...`): the first SIGUSR2
 * starts the V8 CPU profiler, the second writes the profile to BENCH_PROFILE_PATH and exits. So
 * the profile covers the measured load only, not start-up or warm-up.
 */

const { writeFileSync } = require('node:fs');
const inspector = require('node:inspector');
const process = require('node:process');

const session = new inspector.Session();
session.connect();
let started = false;

process.on('SIGUSR2', () => {
  if (!started) {
    started = true;
    session.post('Profiler.enable', () => session.post('Profiler.start'));
    return;
  }
  session.post('Profiler.stop', (error, result) => {
    if (error) {
      process.stderr.write(`CPU profile failed: ${error.message}\n`);
      process.exit(1);
    }
    writeFileSync(String(process.env.BENCH_PROFILE_PATH), JSON.stringify(result.profile));
    process.exit(0);
  });
});
