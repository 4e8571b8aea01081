/**
 * Two jest projects (one `npm test`):
 *   unit  fast suites that need no root, daemon or lab: in parallel (at most 2 workers)
 *   real  the suites that need root, real daemons, network namespaces or the real CLIs (test/real,
 *         test/twin, test/lab, test/terraform, test/package): one at a time in jest's main process
 *         (test/support/serial-runner.js), after the unit suites and never beside them.
 * `npx jest --selectProjects unit` runs the unit suites only.
 */
const REAL = ["real", "twin", "lab", "terraform", "package"];

/** @type {import('jest').Config} */
const common = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  // Type checking happens in `npm run build` (tsc); ts-jest only transpiles here, which keeps the
  // generated provider bindings from being type-checked once per test file.
  transform: { "^.+\\.ts$": ["ts-jest", { isolatedModules: true, diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/test/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", `<rootDir>/test/(${REAL.join("|")})/`],
    },
    {
      ...common,
      displayName: "real",
      testMatch: [`<rootDir>/test/{${REAL.join(",")}}/**/*.test.ts`],
      runner: "<rootDir>/test/support/serial-runner.js",
    },
  ],
  // The unit project's workers (a 2-core machine: more workers only thrash).
  maxWorkers: 2,
  // One line naming the real suites this machine skips, and the command that enables them.
  globalSetup: "<rootDir>/test/global-setup.ts",
  testTimeout: 60000,
};
