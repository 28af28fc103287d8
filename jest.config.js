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
      },
    ),
  ],
  testTimeout: 60_000,
  maxWorkers: 2,
};
