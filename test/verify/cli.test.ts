import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs, run, UsageError } from "../../lib/verify/cli";
import { QdhcpSshVmExecutor } from "../../lib/verify/vm-executor";
import { FakeNeutron, FIXTURES, ReplayTransport, fixture } from "./fakes";

const DESC = path.join(FIXTURES, "description.json");
const ACCESS = JSON.stringify({
  hosts: {
    com1: { address: "192.0.2.101", user: "root", port: 22, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmQ1", privateKeyEnv: "LAB_KEY" },
    com2: { address: "192.0.2.102", user: "root", port: 22, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmQ2", privateKeyEnv: "LAB_KEY" },
  },
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) } };
}

describe("dvr-lab verify arguments", () => {
  test("defaults and values", () => {
    expect(parseArgs(["--description", "d.json", "--access-env", "DVR_LAB_ACCESS"])).toMatchObject({ pings: 5, window: "all", description: "d.json", accessEnv: "DVR_LAB_ACCESS" });
    expect(parseArgs(["--synth", "cdk.tf.json", "--lab", "seed", "--access=a.json", "--pings=7", "--window", "row", "--neutron-url", "http://192.0.2.2:9696"])).toMatchObject({
      synth: "cdk.tf.json",
      lab: "seed",
      access: "a.json",
      pings: 7,
      window: "row",
      neutronUrl: "http://192.0.2.2:9696",
    });
    expect(parseArgs(["--description", "d.json", "--access", "a.json", "--agent-report-wait", "0"])).toMatchObject({ agentReportWaitSeconds: 0 });
    expect(parseArgs(["--description", "d.json", "--access", "a.json", "--retries", "0"])).toMatchObject({ retries: 0 });
    expect(parseArgs(["--description", "d.json", "--access", "a.json", "--router-wait", "0"])).toMatchObject({ routerWaitSeconds: 0 });
    expect(parseArgs(["--description", "d.json", "--access", "a.json"])).not.toHaveProperty("agentReportWaitSeconds");
  });

  test.each([
    [[], /exactly one of --description/],
    [["--description", "a", "--description-env", "B", "--access", "x"], /exactly one of --description/],
    [["--synth", "cdk.tf.json", "--access", "x"], /--synth needs --lab/],
    [["--description", "a"], /exactly one of --access/],
    [["--description", "a", "--access", "x", "--pings", "0"], /integer from 1/],
    [["--description", "a", "--access", "x", "--window", "pair"], /--window must be/],
    [["--description", "a", "--access", "x", "--agent-report-wait", "abc"], /--agent-report-wait/],
    [["--description", "a", "--access", "x", "--agent-report-wait", "601"], /--agent-report-wait/],
    [["--description", "a", "--access", "x", "--retries", "11"], /--retries/],
    [["--description", "a", "--access", "x", "--router-wait", "601"], /--router-wait/],
    [["--description", "a", "--access", "x", "--bogus"], /unknown option --bogus/],
    [["--description"], /--description needs a value/],
  ])("rejects %j", (args, msg) => {
    expect(() => parseArgs(args as string[])).toThrow(UsageError);
    expect(() => parseArgs(args as string[])).toThrow(msg);
  });

  test("--help prints usage, exit 0; bad usage exits 2", async () => {
    const c = capture();
    expect(await run(["--help"], c.io)).toBe(0);
    expect(c.out.join("")).toMatch(/usage: dvr-lab verify/);
    const d = capture();
    expect(await run(["--description", "/nonexistent.json", "--access", "x"], d.io)).toBe(2);
    expect(d.err.join("")).toMatch(/not found/);
  });

  test("--plan lists node commands without running anything", async () => {
    const c = capture();
    expect(await run(["--description", DESC, "--plan"], c.io)).toBe(0);
    const text = c.out.join("");
    expect(text).toMatch(/^snapshot\tcom1\t/m);
    expect(text).toMatch(/^ping\[0\]\tcom1\t4 pings from VMs via qdhcp namespaces/m);
    expect(text).toMatch(/12 node commands/);
  });

  test("--synth reads the Terraform output <lab>_description (a JSON string)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvr-verify-test-"));
    const tf = path.join(dir, "cdk.tf.json");
    fs.writeFileSync(tf, JSON.stringify({ output: { seed_description: { value: fixture("description.json") } } }));
    const c = capture();
    expect(await run(["--synth", tf, "--lab", "seed", "--plan"], c.io)).toBe(0);
    const e = capture();
    expect(await run(["--synth", tf, "--lab", "other", "--plan"], e.io)).toBe(2);
    expect(e.err.join("")).toMatch(/no output "other_description" \(has: seed_description\)/);
    fs.rmSync(dir, { recursive: true });
  });

  test("full run with injected deps: table on stdout, report.json + report.md, exit 0", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvr-verify-test-"));
    const c = capture();
    const code = await run(["--description-env", "DESC", "--access-env", "ACC", "--report-dir", dir], {
      ...c.io,
      env: { DESC: fixture("description.json"), ACC: ACCESS },
      deps: () => ({ transport: new ReplayTransport(), neutron: new FakeNeutron(), vm: new QdhcpSshVmExecutor(), sleep: async () => undefined }),
    });
    expect(code).toBe(0);
    expect(c.out.join("")).toMatch(/r1-floating-ip .*\| PASS/);
    const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
    expect(report.schema).toBe("dvr-lab/verify-report@1");
    expect(report.rows).toHaveLength(4);
    expect(fs.readFileSync(path.join(dir, "report.md"), "utf8")).toMatch(/^# dvr-lab verify report: seed/);
    fs.rmSync(dir, { recursive: true });
  });

  test("access must cover every non-controller host", async () => {
    const c = capture();
    const code = await run(["--description", DESC, "--access-env", "ACC"], { ...c.io, env: { ACC: JSON.stringify({ hosts: { com1: JSON.parse(ACCESS).hosts.com1 } }) } });
    expect(code).toBe(2);
    expect(c.err.join("")).toMatch(/no entry for host\(s\) com2/);
  });
});
