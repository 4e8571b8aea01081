import { spawnSync } from "child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "fs";
import { basename, dirname, join } from "path";
import { isAlive, killAndWait, readPid, sleepMs, waitGone } from "./proc";

/** One neutron config file of the test machine, with the owner/mode Debian gives it. */
export interface ManagedFile {
  readonly name: string;
  readonly path: string;
  /** Pristine copy shipped by the package. */
  readonly pristine: string;
  readonly owner: string;
  readonly group: string;
  readonly mode: number;
  /** oslo.config namespaces of the file (neutron 21.0.0), for oslo-config-validator. */
  readonly namespaces: readonly string[];
}

const NEUTRON_CONF_NAMESPACES = [
  "neutron", "neutron.agent", "neutron.db", "neutron.experimental", "neutron.extensions", "nova.auth", "ironic.auth",
  "placement.auth", "oslo.log", "oslo.cache", "oslo.db", "oslo.policy", "oslo.privsep", "oslo.concurrency",
  "oslo.messaging", "oslo.middleware.cors", "oslo.middleware.healthcheck", "oslo.middleware.http_proxy_to_wsgi",
  "oslo.reports", "oslo.service.periodic_task", "oslo.service.service", "oslo.service.sslutils", "oslo.service.wsgi",
  "keystonemiddleware.auth_token",
];

export const MANAGED_FILES: readonly ManagedFile[] = [
  { name: "neutron.conf", path: "/etc/neutron/neutron.conf", pristine: "/usr/share/neutron-common/neutron.conf", owner: "root", group: "neutron", mode: 0o660, namespaces: NEUTRON_CONF_NAMESPACES },
  { name: "l3_agent.ini", path: "/etc/neutron/l3_agent.ini", pristine: "/usr/share/neutron-common/l3_agent.ini", owner: "root", group: "neutron", mode: 0o640, namespaces: ["neutron.az.agent", "neutron.base.agent", "neutron.l3.agent", "oslo.log"] },
  { name: "openvswitch_agent.ini", path: "/etc/neutron/plugins/ml2/openvswitch_agent.ini", pristine: "/usr/share/neutron-common/plugins/ml2/openvswitch_agent.ini", owner: "neutron", group: "neutron", mode: 0o640, namespaces: ["neutron.ml2.ovs.agent", "oslo.log"] },
  { name: "ml2_conf.ini", path: "/etc/neutron/plugins/ml2/ml2_conf.ini", pristine: "/usr/share/neutron-common/plugins/ml2/ml2_conf.ini", owner: "root", group: "root", mode: 0o644, namespaces: ["neutron.ml2", "oslo.log"] },
  { name: "metadata_agent.ini", path: "/etc/neutron/metadata_agent.ini", pristine: "/usr/share/neutron-metadata-agent/metadata_agent.ini", owner: "neutron", group: "neutron", mode: 0o640, namespaces: ["neutron.metadata.agent", "oslo.log"] },
  { name: "dhcp_agent.ini", path: "/etc/neutron/dhcp_agent.ini", pristine: "/usr/share/neutron-common/dhcp_agent.ini", owner: "root", group: "neutron", mode: 0o640, namespaces: ["neutron.az.agent", "neutron.base.agent", "neutron.dhcp.agent", "oslo.log"] },
];

/** The Debian agents the real tests start (neutron-server has no init script without its package). */
export const AGENTS = ["neutron-openvswitch-agent", "neutron-l3-agent", "neutron-metadata-agent", "neutron-dhcp-agent"] as const;

export const BACKUP_RE = /\.dvr-lab-\d{8}T\d{6}Z(-\d+)?\.bak$/;

