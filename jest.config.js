/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // One Azurite for the whole run, on free ports; each test file works in its own storage namespace.
  globalSetup: '<rootDir>/test/setup/globalSetup.ts',
  // Worker threads started from the TypeScript sources compile them (test/setup/typeScriptWorkers.ts).
  setupFiles: ['<rootDir>/test/setup/typeScriptWorkers.ts'],
  globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
