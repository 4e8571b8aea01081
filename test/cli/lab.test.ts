/**
 * dvr-lab lab: options and exit codes, in-process. The machine check always reports a missing
 * prerequisite (test/cli/support.ts), so no test can start a twin.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { FAULT_NAMES } from "../../lib/twin/faults";
import { cli, expectUsageError, NOT_HERE, referenceStackFile, tmpDir } from "./support";

const CMD = "dvr-lab lab";

describe("dvr-lab lab", () => {
  test("--help / -h: usage, options and exit codes, exit 0", async () => {
    for (const h of ["--help", "-h"]) {
      const r = await cli(["lab", h]);
      expect([r.code, r.err]).toEqual([0, ""]);
      expect(r.out).toMatch(/^usage: dvr-lab lab /);
      for (const o of ["--layout", "--stack", "--fault", "--runs", "--report-dir", "--pings", "--window", "--continue-after-gate-failure", "--name", "--state-dir", "--converge-timeout", "--keep-logs", "--json"]) expect(r.out).toContain(`  ${o} `);
      expect(r.out).toMatch(/\nexit codes:\n {2}0 {2}ok: .*\n {2}1 {2}failed: .*\n {2}2 {2}usage: .*\n {2}3 {2}inconclusive: .*\n {2}4 {2}this machine lacks prerequisites.*\n {2}130\/143 .*\n$/);
    }
  });

  test.each([
    [["--runs", "abc"], `${CMD}: --runs must be an integer from 1 to 100 (got "abc") (see ${CMD} --help)`],
    [["--runs", "0"], '--runs must be an integer from 1 to 100 (got "0")'],
    [["--runs", "2.5"], '--runs must be an integer from 1 to 100 (got "2.5")'],
    [["--pings", "abc"], '--pings must be an integer from 1 to 1000 (got "abc")'],
    [["--converge-timeout", "abc"], '--converge-timeout must be an integer from 1 to 3600 (got "abc")'],
    [["--layout", "nope"], '--layout must be one of reference, upstream (got "nope")'],
    [["--fault", "nope"], `--fault must be one of ${FAULT_NAMES.join(", ")} (got "nope")`],
    [["--window", "pair"], '--window must be one of all, row (got "pair")'],
    [["--name", "a/b"], '--name must be a name (letters, digits, . _ -; no /) (got "a/b")'],
    [["--stak", "f"], `${CMD}: unknown option --stak; did you mean --stack? (see ${CMD} --help)`],
    [["--fualt", "l3-agent-down"], "unknown option --fualt; did you mean --fault?"],
    [["--bogus"], "unknown option --bogus"],
    [["reference"], 'unexpected argument "reference"'],
    [["--json=1"], '--json takes no value (got "1")'],
    [["--runs", "1", "--runs", "2"], "--runs is given more than once"],
    [["--stack", "a.json", "--layout", "upstream"], "give at most one of --stack, --layout (got --stack and --layout)"],
  ])("%j: exit 2, %s", async (args, message) => {
    expectUsageError(await cli(["lab", ...args]), CMD, message);
  });

  test("a missing or wrong --stack: exit 2 naming the option", async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, "bad.json"), "[");
    expectUsageError(await cli(["lab", "--stack", path.join(dir, "nope.json")]), CMD, `${CMD}: --stack: ${dir}/nope.json not found`);
    expectUsageError(await cli(["lab", "--stack", path.join(dir, "bad.json")]), CMD, /^dvr-lab lab: --stack: .*bad\.json is not valid JSON/);
    fs.rmSync(dir, { recursive: true });
  });

  test("valid invocations on a machine that lacks prerequisites: exit 4 naming them, nothing started", async () => {
    const dir = tmpDir();
    for (const args of [
      [],
      ["--stack", referenceStackFile(), "--runs", "2", "--pings", "3", "--window", "row", "--report-dir", path.join(dir, "reports")],
      ["--layout", "upstream", "--fault", FAULT_NAMES[0], "--continue-after-gate-failure", "--name", "cli-test", "--state-dir", path.join(dir, "state"), "--converge-timeout", "20", "--keep-logs", "--json"],
    ]) {
      const r = await cli(["lab", ...args]);
      expect([args.join(" "), r]).toEqual([args.join(" "), { code: 4, out: "", err: `${CMD}: this machine lacks: ${NOT_HERE}\n`, checks: 1 }]);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });
});
