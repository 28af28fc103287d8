/**
 * One jest run for unit tests (test/unit) and e2e tests (test/e2e).
 * The swagger plugin runs in ts-jest as in `nest build`, so the OpenAPI document under test is the
 * one the service serves. The e2e suite makes its own throwaway database (test/support/global-setup.ts).
 * @type {import('jest').Config}
 */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testRegex: 'test/.*\\.(spec|e2e-spec)\\.[jt]s$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+/node_modules/.+\\.js$': '<rootDir>/test/support/esm-transformer.js',
    '^.+\\.ts$': [
      'ts-jest',
      {
        tsconfig: 'tsconfig.json',
        astTransformers: {
          before: ['<rootDir>/test/support/swagger-transformer.js'],
        },
      },
    ],
  },
  // Dependencies that ship only ES modules, compiled to CommonJS for jest (see esm-transformer.js).
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition)/)'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 2,
};
