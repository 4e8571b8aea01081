/**
 * dvr-lab twin up | status | down: options and exit codes, in-process. The machine check always
 * reports a missing prerequisite (test/cli/support.ts), so no test can start a twin.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LAYOUT_NAMES } from "../../lib/twin/cli";
import { LAYOUTS } from "../../lib/twin/lab";
import { cli, expectUsageError, NOT_HERE, referenceStackFile, tmpDir } from "./support";

describe("dvr-lab twin", () => {
  test("--help, before or after a subcommand: usage and exit codes, exit 0", async () => {
    for (const args of [["twin", "--help"], ["twin", "-h"], ["twin", "up", "--help"], ["twin", "status", "-h"], ["twin", "down", "--help"], ["twin", "up", "--stak", "f", "--help"]]) {
      const r = await cli(args);
      expect([args.join(" "), r.code, r.err]).toEqual([args.join(" "), 0, ""]);
      expect(r.out).toMatch(/^usage: dvr-lab twin <up\|status\|down>/);
      expect(r.out).toMatch(/\nexit codes:\n {2}0 {2}ok: .*\n {2}1 {2}failed: .*\n {2}2 {2}usage: .*\n {2}4 {2}this machine lacks prerequisites.*\n {2}5 {2}not running: .*\n$/);
    }
  });

  test("no subcommand: the usage, exit 2; an unknown one or an option first: exit 2, one line", async () => {
    const r = await cli(["twin"]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^usage: dvr-lab twin /);
    expectUsageError(await cli(["twin", "start"]), "dvr-lab twin", 'dvr-lab twin: unknown subcommand "start" (known: up, status, down) (see dvr-lab twin --help)');
    expectUsageError(await cli(["twin", "--name", "x", "down"]), "dvr-lab twin", "the subcommand (up, status or down) comes first (got --name)");
  });

  test.each([
    [["up", "--stak", "f"], "dvr-lab twin up: unknown option --stak; did you mean --stack? (see dvr-lab twin up --help)"],
    // What the twin's own bring-up had (a convergence cap, Neutron alone, a description without a
    // stack) is gone: `twin up` is a real Terraform deploy of a synthesized stack.
    [["up", "--converge-timeout", "30"], "dvr-lab twin up: unknown option --converge-timeout (see dvr-lab twin up --help)"],
    [["up", "--neutron-only"], "unknown option --neutron-only"],
    [["up", "--description", "b.json"], "unknown option --description"],
    [["up", "--layout", "nope"], '--layout must be one of reference, upstream (got "nope")'],
    [["up", "--builtin", "nope"], '--builtin must be one of reference, upstream (got "nope")'],
    [["up", "--layout", "reference", "--builtin", "upstream"], "give at most one of --stack, --layout, --builtin (got --layout and --builtin)"],
    [["up", "--stack", "a/cdk.tf.json", "--layout", "upstream"], "give at most one of --stack, --layout, --builtin (got --stack and --layout)"],
    [["up", "--name", "../etc"], '--name must be a name (letters, digits, . _ -; no /) (got "../etc")'],
    [["up", "extra"], 'unexpected argument "extra"'],
    [["up", "--keep-logs"], "dvr-lab twin up: unknown option --keep-logs"],
    [["status", "--keep-logs"], "dvr-lab twin status: unknown option --keep-logs"],
    [["status", "--json=1"], '--json takes no value (got "1")'],
    [["down", "--json"], "dvr-lab twin down: unknown option --json"],
    [["down", "--state-dir"], "--state-dir needs a value"],
  ])("%j: exit 2, %s", async (args, message) => {
    expectUsageError(await cli(["twin", ...args]), `dvr-lab twin ${args[0]}`, message);
  });

  test("up: a missing, wrong or misnamed --stack is exit 2 naming the option", async () => {
    const dir = tmpDir();
    const file = (sub: string, text: string) => {
      fs.mkdirSync(path.join(dir, sub));
      fs.writeFileSync(path.join(dir, sub, "cdk.tf.json"), text);
      return path.join(dir, sub, "cdk.tf.json");
    };
    const bad = file("bad", "{ not json");
    const noOutput = file("no-output", JSON.stringify({ resource: {} }));
    expectUsageError(await cli(["twin", "up", "--stack", path.join(dir, "nope", "cdk.tf.json")]), "dvr-lab twin up", `dvr-lab twin up: --stack: ${dir}/nope/cdk.tf.json not found`);
    expectUsageError(await cli(["twin", "up", "--stack", bad]), "dvr-lab twin up", /^dvr-lab twin up: --stack: .*bad\/cdk\.tf\.json is not valid JSON/);
    expectUsageError(await cli(["twin", "up", "--stack", noOutput]), "dvr-lab twin up", 'expected one "<lab>_description" output in the stack, found 0');
    // Terraform runs in the stack's folder: the file must be the folder's cdk.tf.json.
    expectUsageError(await cli(["twin", "up", "--stack", path.join(dir, "stack.json")]), "dvr-lab twin up", `--stack: ${dir}/stack.json must be a synthesized cdk.tf.json in its stack folder`);
    fs.rmSync(dir, { recursive: true });
  });

  test("up with a valid stack on a machine that lacks prerequisites: exit 4 naming them, nothing started", async () => {
    const state = path.join(tmpDir(), "state");
    const r = await cli(["twin", "up", "--stack", referenceStackFile(), "--name", "cli-test", "--state-dir", state]);
    expect(r).toEqual({ code: 4, out: "", err: `dvr-lab twin: this machine lacks: ${NOT_HERE}\n`, checks: 1 });
    expect(fs.existsSync(state)).toBe(false);
  });

  test("up with the default layout synthesizes it before the machine check (exit 4, not 1)", async () => {
    const r = await cli(["twin", "up", "--layout", "upstream"]);
    expect([r.code, r.err, r.checks]).toEqual([4, `dvr-lab twin: this machine lacks: ${NOT_HERE}\n`, 1]);
  });

  test("status without a twin: exit 5 (not running); down without a twin: exit 0; neither creates the state dir", async () => {
    const state = path.join(tmpDir(), "no-twin");
    const status = await cli(["twin", "status", "--state-dir", state]);
    expect(status).toEqual({ code: 5, out: `twin reference: not running (no state in ${state})\n`, err: "", checks: 0 });
    const json = await cli(["twin", "status", "--state-dir", state, "--json", "--name", "other"]);
    expect([json.code, json.out]).toEqual([5, `twin other: not running (no state in ${state})\n`]);
    const down = await cli(["twin", "down", "--state-dir", state, "--keep-logs"]);
    expect(down).toEqual({ code: 0, out: `twin reference: not running (no state in ${state})\n`, err: "", checks: 0 });
    expect(fs.existsSync(state)).toBe(false);
  });

  test("the layouts --layout accepts are the ones lib/twin/lab.ts synthesizes", () => {
    expect([...LAYOUT_NAMES]).toEqual(Object.keys(LAYOUTS));
  });
});
