/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  // Type checking happens in `npm run build` (tsc); ts-jest only transpiles here, which keeps the
  // generated provider bindings from being type-checked once per test file.
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
  testTimeout: 60000,
};
