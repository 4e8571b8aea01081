/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Type checking happens in `npm run build` (tsc); ts-jest only transpiles here, which keeps the
  // generated provider bindings from being type-checked once per test file.
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
  // One line naming the real suites this machine skips, and the command that enables them.
  globalSetup: "<rootDir>/test/global-setup.ts",
  testTimeout: 60000,
};
