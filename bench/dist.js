'use strict';

/**
 * The compiled service (`nest build` output) that the benchmark drives and borrows from: the bare
 * server and the database loop import the service's SQL, limits and config from it, so they run
 * literally the same statements with the same limits.
 *
 * A run works on a private copy of dist/ (node_modules/.cache/device-timeseries-bench/dist-<pid>/,
 * removed at the end), so every process of the run uses the same build even if dist/ is rebuilt
 * meanwhile. Child processes find the copy through BENCH_DIST_DIR. Under node_modules, its
 * `require`s resolve to the repository's packages, and no linter, formatter or git sees it.
 */

const { cpSync, existsSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const process = require('node:process');

const BUILD_DIR = join(__dirname, '..', 'dist');

/** The dist directory in use: the run's copy when there is one, else the build itself. */
const distDir = () => process.env.BENCH_DIST_DIR || BUILD_DIR;

/** The service's entry point in the dist directory in use. */
const mainPath = () => join(distDir(), 'src', 'main.js');

/**
 * Requires a module of the compiled service, e.g. `fromDist('devices/timeseries.sql')`.
 * @param {string} path relative to dist/src, without extension
 * @returns {any}
 */
function fromDist(path) {
  if (!existsSync(mainPath())) {
    throw new Error(`${mainPath()} does not exist: build the service first (npm run bench runs "nest build").`);
  }
  return require(join(distDir(), 'src', `${path}.js`));
}

/**
 * Copies dist/ for this run and points this process and its children at the copy.
 * @returns {() => void} removes the copy
 */
function useDistSnapshot() {
  if (!existsSync(join(BUILD_DIR, 'src', 'main.js'))) {
    throw new Error(
      `${BUILD_DIR}/src/main.js does not exist: build the service first (npm run bench runs "nest build").`,
    );
  }
  const snapshot = join(__dirname, '..', 'node_modules', '.cache', 'device-timeseries-bench', `dist-${process.pid}`);
  cpSync(BUILD_DIR, snapshot, { recursive: true, preserveTimestamps: true });
  process.env.BENCH_DIST_DIR = snapshot;
  return () => rmSync(snapshot, { recursive: true, force: true });
}

module.exports = { distDir, mainPath, fromDist, useDistSnapshot };
