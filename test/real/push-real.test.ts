/**
 * The config push FOR REAL (root only; skips with one message elsewhere, see support/machine.ts):
 * the real example (examples/reference-lab, release Zed = the neutron installed here) is synthesized,
 * and its ConfigPush resources for com1/com2/ctrl1 are re-enacted the way Terraform's file and
 * remote-exec provisioners run them, over a real sshd on loopback with a verified host key, against
 * the real Debian /etc/neutron files and the real Debian neutron agents. `systemctl` in the sshd
 * sessions is a logged stand-in that runs the real init scripts (support/shims/systemctl).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { OpenStackRelease } from "../../lib";
import { describeReal } from "./support/machine";
import { AGENTS, debianOwnerMode, LogMark, MANAGED_FILES, ManagedFile, NeutronNode, OvsForTest, ownerModeOf } from "./support/neutron-node";
import { OsloCheck } from "./support/oslo";
import { acquireLock, sleepMs } from "./support/proc";
import { ConfigPushEntry, configPushes, synthReferenceLab, withDocument } from "./support/reference-lab";
import { reenactProvisioners, ReenactResult } from "./support/remote-exec";
import { LoopbackSshd } from "./support/sshd";

const SHIM_DIR = join(__dirname, "support", "shims");
/** Debian's openvswitch_agent postinst value; the pushed local_ip differs, so a push is visible. */
const SEEDED_LOCAL_IP = "127.0.0.1";

type Snapshot = Map<string, Buffer>;

function readAll(): Snapshot {
  return new Map(MANAGED_FILES.map((f) => [f.path, readFileSync(f.path)]));
}

function managed(path: string): ManagedFile {
  const f = MANAGED_FILES.find((m) => m.path === path);
  if (!f) throw new Error(`not a managed file: ${path}`);
  return f;
}

