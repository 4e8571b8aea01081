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
      for (const o of ["--layout", "--stack", "--fault", "--runs", "--report-dir", "--name", "--state-dir", "--keep-logs", "--json"]) expect(r.out).toContain(`  ${o} `);
      // The options the twin's re-enactment had are gone: the real deploy runs the stack's own verify command.
      for (const o of ["--pings", "--window", "--continue-after-gate-failure", "--converge-timeout", "--replay", "--cloud"]) expect(r.out).not.toContain(`  ${o} `);
      expect(r.out).toMatch(/\nexit codes:\n {2}0 {2}ok: .*\n {2}1 {2}failed: .*\n {2}2 {2}usage: .*\n {2}3 {2}inconclusive: .*\n {2}4 {2}this machine lacks prerequisites.*\n {2}130\/143 .*\n$/);
    }
  });

  test.each([
    [["--runs", "abc"], `${CMD}: --runs must be an integer from 1 to 100 (got "abc") (see ${CMD} --help)`],
    [["--runs", "0"], '--runs must be an integer from 1 to 100 (got "0")'],
    [["--runs", "2.5"], '--runs must be an integer from 1 to 100 (got "2.5")'],
    [["--pings", "3"], "unknown option --pings"],
    [["--replay"], "unknown option --replay"],
    [["--layout", "nope"], '--layout must be one of reference, upstream (got "nope")'],
    [["--fault", "nope"], `--fault: unknown fault "nope" (known: ${FAULT_NAMES.join(", ")}, or all)`],
    [["--fault", "l3-agent-down,nope"], '--fault: unknown fault "nope"'],
    [["--fault", "l3-agent-down,l3-agent-down"], '--fault: a fault is given twice in "l3-agent-down,l3-agent-down"'],
    [["--name", "a/b"], '--name must be a name (letters, digits, . _ -; no /) (got "a/b")'],
    [["--stak", "f"], `${CMD}: unknown option --stak; did you mean --stack? (see ${CMD} --help)`],
    [["--fualt", "l3-agent-down"], "unknown option --fualt; did you mean --fault?"],
    [["--bogus"], "unknown option --bogus"],
    [["reference"], 'unexpected argument "reference"'],
    [["--json=1"], '--json takes no value (got "1")'],
    [["--apply-with", "tofu"], '--apply-with must be one of terraform, cdktf (got "tofu")'],
    [["--apply-with", "cdktf", "--stack", "a.json"], "--apply-with cdktf applies an example (--layout); --stack FILE is applied with terraform: leave --apply-with out or say --apply-with terraform"],
    [["--apply-with", "cdktf", "--fault", "l3-agent-down"], "--apply-with cdktf applies an example (--layout); --fault is applied with terraform"],
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
      ["--stack", referenceStackFile(), "--runs", "2", "--report-dir", path.join(dir, "reports")],
      ["--layout", "upstream", "--fault", FAULT_NAMES[0], "--name", "cli-test", "--state-dir", path.join(dir, "state"), "--keep-logs", "--json"],
      ["--fault", "all"],
      ["--layout", "upstream", "--apply-with", "terraform"],
      ["--apply-with", "cdktf", "--runs", "3"],
      ["--stack", referenceStackFile(), "--apply-with", "terraform"],
      ["--fault", `${FAULT_NAMES[1]},${FAULT_NAMES[0]}`],
    ]) {
      const r = await cli(["lab", ...args]);
      expect([args.join(" "), r]).toEqual([args.join(" "), { code: 4, out: "", err: `${CMD}: this machine lacks: ${NOT_HERE}\n`, checks: 1 }]);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });
});
