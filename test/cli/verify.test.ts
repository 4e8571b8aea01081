/** dvr-lab verify: options and exit codes, in-process (fake transport and Neutron; no root, no network). */
import { generateKeyPairSync } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT } from "../../lib/common/exit-codes";
import { run } from "../../lib/verify/cli";
import { QdhcpSshVmExecutor } from "../../lib/verify/vm-executor";
import { FakeNeutron, FIXTURES, ReplayTransport, fixture } from "../verify/fakes";
import { cli, expectUsageError, referenceStackFile, tmpDir } from "./support";

const CMD = "dvr-lab verify";
const DESC = path.join(FIXTURES, "description.json");
const ACCESS = JSON.stringify({
  hosts: {
    com1: { address: "192.0.2.101", user: "root", port: 22, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmQ1", privateKeyEnv: "LAB_KEY" },
    com2: { address: "192.0.2.102", user: "root", port: 22, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmQ2", privateKeyEnv: "LAB_KEY" },
  },
});

describe("dvr-lab verify", () => {
  test("--help: usage and exit codes, exit 0", async () => {
    const r = await cli(["verify", "--help"]);
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(r.out).toMatch(/^usage: dvr-lab verify /);
    expect(r.out).toMatch(/\nexit codes:\n {2}0 {2}ok: .*\n {2}1 {2}failed: .*\n {2}2 {2}usage: .*\n {2}3 {2}inconclusive: .*\n$/);
  });

  test("--plan of the reference lab synthesized in-process (Testing.synth): exit 0, no access needed", async () => {
    const r = await cli(["verify", "--synth", referenceStackFile(), "--lab", "reference", "--plan"]);
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(r.out).toMatch(/^snapshot\tcom1\t/m);
    expect(r.out).toMatch(/^\d+ node commands$/m);
  });

  test.each([
    [["--descripton", DESC, "--plan"], "unknown option --descripton; did you mean --description?"],
    [["--description", DESC, "--plan", "--runs", "3"], "unknown option --runs"],
    [["--description", DESC, "--plan", "extra"], 'unexpected argument "extra"'],
    [["--description", DESC, "--plan", "--pings", "abc"], '--pings must be an integer from 1 to 1000 (got "abc")'],
    [["--description", DESC, "--plan", "--pings", "0"], '--pings must be an integer from 1 to 1000 (got "0")'],
    [["--description", DESC, "--plan", "--min-forwarded", "2.5"], '--min-forwarded must be an integer from 1 to 1000 (got "2.5")'],
    [["--description", DESC, "--plan", "--window", "pair"], '--window must be one of all, row (got "pair")'],
    [["--description", DESC, "--plan", "--neutron-url", "192.0.2.2:9696"], '--neutron-url must be an http(s) URL (got "192.0.2.2:9696")'],
    [["--description", DESC, "--plan", "--json=yes"], '--json takes no value (got "yes")'],
    [["--description", DESC, "--plan", "--pings", "5", "--pings", "6"], "--pings is given more than once"],
    [["--plan"], "give exactly one of --description, --description-env, --synth"],
    [["--description", DESC, "--synth", "x", "--plan"], "give exactly one of --description, --description-env, --synth (got --description and --synth)"],
    [["--synth", "x.json", "--plan"], "--synth needs --lab NAME"],
    [["--description", DESC, "--lab", "x", "--plan"], "--lab is only used with --synth"],
    [["--description", DESC], "give exactly one of --access, --access-env"],
    [["--description"], "--description needs a value"],
  ])("%j: exit 2, %s", async (args, message) => {
    expectUsageError(await cli(["verify", ...args]), CMD, `${CMD}: ${message} (see ${CMD} --help)`);
  });

  test("an input the command line names is missing or wrong: exit 2, one line naming the option", async () => {
    expectUsageError(await cli(["verify", "--description", "/nonexistent.json", "--plan"]), CMD, `${CMD}: --description: /nonexistent.json not found`);
    expectUsageError(await cli(["verify", "--description-env", "DESC", "--plan"]), CMD, `${CMD}: --description-env: DESC is empty or unset`);
    expectUsageError(await cli(["verify", "--synth", referenceStackFile(), "--lab", "nope", "--plan"]), CMD, 'has no output "nope_description" (has: reference_description)');
    expectUsageError(await cli(["verify", "--description", DESC, "--access", "/nonexistent.json"]), CMD, `${CMD}: --access: /nonexistent.json not found`);
  });

  // The verifier's own exit codes (Report.exitCode, lib/verify/run.ts) are the table's: one run each.
  const deps = (transport = new ReplayTransport(), neutron = new FakeNeutron()) => () => ({ transport, neutron, vm: new QdhcpSshVmExecutor(), sleep: async () => undefined });
  const verifyRun = async (d: ReturnType<typeof deps>, extra: string[] = []) => {
    const out: string[] = [];
    const code = await run(["--description-env", "DESC", "--access-env", "ACC", ...extra], { env: { DESC: fixture("description.json"), ACC: ACCESS }, stdout: (s) => void out.push(s), stderr: () => undefined, deps: d });
    return { code, out: out.join("") };
  };

  test("every row passed: exit 0 (EXIT.OK), with --json and --report-dir", async () => {
    const dir = tmpDir();
    const r = await verifyRun(deps(), ["--json", "--report-dir", dir]);
    expect(r.code).toBe(EXIT.OK);
    expect(JSON.parse(r.out)).toMatchObject({ schema: "dvr-lab/verify-report@1", exitCode: 0 });
    expect(fs.existsSync(path.join(dir, "report.md"))).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });

  test("the gate failed: exit 1 (EXIT.FAILED)", async () => {
    const neutron = new FakeNeutron("agents.json", (kind, objs) =>
      kind === "agents" ? objs.map((a) => (a.host === "com2" && a.agent_type === "L3 agent" ? { ...a, configurations: { agent_mode: "legacy" } } : a)) : objs,
    );
    expect((await verifyRun(deps(new ReplayTransport(), neutron))).code).toBe(EXIT.FAILED);
  });

  test("no capture evidence: exit 3 (EXIT.INCONCLUSIVE)", async () => {
    const t = new ReplayTransport(undefined, (_host, kind, out) =>
      kind === "background-stop" ? out.replace(/tcpdump: data link type[\s\S]*?snapshot length 262144 bytes\n/g, "sh: 1: tcpdump: not found\n").replace(/^\d\d:.*\n/gm, "") : out,
    );
    expect((await verifyRun(deps(t))).code).toBe(EXIT.INCONCLUSIVE);
  });
});

describe("dvr-lab verify: the verify hook's key hand-over (--stash-keys, then --keys-from)", () => {
  // A throw-away key made at test time (nothing secret is committed).
  const KEY = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();

  test("--stash-keys writes each privateKeyEnv to DIR/<VAR> (0600, dir 0700), prints nothing, exit 0", async () => {
    const dir = path.join(tmpDir(), "keys");
    const r = await cli(["verify", "--stash-keys", dir, "--access-env", "ACC"], { env: { ACC: ACCESS, LAB_KEY: KEY } });
    expect([r.code, r.out, r.err]).toEqual([0, "", ""]);
    expect(fs.readdirSync(dir)).toEqual(["LAB_KEY"]);
    expect(fs.readFileSync(path.join(dir, "LAB_KEY"), "utf8")).toBe(KEY);
    expect(fs.statSync(path.join(dir, "LAB_KEY")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  test("--stash-keys with the key variable unset: exit 2 naming it", async () => {
    expectUsageError(await cli(["verify", "--stash-keys", path.join(tmpDir(), "k"), "--access-env", "ACC"], { env: { ACC: ACCESS } }), CMD, "--stash-keys: LAB_KEY (privateKeyEnv) is empty or unset");
  });

  test("--keys-from reads the stashed key for the SSH transport and deletes the files and the dir", async () => {
    const dir = path.join(tmpDir(), "keys");
    await cli(["verify", "--stash-keys", dir, "--access-env", "ACC"], { env: { ACC: ACCESS, LAB_KEY: KEY } });
    const { keysFrom } = await import("../../lib/verify/cli");
    const env = keysFrom(JSON.parse(ACCESS), dir, { OTHER: "x" });
    expect(env).toEqual({ OTHER: "x", LAB_KEY: KEY });
    expect(fs.existsSync(dir)).toBe(false);
    // A variable that is set wins over the stash, which is then not needed.
    expect(keysFrom(JSON.parse(ACCESS), dir, { LAB_KEY: "set" }).LAB_KEY).toBe("set");
    expect(() => keysFrom(JSON.parse(ACCESS), dir, {})).toThrow(`--keys-from: ${path.join(dir, "LAB_KEY")} not found (LAB_KEY is unset too)`);
  });
});
