/**
 * `npm test` is one jest run of two projects (jest.config.js): the unit suites in parallel workers,
 * the real suites (root, daemons, namespaces, real CLIs) one at a time through a serial runner.
 * Jest runs one runner's suites after the other's, so a real suite never runs beside another suite.
 */
import { join, relative } from "path";

const ROOT = join(__dirname, "../..");
// eslint-disable-next-line @typescript-eslint/no-var-requires
const config = require(join(ROOT, "jest.config.js"));
const REAL_DIRS = ["lab", "package", "real", "terraform", "twin"];

test("two projects: unit in at most 2 workers, real through the serial runner", () => {
  expect(config.projects.map((p: { displayName: string }) => p.displayName)).toEqual(["unit", "real"]);
  const [unit, real] = config.projects;
  expect(config.maxWorkers).toBeLessThanOrEqual(2);
  expect(unit.runner).toBeUndefined();
  expect(real.runner).toBe("<rootDir>/test/support/serial-runner.js");
  expect(real.testMatch).toEqual([`<rootDir>/test/{${["real", "twin", "lab", "terraform", "package"].join(",")}}/**/*.test.ts`]);
  expect(unit.testPathIgnorePatterns).toContain("<rootDir>/test/(real|twin|lab|terraform|package)/");
  expect(config.globalSetup).toBe("<rootDir>/test/global-setup.ts");
});

test("the serial runner is jest's runner with isSerial set (jest then runs its suites in band)", () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const SerialRunner = require(join(ROOT, "test/support/serial-runner.js"));
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Base = require("jest-runner").default;
  const runner = new SerialRunner({ maxWorkers: 2 }, {});
  expect(runner).toBeInstanceOf(Base);
  expect(runner.isSerial).toBe(true);
  expect(new Base({ maxWorkers: 2 }, {}).isSerial).toBeFalsy();
});

test("every real directory's suites are in the real project and none in the unit one", () => {
  const unitIgnore = new RegExp(config.projects[0].testPathIgnorePatterns[1].replace("<rootDir>", ROOT.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  for (const d of REAL_DIRS) expect([d, unitIgnore.test(join(ROOT, "test", d, "x.test.ts"))]).toEqual([d, true]);
  for (const f of ["test/verify/gate.test.ts", "test/synth.test.ts", "test/structure/imports.test.ts", "test/realistic.test.ts"]) {
    expect([f, unitIgnore.test(join(ROOT, f))]).toEqual([f, false]);
  }
  expect(relative(ROOT, __filename)).toBe("test/structure/jest-projects.test.ts");
});
