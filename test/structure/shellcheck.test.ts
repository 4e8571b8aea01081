/**
 * shellcheck covers every shell script the project ships or runs: the files (remote/twin/*, the
 * setup and CI scripts, the real suites' shims), found by extension or shebang so a new script is
 * covered without editing this test, and the POSIX sh scripts the verifier generates and runs on the
 * nodes (snapshot, counters, capture, grouped pings, the background job wrapper). No root needed.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";
import { captureScript, countersScript, snapshotScript } from "../../lib/verify/probes";
import type { VmModel } from "../../lib/model/topology";
import { detachedBackground } from "../../lib/verify/shell";
import type { PingRequest, Transport, VmExecutorContext } from "../../lib/verify/types";
import { NamespaceVmExecutor, QdhcpSshVmExecutor, vmProbeScript } from "../../lib/verify/vm-executor";

const ROOT = join(__dirname, "../..");
/** Where scripts live (node_modules, build output and generated bindings are not searched). */
const SEARCHED = ["bin", "remote", "scripts", ".ci", "test", "examples", "bench"];
const SHEBANG = /^#!\s*(\/usr\/bin\/env\s+)?(\/bin\/|\/usr\/bin\/)?(ba|da)?sh\b/;

function shellScripts(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) return name === "node_modules" || name === "__pycache__" ? [] : shellScripts(p);
    if (/\.(sh|bash)$/.test(name)) return [p];
    if (!st.isFile() || st.size > 1_000_000 || /\.(ts|js|json|py|md|txt|snap)$/.test(name)) return [];
    return SHEBANG.test(readFileSync(p, "utf8").split("\n", 1)[0]) ? [p] : [];
  });
}

const installed = spawnSync("shellcheck", ["--version"]).status === 0;
// Without shellcheck (npm run setup installs it) the checks skip, except where the real suites are required.
const maybe = installed || process.env.DVR_LAB_REQUIRE_REAL === "1" ? test : test.skip;

function shellcheck(args: string[]): { status: number | null; output: string } {
  const r = spawnSync("shellcheck", args, { encoding: "utf8", cwd: ROOT });
  return { status: r.status, output: (r.stdout ?? "") + (r.stderr ?? "") + (r.error ? String(r.error) : "") };
}

describe("shellcheck", () => {
  const files = SEARCHED.flatMap((d) => shellScripts(join(ROOT, d))).map((f) => relative(ROOT, f)).sort();

  test("finds the shipped scripts (remote/twin/*, setup, CI) and the real suites' shims", () => {
    expect(files).toEqual(expect.arrayContaining(["remote/twin/ns-init.sh", "remote/twin/systemctl", "scripts/setup.sh", ".ci/run", "test/real/support/shims/systemctl", "test/real/support/fake-docker/docker"]));
  });

  maybe("every script file is clean (shellcheck -x, each in its own shell dialect)", () => {
    expect(shellcheck(["-x", ...files])).toEqual({ status: 0, output: "" });
  });

  maybe("the scripts the verifier generates are clean POSIX sh", async () => {
    const vm = (name: string, fixedIp: string): VmModel => ({ name, host: "com1", subnet: "net-a", fixedIp }) as VmModel;
    const batch: PingRequest[] = [
      { key: "r1", vm: vm("a", "198.51.100.10"), target: "198.51.100.74", count: 5, payloadSize: 1111, waitSeconds: 2 },
      { key: "r2", vm: vm("b", "198.51.100.11"), target: "203.0.113.1", count: 5, payloadSize: 1119, waitSeconds: 2 },
    ];
    // Every script a transport is asked to run, as the verifier's own code builds it.
    const runs: string[] = [];
    const transport: Transport = {
      run: async (_h, c) => {
        runs.push((c as { script: string }).script);
        return { code: 0, stdout: "DVRLAB_JOB /tmp/dvr-lab-job.abc 123\nDVRLAB_READY\n", stderr: "" };
      },
      startBackground: () => Promise.reject(new Error("unused")),
    };
    const ctx: VmExecutorContext = { description: { hosts: [] } as never, transport, networkIdOf: () => "5c1f7e2a", namespacesOn: () => [] };
    await new QdhcpSshVmExecutor({ viaHost: "com1", keyFileOnNode: "/root/.ssh/vm key" }).ping(batch, ctx);
    await new NamespaceVmExecutor((v) => ({ host: "com1", prefix: ["ip", "netns", "exec", `vm-${v.name}`] })).ping(batch, ctx);
    const capture = captureScript(["qrouter-1", "snat-1"], [1139, 1147], { iface: "any", tunnelIp: "192.0.2.11" }, 60);
    const job = await detachedBackground(transport, "com1", capture, { maxSeconds: 60, readyMarker: "READY" });
    await job.stop();
    const scripts: Record<string, string> = {
      snapshot: snapshotScript(),
      "snapshot (kolla)": snapshotScript({ address: "x", hostKey: "k", ovsPrefix: ["docker", "exec", "openvswitch_vswitchd"] }),
      counters: countersScript(["qrouter-1", "snat-1", "fip-2"]),
      capture,
      ...Object.fromEntries(runs.map((r, i) => [`run ${i}`, r])),
    };
    expect(runs).toHaveLength(4); // qdhcp pings, namespace pings, background start, background stop
    const dir = mkdtempSync(join(tmpdir(), "dvr-lab-shellcheck-"));
    try {
      const write = (name: string, text: string) => {
        const p = join(dir, `${name.replace(/\W+/g, "_")}.sh`);
        writeFileSync(p, text);
        return p;
      };
      const pings = ["run 0", "run 1"];
      const paths = Object.entries(scripts).filter(([name]) => !pings.includes(name)).map(([name, text]) => write(name, text));
      expect(shellcheck(["-s", "sh", ...paths])).toEqual({ status: 0, output: "" });
      // The grouped ping scripts single-quote the VM probe on purpose (it runs in the VM's shell, or
      // in `sh -c` inside the VM namespace, where its $? and $(...) expand): SC2016 only. The probe
      // itself is checked below.
      const grouped = pings.map((name) => write(name, scripts[name]));
      expect(shellcheck(["-s", "sh", "-e", "SC2016", ...grouped])).toEqual({ status: 0, output: "" });
      // The probe inside the VM splits `ip route get`'s two lines into one on purpose (unquoted
      // $(...): the route and its "cache <redirected>" line on the DVRLAB-ROUTE line): SC2046 only.
      const probe = write("vm-probe", vmProbeScript(batch[0]));
      expect(shellcheck(["-s", "sh", "-e", "SC2046", probe])).toEqual({ status: 0, output: "" });
      expect(shellcheck(["-s", "sh", probe]).output).toMatch(/SC2046/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
