// @ts-check
/** @type {import('jest').Config['transform']} */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

/** @type {import('jest').Config} */
const config = {
  // Each workflow or end-to-end file runs its own Temporal server: two at a time fit two cores.
  maxWorkers: 2,
  // Jest reads the timeout only from the top level. Servers and child processes on two busy cores
  // need more than the default 5 s; waitFor's own 20 s deadline reports what it last saw.
  testTimeout: 60_000,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], transform, testEnvironment: 'node' },
    { displayName: 'activities', testMatch: ['<rootDir>/test/activities/**/*.test.ts'], transform, testEnvironment: 'node' },
    {
      displayName: 'workflow',
      testMatch: ['<rootDir>/test/workflow/**/*.test.ts'],
      transform,
      testEnvironment: 'node',
      slowTestThreshold: 30,
    },
    { displayName: 'replay', testMatch: ['<rootDir>/test/replay/**/*.test.ts'], transform, testEnvironment: 'node' },
    { displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'], transform, testEnvironment: 'node', slowTestThreshold: 60 },
  ],
};

module.exports = config;
