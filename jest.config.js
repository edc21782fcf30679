// Unit tests are pure and fast; integration and e2e tests talk to real services and run in band
// (they share the local CDC stack and each owns its database or id range).
// p-retry and is-network-error ship ESM only: ts-jest transpiles them to CommonJS for Jest's runtime.
const transform = { '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const transformIgnorePatterns = ['/node_modules/(?!(p-retry|is-network-error)/)'];
const shared = { testEnvironment: 'node', transform, transformIgnorePatterns, setupFiles: ['reflect-metadata'] };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/integration/cdc/'],
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/long-test-timeout.ts'],
    },
    // Tests that need the real CDC chain: the global setup brings the local stack up once per run
    // (or reuses it), so the integration project above never waits for it.
    {
      ...shared,
      displayName: 'cdc',
      testMatch: ['<rootDir>/test/integration/cdc/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/cdc-global-setup.ts',
      setupFilesAfterEnv: ['<rootDir>/test/helpers/long-test-timeout.ts'],
    },
  ],
  maxWorkers: 1,
  // A library handle left open (kafkajs, a pool) must not hold CI until its time limit: the run
  // ends when the last test does. Each suite closes its own resources in afterAll regardless.
  forceExit: true,
};
