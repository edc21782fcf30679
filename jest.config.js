// Unit tests are pure and fast; integration and e2e tests talk to real services and run in band
// (they share the local CDC stack and each owns its database or id range).
// p-retry and is-network-error ship ESM only: ts-jest transpiles them to CommonJS for Jest's runtime.
// Every project runs in the leak-checking environment: a test file that leaves a socket, server,
// child process or timer open after its afterAll hooks fails, naming what it left.
const transform = { '^.+\\.[tj]sx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }] };
const transformIgnorePatterns = ['/node_modules/(?!(p-retry|is-network-error)/)'];
const testEnvironment = '<rootDir>/test/helpers/leak-checking-environment.ts';
// The global teardown ends a run that a leaked timer would otherwise keep alive.
const globalTeardown = '<rootDir>/test/helpers/global-teardown.ts';
const shared = { testEnvironment, globalTeardown, transform, transformIgnorePatterns, setupFiles: ['reflect-metadata'] };

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
};