const commentLines = (b: Buffer) => b.toString("utf8").split("\n").filter((l) => /^\s*[#;]/.test(l)).length;

/** Lines of `text` without the active lines of the given keys (section-blind: keys are unique enough here). */
function withoutKeys(text: string, keys: string[]): string[] {
  return text.split("\n").filter((l) => !keys.some((k) => new RegExp(`^${k}\\s*[=:]`).test(l)));
}

describeReal("config push on real neutron files and real daemons (root)", () => {
  let runDir: string;
  let shimLog: string;
  let sshd: LoopbackSshd;
  let node: NeutronNode;
  let ovs: OvsForTest | undefined;
  let oslo: OsloCheck;
  let synth: any;
  let pushes: Record<string, ConfigPushEntry>;
  let releaseLock: (() => void) | undefined;
  /** Set once this run owns the machine's neutron state (so teardown never stops others' agents). */
  let owned = false;

  const shimCalls = (): string[] => {
    try {
      return readFileSync(shimLog, "utf8").split("\n").filter(Boolean).map((l) => l.replace(/^\S+ /, ""));
    } catch {
      return [];
    }
  };
  const restarts = () => shimCalls().filter((c) => /^(start|stop|restart) /.test(c));

  /** Pristine files, a seeded local_ip, and the doc's agents running on them; clears the shim log. */
  function prepare(doc: any): Snapshot {
    node.stopAll();
    node.resetFiles();
    node.seed("/etc/neutron/plugins/ml2/openvswitch_agent.ini", "ovs", "local_ip", SEEDED_LOCAL_IP);
    const agents = (doc.services as any[]).map((s) => s.name).filter((n) => (AGENTS as readonly string[]).includes(n));
    for (const a of agents) node.start(a);
    sleepMs(1500);
    for (const a of agents) expect([a, node.waitAlive(a, 500)]).toEqual([a, true]);
    writeFileSync(shimLog, "");
    return readAll();
  }

  function push(s: any, entry: ConfigPushEntry): ReenactResult {
    return reenactProvisioners(s, entry.resourceName, sshd);
  }

  beforeAll(() => {
    mkdirSync("/run/lock", { recursive: true });
    releaseLock = acquireLock("/run/lock/dvr-lab-real-push-tests.lock", 200_000);
    synth = synthReferenceLab(OpenStackRelease.ZED);
    pushes = configPushes(synth);
    node = new NeutronNode();
    const running = AGENTS.filter((a) => node.alive(a));
    if (running.length) throw new Error(`neutron agents already running on this machine (${running.join(", ")}); the real push tests would disturb them`);
    owned = true;
    node.snapshot();
    runDir = mkdtempSync("/tmp/dvr-lab-real-");
    shimLog = join(runDir, "systemctl.log");
    sshd = LoopbackSshd.start({ pathPrefix: [SHIM_DIR], env: { DVR_LAB_SHIM_LOG: shimLog } });
    const agentDocs = ["com1", "com2"].map((n) => pushes[n].document);
    const settings = agentDocs.flatMap((d) => d.files.flatMap((f: any) => f.settings));
    const bridges = new Set<string>(["br-ex"]);
    for (const s of settings.filter((x: any) => x.key === "bridge_mappings")) for (const m of s.value.split(",")) bridges.add(m.split(":")[1]);
    const localIps = settings.filter((x: any) => x.key === "local_ip").map((x: any) => x.value);
    ovs = new OvsForTest();
    ovs.start([...bridges], localIps);
    oslo = new OsloCheck();
  }, 300_000);

  afterEach(() => {
    if (owned) node.stopAll();
  }, 120_000);

  afterAll(() => {
    if (owned) {
      node.stopAll();
      ovs?.stop();
      node.restoreSnapshot();
    }
    sshd?.stop();
    oslo?.dispose();
    if (runDir) rmSync(runDir, { recursive: true, force: true });
    releaseLock?.();
  }, 120_000);

  test("the synthesized ConfigPush verifies the host key; the loopback sshd refuses a WRONG host key (rc 255)", () => {
    for (const n of ["ctrl1", "com1", "com2"]) {
      expect(pushes[n].resource.connection).toMatchObject({ type: "ssh", host_key: expect.stringMatching(/\S/) });
    }
    const ok = sshd.ssh("echo reached; command -v systemctl");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("reached");
    expect(ok.stdout).toContain(join(SHIM_DIR, "systemctl")); // the stand-in is on the session PATH only
    const bad = sshd.ssh("echo reached", { knownHosts: sshd.wrongKnownHosts });
    expect(bad.status).toBe(255);
    expect(bad.stdout).not.toContain("reached");
    expect(bad.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  test("com1 (dvr_snat): remote-exec sets the DVR keys in the real files, keeps comments, owner and mode, backs up, restarts the agents in order and they stay up; a second push is a byte-level no-op", () => {
    const entry = pushes.com1;
    const doc = entry.document;
    expect(doc.role).toBe("dvr_snat");
    const before = prepare(doc);
    const pidsBefore = new Map(AGENTS.map((a) => [a, node.pid(a)]));
    const marks = new Map<string, LogMark>(doc.services.map((s: any) => [s.name, new LogMark(s.log)]));
    const ovsIni = "/etc/neutron/plugins/ml2/openvswitch_agent.ini";
    expect(node.get(ovsIni, "ovs", "local_ip")).toBe(SEEDED_LOCAL_IP);

    const r = push(synth, entry);
    if (process.env.DVR_LAB_SHOW_PUSH) console.log(r.stdout); // eslint-disable-line no-console
    expect({ ok: r.ok, stderr: r.stderr }).toEqual({ ok: true, stderr: "" });

    // Every key of the document, read back with crudini (an independent reader).
    for (const f of doc.files) for (const s of f.settings) expect([f.path, s.section, s.key, node.get(f.path, s.section, s.key)]).toEqual([f.path, s.section, s.key, s.value]);
    expect(node.get(ovsIni, "ovs", "local_ip")).not.toBe(SEEDED_LOCAL_IP);

    const backups = node.backups();
    for (const f of doc.files) {
      const after = readFileSync(f.path);
      const old = before.get(f.path)!;
      if (after.equals(old)) {
        // Debian already ships this file's keys (dhcp_agent.ini interface_driver): no change, no backup.
        expect(backups.filter((b) => b.startsWith(f.path + ".dvr-lab-"))).toEqual([]);
        continue;
      }
      // Comments survive; nothing but the listed keys' lines differ.
      expect([f.path, commentLines(after)]).toEqual([f.path, commentLines(old)]);
      const keys = f.settings.map((s: any) => s.key);
      expect(withoutKeys(after.toString("utf8"), keys)).toEqual(withoutKeys(old.toString("utf8"), keys));
      // Owner and mode as Debian ships them.
      expect([f.path, ownerModeOf(f.path)]).toEqual([f.path, debianOwnerMode(managed(f.path))]);
      // One backup per changed file: the previous bytes, same owner and mode.
      const mine = backups.filter((b) => b.startsWith(f.path + ".dvr-lab-"));
      expect([f.path, mine.length]).toEqual([f.path, 1]);
      expect(readFileSync(mine[0]).equals(old)).toBe(true);
      expect(ownerModeOf(mine[0])).toBe(ownerModeOf(f.path));
    }
    expect(readFileSync("/etc/neutron/l3_agent.ini", "utf8")).toMatch(/^#agent_mode = legacy\nagent_mode = dvr_snat$/m);

    // neutron.conf changed, so every agent restarted, in the document's order, each gated on is-active.
    const names = doc.services.map((s: any) => s.unit);
    expect(restarts()).toEqual(names.map((u: string) => `restart ${u}`));
    const calls = shimCalls();
    for (const u of names) expect(calls.indexOf(`is-active --quiet ${u}`)).toBeGreaterThan(calls.indexOf(`restart ${u}`));

    // The real daemons run on the pushed files: new PIDs, alive, no CRITICAL, still up a while later.
    sleepMs(2000);
    for (const s of doc.services) {
      expect([s.name, node.alive(s.name)]).toEqual([s.name, true]);
      expect(node.pid(s.name)).not.toBe(pidsBefore.get(s.name));
      expect([s.name, marks.get(s.name)!.criticalSince()]).toEqual([s.name, []]);
    }
    const l3cmd = readFileSync(`/proc/${node.pid("neutron-l3-agent")}/cmdline`, "utf8");
    expect(l3cmd).toContain("--config-file=/etc/neutron/l3_agent.ini");

    // Neutron accepts the result: option names (oslo-config-validator) and values (oslo.config).
    const values = oslo.values(doc.files.map((f: any) => managed(f.path)));
    for (const f of doc.files) {
      const v = oslo.validate(managed(f.path));
      expect([f.path, v.status, v.errors]).toEqual([f.path, 0, []]);
      expect([f.path, values[f.path].errors]).toEqual([f.path, []]);
      expect(values[f.path].checked).toBeGreaterThan(0);
    }
    expect(values["/etc/neutron/l3_agent.ini"].values["DEFAULT.agent_mode"]).toBe("'dvr_snat'");
    expect(values[ovsIni].values).toMatchObject({
      "agent.enable_distributed_routing": "True",
      "agent.l2_population": "True",
      "ovs.local_ip": `'${doc.files.find((f: any) => f.file === "openvswitch_agent.ini").settings.find((s: any) => s.key === "local_ip").value}'`,
    });

    // The human summary.
    expect(r.stdout).toContain("dvr-lab push com1 (dvr_snat, zed, systemd):");
    expect(r.stdout).toMatch(/\/etc\/neutron\/l3_agent\.ini \[DEFAULT\] agent_mode: \(unset\) -> dvr_snat/);
    expect(r.stdout).toContain(`[ovs] local_ip: ${SEEDED_LOCAL_IP} -> `);
    for (const s of doc.services) expect(r.stdout).toContain(`restarted ${s.name} (`);

    // Second push of the same document: no byte changes, no backup, no restart.
    const afterFirst = readAll();
    const pidsFirst = new Map(AGENTS.map((a) => [a, node.pid(a)]));
    writeFileSync(shimLog, "");
    const again = push(synth, entry);
    expect(again.ok).toBe(true);
    expect(again.stdout).toMatch(/^ {2}no change$/m);
    for (const [p, b] of readAll()) expect([p, b.equals(afterFirst.get(p)!)]).toEqual([p, true]);
    expect(node.backups()).toEqual(backups);
    expect(shimCalls()).toEqual([]);
    for (const a of AGENTS) expect(node.pid(a)).toBe(pidsFirst.get(a));
  }, 150_000);

  test("the oslo checks are not vacuous: the validator flags a misspelled key, the value check a bad choice, boolean and ML2 driver", () => {
    node.resetFiles();
    const l3 = managed("/etc/neutron/l3_agent.ini");
    const ml2 = managed("/etc/neutron/plugins/ml2/ml2_conf.ini");
    const badL3 = join(runDir, "l3_agent.ini");
    const badMl2 = join(runDir, "ml2_conf.ini");
    writeFileSync(badL3, readFileSync(l3.path));
    writeFileSync(badMl2, readFileSync(ml2.path));
    node.seed(badL3, "DEFAULT", "agent_mode", "dvr_snatt");
    node.seed(badL3, "DEFAULT", "ovs_use_veth", "Ture");
    node.seed(badL3, "DEFAULT", "agent_mod", "dvr");
    node.seed(badMl2, "ml2", "mechanism_drivers", "openvswitch,l2pop");
    expect(oslo.validate(l3, badL3).errors).toEqual(["ERROR:root:DEFAULT/agent_mod is not part of the sample config"]);
    const v = oslo.values([{ ...l3, path: badL3 }, { ...ml2, path: badMl2 }]);
    expect(v[badL3].errors).toHaveLength(2);
    expect(v[badL3].errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^DEFAULT\/agent_mode: ConfigFileValueError: .*dvr_snatt/),
        expect.stringMatching(/^DEFAULT\/ovs_use_veth: ConfigFileValueError: .*Ture/),
      ]),
    );
    expect(v[badMl2].errors).toEqual(["ml2/mechanism_drivers: unknown driver 'l2pop'"]);
  }, 60_000);

  test("com1 with a seeded bad value (agent_mode = dvr_snatt): the real L3 agent dies, the push restores the previous files byte-identically, restarts the agents again and exits non-zero with one clear error", () => {
    const entry = pushes.com1;
    const bad = withDocument(synth, "com1", (d) => {
      for (const f of d.files) for (const s of f.settings) if (s.key === "agent_mode") s.value = "dvr_snatt";
      return d;
    });
    const doc = configPushes(bad).com1.document;
    const before = prepare(doc);
    const l3Mark = new LogMark("/var/log/neutron/neutron-l3-agent.log");

    const r = push(bad, entry);
    expect(r.ok).toBe(false);
    expect(r.failed?.kind).toBe("remote-exec");
    expect(r.failed?.status).toBe(1);
    const errLines = r.stderr.trim().split("\n");
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(
      /^dvr-lab push com1: neutron-l3-agent failed after setting \/etc\/neutron\/l3_agent\.ini \[DEFAULT\] agent_mode = dvr_snatt: .* CRITICAL .*dvr_snatt.*; restored previous files$/,
    );
    // The log line quoted is one the real agent wrote.
    const critical = l3Mark.criticalSince();
    expect(critical.some((l) => errLines[0].includes(l.trim()))).toBe(true);

    // Files as before the push, byte for byte, owner and mode kept; the backups of this push remain.
    for (const [p, b] of readAll()) expect([p, b.equals(before.get(p)!)]).toEqual([p, true]);
    for (const f of doc.files) expect([f.path, ownerModeOf(f.path)]).toEqual([f.path, debianOwnerMode(managed(f.path))]);
    const changedByDoc = doc.files.filter((f: any) => f.settings.some((s: any) => node.get(f.path, s.section, s.key) !== s.value));
    expect(node.backups().map((b) => b.replace(/\.dvr-lab-.*$/, ""))).toEqual(changedByDoc.map((f: any) => f.path).sort());

    // OVS agent restarted fine, L3 failed; rollback restarted both again on the old files; later
    // services (metadata, DHCP) were never touched.
    expect(restarts()).toEqual([
      "restart neutron-openvswitch-agent",
      "restart neutron-l3-agent",
      "restart neutron-openvswitch-agent",
      "restart neutron-l3-agent",
    ]);
    expect(r.stdout).toContain("restarted again on the previous files: neutron-openvswitch-agent ok; neutron-l3-agent ok");
    expect(node.waitAlive("neutron-l3-agent", 1500)).toBe(true);
  }, 120_000);

  test("com2 (dvr): remote-exec sets agent_mode = dvr and the DVR agent keys; the real agents restart and stay up", () => {
    const entry = pushes.com2;
    const doc = entry.document;
    expect(doc.role).toBe("dvr");
    const before = prepare(doc);
    const r = push(synth, entry);
    expect({ ok: r.ok, stderr: r.stderr }).toEqual({ ok: true, stderr: "" });
    expect(node.get("/etc/neutron/l3_agent.ini", "DEFAULT", "agent_mode")).toBe("dvr");
    const values = oslo.values(doc.files.map((f: any) => managed(f.path)));
    for (const f of doc.files) {
      expect(commentLines(readFileSync(f.path))).toBe(commentLines(before.get(f.path)!));
      expect([f.path, oslo.validate(managed(f.path)).errors]).toEqual([f.path, []]);
      expect([f.path, values[f.path].errors]).toEqual([f.path, []]);
    }
    expect(values["/etc/neutron/l3_agent.ini"].values["DEFAULT.agent_mode"]).toBe("'dvr'");
    expect(restarts()).toEqual(doc.services.map((s: any) => `restart ${s.unit}`));
    sleepMs(1500);
    for (const s of doc.services) expect([s.name, node.alive(s.name)]).toEqual([s.name, true]);
    // dhcp_agent.ini is not in com2's document: untouched.
    expect(readFileSync("/etc/neutron/dhcp_agent.ini").equals(before.get("/etc/neutron/dhcp_agent.ini")!)).toBe(true);
  }, 120_000);

  test("ctrl1 (controller): the ML2 and neutron.conf keys pass oslo's checks; when the service cannot restart, the push rolls back", () => {
    const entry = pushes.ctrl1;
    const doc = entry.document;
    const before = prepare({ services: [] });
    // This machine has no neutron-server init script (Debian package neutron-server not installed):
    // the real remote-exec fails at the restart and must restore the files.
    const r = push(synth, entry);
    expect(r.ok).toBe(false);
    // Debian's ml2_conf.ini already has the lab's ML2 drivers, types and VNI range; router_distributed
    // and flat_networks are what changes.
    expect(r.stderr.trim()).toMatch(
      /^dvr-lab push ctrl1: neutron-server failed after setting \/etc\/neutron\/neutron\.conf \[DEFAULT\] router_distributed = True, \/etc\/neutron\/plugins\/ml2\/ml2_conf\.ini \[ml2_type_flat\] flat_networks = provider: restart command failed \(rc 5\): .*not found.*; restored previous files; restart on the previous files also failed: neutron-server FAILED: .*$/,
    );
    for (const [p, b] of readAll()) expect([p, b.equals(before.get(p)!)]).toEqual([p, true]);

    // Stage the same document without restarting (--no-restart) and let oslo check it.
    node.removeBackups();
    writeFileSync(join(runDir, "ctrl1.json"), JSON.stringify(doc));
    expect(sshd.scpTo(join(runDir, "ctrl1.json"), "/tmp/dvr-lab-ctrl1.json").status).toBe(0);
    const staged = sshd.ssh("python3 /tmp/dvr-lab-push.py /tmp/dvr-lab-ctrl1.json --no-restart; rc=$?; rm -f /tmp/dvr-lab-ctrl1.json; exit $rc");
    expect({ status: staged.status, stderr: staged.stderr }).toEqual({ status: 0, stderr: "" });
    expect(restarts()).toEqual(["restart neutron-server", "restart neutron-server"]); // only the failed push's
    const values = oslo.values(doc.files.map((f: any) => managed(f.path)));
    for (const f of doc.files) {
      for (const s of f.settings) expect(node.get(f.path, s.section, s.key)).toBe(s.value);
      expect(commentLines(readFileSync(f.path))).toBe(commentLines(before.get(f.path)!));
      const v = oslo.validate(managed(f.path));
      expect([f.path, v.status, v.errors]).toEqual([f.path, 0, []]);
      expect([f.path, values[f.path].errors]).toEqual([f.path, []]);
    }
    expect(values["/etc/neutron/plugins/ml2/ml2_conf.ini"].values["ml2.mechanism_drivers"]).toBe("['openvswitch', 'l2population']");
    expect(values["/etc/neutron/plugins/ml2/ml2_conf.ini"].values["ml2_type_flat.flat_networks"]).toBe("['provider']");
    expect(values["/etc/neutron/neutron.conf"].values["DEFAULT.router_distributed"]).toBe("True");
  }, 120_000);
});