function sh(cmd: string, args: string[], timeoutMs = 120_000): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs, env: { ...process.env, _SYSTEMCTL_SKIP_REDIRECT: "1" } });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function idOf(flag: "-u" | "-g", name: string): number {
  const r = sh("id", [flag, name]);
  if (r.status !== 0) throw new Error(`id ${flag} ${name}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

export function ownerModeOf(path: string): string {
  const st = statSync(path);
  return `${st.uid}:${st.gid}:${(st.mode & 0o7777).toString(8)}`;
}

/** "uid:gid:mode" Debian gives a managed file (neutron.conf root:neutron 0660, ...). */
export function debianOwnerMode(f: ManagedFile): string {
  return `${idOf("-u", f.owner)}:${idOf("-g", f.group)}:${f.mode.toString(8)}`;
}

export function pidFile(service: string): string {
  return `/var/run/neutron/${service}.pid`;
}

export function logFile(service: string): string {
  return `/var/log/neutron/${service}.log`;
}

/** Position in a log, to read only what was written after it. */
export class LogMark {
  private readonly size: number;
  private readonly ino: number;
  constructor(public readonly path: string) {
    const st = existsSync(path) ? statSync(path) : undefined;
    this.size = st?.size ?? 0;
    this.ino = st?.ino ?? -1;
  }
  public linesSince(): string[] {
    if (!existsSync(this.path)) return [];
    const st = statSync(this.path);
    const start = st.ino === this.ino && st.size >= this.size ? this.size : 0;
    return readFileSync(this.path).subarray(start).toString("utf8").split("\n").filter((l) => l.length > 0);
  }
  public criticalSince(): string[] {
    return this.linesSince().filter((l) => l.includes(" CRITICAL "));
  }
}

/**
 * The neutron side of the test machine: the real /etc/neutron files and the real Debian agents.
 * `snapshot()` keeps the files as found; `restoreSnapshot()` puts them back byte-identically with
 * owner and mode, and removes every backup a push left. Daemons are stopped by pidfile with kill -0
 * polling.
 */
export class NeutronNode {
  private snapshotData = new Map<string, { data: Buffer; uid: number; gid: number; mode: number } | null>();
  /** Backups that existed before the tests (from real pushes on this machine): never removed. */
  private foreignBackups = new Set<string>();

  public snapshot(): void {
    this.foreignBackups = new Set(this.allBackups());
    for (const f of MANAGED_FILES) {
      if (!existsSync(f.path)) {
        this.snapshotData.set(f.path, null);
        continue;
      }
      const st = statSync(f.path);
      this.snapshotData.set(f.path, { data: readFileSync(f.path), uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 });
    }
  }

  public restoreSnapshot(): void {
    for (const [path, s] of this.snapshotData) {
      if (s === null) {
        rmSync(path, { force: true });
        continue;
      }
      writeFileSync(path, s.data);
      chownSync(path, s.uid, s.gid);
      chmodSync(path, s.mode);
    }
    this.removeBackups();
  }

  /** Puts the package's pristine files in place with Debian's owner and mode. */
  public resetFiles(): void {
    for (const f of MANAGED_FILES) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, readFileSync(f.pristine));
      chownSync(f.path, idOf("-u", f.owner), idOf("-g", f.group));
      chmodSync(f.path, f.mode);
    }
    this.removeBackups();
  }

  /** Backups a push left next to the managed files (excluding those found by `snapshot()`). */
  public backups(): string[] {
    return this.allBackups().filter((b) => !this.foreignBackups.has(b));
  }

  private allBackups(): string[] {
    const dirs = [...new Set(MANAGED_FILES.map((f) => dirname(f.path)))];
    const out: string[] = [];
    for (const d of dirs) {
      if (!existsSync(d)) continue;
      for (const name of readdirSync(d)) {
        if (BACKUP_RE.test(name) && MANAGED_FILES.some((f) => name.startsWith(basename(f.path) + "."))) out.push(join(d, name));
      }
    }
    return out.sort();
  }

  /** Removes the backups the tests' pushes made. */
  public removeBackups(): void {
    for (const b of this.backups()) if (!this.foreignBackups.has(b)) unlinkSync(b);
  }

  /** Sets a key with crudini (an editor independent of the one under test). */
  public seed(path: string, section: string, key: string, value: string): void {
    const r = sh("crudini", ["--set", path, section, key, value]);
    if (r.status !== 0) throw new Error(`crudini --set ${path} ${section} ${key}: ${r.stderr}`);
  }

  /** Reads a key with crudini; undefined when unset. */
  public get(path: string, section: string, key: string): string | undefined {
    const r = sh("crudini", ["--get", path, section, key]);
    return r.status === 0 ? r.stdout.replace(/\n$/, "") : undefined;
  }

  public pid(service: string): number | undefined {
    return readPid(pidFile(service));
  }

  public alive(service: string): boolean {
    const pid = this.pid(service);
    return pid !== undefined && isAlive(pid);
  }

  /** Starts an agent with its Debian init script (as the shim's systemctl does). */
  public start(service: string): void {
    const r = sh(`/etc/init.d/${service}`, ["start"]);
    if (r.status !== 0) throw new Error(`/etc/init.d/${service} start: ${r.stdout}${r.stderr}`);
  }

  /** Waits until the agent has been alive for `stableMs` in a row; false if it died. */
  public waitAlive(service: string, stableMs: number, timeoutMs = 20_000): boolean {
    const deadline = Date.now() + timeoutMs;
    let since = 0;
    while (Date.now() < deadline) {
      if (this.alive(service)) {
        since ||= Date.now();
        if (Date.now() - since >= stableMs) return true;
      } else {
        since = 0;
      }
      sleepMs(100);
    }
    return false;
  }

  public stop(service: string): void {
    const pid = this.pid(service);
    if (pid === undefined || !isAlive(pid)) {
      rmSync(pidFile(service), { force: true });
      return;
    }
    sh(`/etc/init.d/${service}`, ["stop"], 60_000);
    if (!waitGone(pid, 15_000)) killAndWait(pid, 5_000);
    rmSync(pidFile(service), { force: true });
  }

  /** Stops every agent at once: SIGTERM by pidfile, kill -0 polling, SIGKILL after 20 s. */
  public stopAll(): void {
    const pids = AGENTS.map((s) => this.pid(s)).filter((p): p is number => p !== undefined && isAlive(p));
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 20_000;
    while (pids.some(isAlive) && Date.now() < deadline) sleepMs(50);
    for (const pid of pids.filter(isAlive)) killAndWait(pid, 1000);
    for (const s of AGENTS) rmSync(pidFile(s), { force: true });
  }
}

/**
 * Open vSwitch for the OVS agent on a machine without the kernel module and without systemd:
 * a private ovsdb-server (tcp:127.0.0.1:6640, where the agent looks) and ovs-vswitchd with the
 * userspace (netdev) datapath. Test environment, not pushed config: the agent is told to use the
 * netdev datapath by a drop-in in /etc/neutron/agent.conf.d (Debian's init passes --config-dir),
 * the bridges of the pushed bridge_mappings exist, and the pushed local_ip addresses are put on lo
 * (the agent exits when local_ip is not a local address). `stop()` undoes all of it.
 */
export class OvsForTest {
  public static readonly DROP_IN = "/etc/neutron/agent.conf.d/zz-dvr-lab-real-test.conf";
  private readonly dir = mkdtempSync("/tmp/dvr-lab-ovs-");
  private addedAddresses: string[] = [];
  private linksBefore = new Set<string>();

  public start(bridges: string[], localIps: string[]): void {
    this.linksBefore = this.links();
    if (sh("bash", ["-c", "exec 3<>/dev/tcp/127.0.0.1/6640"]).status === 0) {
      throw new Error("something already listens on 127.0.0.1:6640 (ovsdb); stop it before running the real push tests");
    }
    mkdirSync("/var/run/openvswitch", { recursive: true });
    const db = join(this.dir, "conf.db");
    const sock = join(this.dir, "db.sock");
    this.must("ovsdb-tool", ["create", db, "/usr/share/openvswitch/vswitch.ovsschema"]);
    this.must("ovsdb-server", [db, "--remote=ptcp:6640:127.0.0.1", `--remote=punix:${sock}`, "--remote=db:Open_vSwitch,Open_vSwitch,manager_options",
      `--pidfile=${join(this.dir, "ovsdb-server.pid")}`, "--detach", `--log-file=${join(this.dir, "ovsdb-server.log")}`]);
    this.must("ovs-vsctl", [`--db=unix:${sock}`, "--no-wait", "init"]);
    this.must("ovs-vswitchd", [`unix:${sock}`, `--pidfile=${join(this.dir, "ovs-vswitchd.pid")}`, "--detach", `--log-file=${join(this.dir, "ovs-vswitchd.log")}`]);
    for (const br of bridges) {
      this.must("ovs-vsctl", [`--db=unix:${sock}`, "--timeout=10", "--may-exist", "add-br", br, "--", "set", "bridge", br, "datapath_type=netdev"]);
    }
    mkdirSync(dirname(OvsForTest.DROP_IN), { recursive: true });
    writeFileSync(OvsForTest.DROP_IN, "# dvr-lab real tests: no openvswitch kernel module here\n[ovs]\ndatapath_type = netdev\n");
    for (const ip of localIps) {
      const shown = sh("ip", ["-o", "addr", "show", "to", `${ip}/32`]);
      if (shown.stdout.trim()) continue;
      this.must("ip", ["addr", "add", `${ip}/32`, "dev", "lo"]);
      this.addedAddresses.push(ip);
    }
  }

  public stop(): void {
    rmSync(OvsForTest.DROP_IN, { force: true });
    for (const ip of this.addedAddresses) sh("ip", ["addr", "del", `${ip}/32`, "dev", "lo"]);
    this.addedAddresses = [];
    for (const name of ["ovs-vswitchd", "ovsdb-server"]) {
      const pid = readPid(join(this.dir, `${name}.pid`));
      if (pid === undefined) continue;
      if (name === "ovs-vswitchd") sh("ovs-appctl", ["-t", `/var/run/openvswitch/ovs-vswitchd.${pid}.ctl`, "exit", "--cleanup"], 15_000);
      killAndWait(pid, 5000);
    }
    // Tap devices of the netdev datapath that the fixture created and vswitchd left behind.
    for (const link of this.links()) if (!this.linksBefore.has(link)) sh("ip", ["link", "del", link]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private links(): Set<string> {
    const out = sh("ip", ["-o", "link", "show"]).stdout;
    return new Set(
      out
        .split("\n")
        .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1])
        .filter((n): n is string => !!n && (n.startsWith("br-") || n === "ovs-netdev")),
    );
  }

  private must(cmd: string, args: string[]): void {
    const r = sh(cmd, args, 30_000);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  }
}
