/**
 * One jest run, two projects:
 * - unit (test/unit): transpiled without type-checking (isolatedModules: `npm run lint` type-checks);
 * - e2e (test/e2e): compiled with the Nest CLI swagger plugin, as in `nest build`, so the OpenAPI
 *   document under test is the one the service serves. The e2e suite makes its own throwaway
 *   database (test/support/global-setup.ts).
 * @type {import('jest').Config}
 */
const project = (name, testRegex, tsJest, extra = {}) => ({
  displayName: name,
  rootDir: '.',
  testEnvironment: 'node',
  testRegex,
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', tsJest] },
  ...extra,
});

module.exports = {
  projects: [
    project('unit', 'test/unit/.*\\.spec\\.ts$', { tsconfig: 'tsconfig.unit.json' }),
    project(
      'e2e',
      'test/e2e/.*\\.e2e-spec\\.ts$',
      {
        tsconfig: 'tsconfig.json',
        astTransformers: { before: ['<rootDir>/test/support/swagger-transformer.js'] },
      },
      {
        globalSetup: '<rootDir>/test/support/global-setup.ts',
        globalTeardown: '<rootDir>/test/support/global-teardown.ts',
        // A longer limit for every test and hook (jest reads testTimeout from the root only).
        setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
      },
    ),
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
  // Jest gives a worker 500 ms to end after the last file, then kills it and prints "A worker
  // process has failed to exit gracefully". Ours hold nothing open: probed, their event loop is
  // empty (the 'exit' event fires) within 1 ms of Jest's end message. What takes longer is Node
  // tearing down a worker of 400-750 MB (one module registry per test file), more than 500 ms on
  // a busy machine in about half the runs. A leaked handle would still be reported, after this
  // wait, and .ci/run fails on the message.
  workerGracefulExitTimeout: 10_000,
};
