import { packageRoot } from "../push/remote-script";
import { spawnSync } from "child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { LabDescription } from "../model/topology";
import type { NeutronFile } from "../push/neutron-paths";
import { AgentInfo, NeutronApi, PortInfo } from "./api";
import { AgentProblem, formatAgentProblem } from "./agent-problems";
import type { IniSetting } from "../push/desired-config";
import { planTwin, TwinHostPlan, TwinPlan } from "./plan";
import {
  alive,
  enter,
  kill,
  must,
  nsId,
  processesIn,
  readComm,
  run,
  sleep,
  spawnDetached,
  waitFor,
} from "./proc";
import {
  baseSettings,
  KeystoneSite,
  transportUrl,
  DB_SOCKET,
  debianFilePath,
  forcedSettings,
  pristineNeutronEtc,
  renderIni,
  setIniKeys,
} from "./site-config";
import { TwinSsh } from "./ssh";
import { hostFiles } from "./units";
import { AgentHealer } from "./repairs";
import { Cloud } from "./cloud/cloud";
import { CloudPlan, keystoneUrl, planCloud, REGION } from "./cloud/plan";
import { CloudRest } from "./cloud/rest";
import { cloudAdmin, cloudStateDirOf, novaUrl, TwinCloudRecord } from "./cloud-access";
import { HypervisorStandIn, TwinVmState } from "./hypervisor";
import { defaultStateDir, underHostTmpfs } from "./state-dir";

export const TWIN_STATE_SCHEMA = "dvr-lab/twin-state@1";

export { DEADLOCK_SIGNATURE, MAX_AGENT_RESTARTS } from "./repairs";

export type { TwinVmState };

export interface TwinState {
  schema: string;
  name: string;
  stateDir: string;
  phase: "starting" | "up" | "failed" | "down";
  error?: string;
  startedAt: string;
  plan: TwinPlan;
  /** Namespace ids ("uts:[n]", "net:[n]", "mnt:[n]") of everything the twin created. */
  namespaces: string[];
  /** PIDs of the namespace holder processes, in creation order. */
  holders: number[];
  outer?: { pid: number };
  externalHost?: { pid: number; ip: string };
  hosts: Record<string, { pid: number; mgmtIp: string; dir: string }>;
  vms: Record<string, TwinVmState>;
  /** What the twin created in Neutron as the cloud's admin (everything else is Terraform's). */
  neutron: { externalNetwork?: string; externalSubnet?: string };
  timings: Record<string, number>;
  /** What the twin repaired on its own during bring-up (a hung agent restarted, a VM's redirect cleared). */
  repairs?: string[];
  /**
   * The cloud on the controller: Keystone, Glance, Placement, Nova; Neutron
   * then authenticates with Keystone and the VMs are Nova instances.
   */
  cloud?: TwinCloudRecord & { upSeconds?: number; imageId?: string; keyName?: string };
}

/**
 * The twin is the cloud a user's Terraform deploys to (docs/CLOUD-TWIN.md): Keystone, Glance,
 * Placement and Nova (fake driver) on the controller beside Neutron (Keystone auth); every node
 * booted with its services on the site settings (no DVR yet); the cloud admin's external network,
 * image and flavor; nothing else. The config pushes and the whole tenant side are Terraform's
 * (`dvr-lab lab`, lib/twin/deploy.ts); the hypervisor stand-in plugs what Nova boots while the
 * caller keeps `hypervisor().watch()` running.
 */
export interface TwinUpOptions {
  readonly description: LabDescription;
  readonly name?: string;
  readonly stateDir?: string;
  /**
   * Site settings added to the controller's neutron.conf before it boots (a fault run's short
   * agent_down_time, lib/twin/faults.ts).
   * @default - none beyond the twin's own (lib/twin/site-config.ts)
   */
  readonly serverSiteSettings?: readonly IniSetting[];
  readonly log?: (line: string) => void;
}

/** The dvr-lab package root (holds remote/): one implementation, in lib/push/remote-script.ts. */
export { packageRoot };

export { defaultStateDir };

export function loadState(stateDir: string): TwinState | undefined {
  const f = join(stateDir, "state.json");
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, "utf8")) as TwinState;
}

const REQUIRED_COMMANDS = [
  "/usr/bin/unshare",
  "/usr/bin/nsenter",
  "/usr/sbin/ovsdb-server",
  "/usr/sbin/ovs-vswitchd",
  "/usr/bin/ovs-vsctl",
  "/usr/sbin/mariadbd",
  "/usr/bin/mariadb-install-db",
  "/usr/lib/rabbitmq/bin/rabbitmq-server",
  "/usr/bin/neutron-server",
  "/usr/bin/neutron-db-manage",
  "/usr/bin/neutron-openvswitch-agent",
  "/usr/bin/neutron-l3-agent",
  "/usr/sbin/sshd",
  "/usr/bin/ssh",
  "/usr/bin/ssh-keygen",
  "/usr/bin/sudo",
  "/usr/bin/curl",
  "/usr/bin/ping",
  "/usr/sbin/ip",
  "/usr/sbin/ethtool",
];

/**
 * What is missing on this machine for a twin (empty when it can run): root, commands, kernel
 * features (mount/net/uts namespaces, veth, bridge, tmpfs/sysfs in a namespace, TUN).
 */
export function twinPrerequisitesSync(): string[] {
  const missing: string[] = [];
  if (process.getuid && process.getuid() !== 0) return ["root (run as uid 0)"];
  for (const c of REQUIRED_COMMANDS) if (!existsSync(c)) missing.push(c);
  for (const s of ["neutron-metadata-agent", "neutron-dhcp-agent"]) if (!existsSync(`/usr/bin/${s}`)) missing.push(`/usr/bin/${s}`);
  if (!existsSync("/dev/net/tun")) missing.push("/dev/net/tun (TUN, used by OVS netdev internal ports)");
  if (missing.length) return missing;
  const probe = spawnSync(
    "unshare",
    [
      "--mount",
      "--net",
      "--uts",
      "--propagation",
      "private",
      "--",
      "sh",
      "-c",
      "ip link add tw0 type veth peer name tw1 && ip link add twbr type bridge && mount -t tmpfs t /mnt && mount -t sysfs s /sys",
    ],
    { encoding: "utf8", timeout: 10000 },
  );
  if (probe.status !== 0) missing.push(`kernel: namespaces/veth/bridge/tmpfs in a namespace (${String(probe.stderr).trim()})`);
  return missing;
}

export async function twinPrerequisites(): Promise<string[]> {
  return twinPrerequisitesSync();
}

/** A real Neutron DVR lab twin on this machine. */
export class Twin {
  public readonly state: TwinState;
  private readonly root = packageRoot();
  private readonly log: (line: string) => void;
  private readonly t0 = Date.now();
  private serverSiteSettings: readonly IniSetting[] = [];
  /** Restarts agents that hit the privsep race (lib/twin/repairs.ts). */
  private readonly healer = new AgentHealer({
    agents: () => this.plan.hosts.flatMap((h) => h.services.filter((x) => /^neutron-.*-agent$/.test(x)).map((service) => ({ host: h.name, service }))),
    logSinceStart: (host, service) => this.logSinceStart(host, service),
    restart: async (host, service) => void (await this.sh(host, `systemctl restart ${service}`, `restart ${service} on ${host}`)),
    repaired: (line) => this.repaired(line),
  });
  private cloudPlan?: CloudPlan;
  private cloudRest?: CloudRest;
  private standInCache?: HypervisorStandIn;

  private constructor(state: TwinState, log?: (line: string) => void) {
    this.state = state;
    this.log = log ?? (() => undefined);
  }

  /** Loads a running (or failed) twin from its state dir. */
  public static attach(stateDir: string, log?: (line: string) => void): Twin | undefined {
    const st = loadState(stateDir);
    return st ? new Twin(st, log) : undefined;
  }

  /** Brings the twin up. On failure everything already created is torn down, then the error is thrown. */
  public static async up(opts: TwinUpOptions): Promise<Twin> {
    const plan = planTwin(opts.description);
    const name = opts.name ?? plan.lab;
    const stateDir = resolve(opts.stateDir ?? defaultStateDir(name));
    if (underHostTmpfs(stateDir)) {
      // Files there are invisible inside the hosts.
      throw new Error(`dvr-lab twin: the state dir ${stateDir} must not be under /tmp or /run (the twin's hosts mount their own tmpfs there)`);
    }
    const existing = loadState(stateDir);
    if (existing && existing.holders.some((p) => alive(p))) {
      throw new Error(`dvr-lab twin: "${name}" is already up (state ${stateDir}); run \`dvr-lab twin down --name ${name}\` first`);
    }
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    const twin = new Twin(
      {
        schema: TWIN_STATE_SCHEMA,
        name,
        stateDir,
        phase: "starting",
        startedAt: new Date().toISOString(),
        plan,
        namespaces: [],
        holders: [],
        hosts: {},
        vms: {},
        neutron: {},
        timings: {},
      },
      opts.log,
    );
    twin.serverSiteSettings = opts.serverSiteSettings ?? [];
    twin.save();
    try {
      await twin.bringUp(opts);
      twin.state.phase = "up";
      twin.save();
      return twin;
    } catch (e) {
      twin.state.phase = "failed";
      twin.state.error = String((e as Error).message ?? e);
      twin.save();
      const keep = process.env.DVR_LAB_TWIN_KEEP_ON_FAILURE === "1";
      if (!keep) await twin.down({ keepLogs: true }).catch(() => undefined);
      throw e;
    }
  }

  // -------------------------------------------------------------------------------------------
  // paths and small helpers

  private get plan(): TwinPlan {
    return this.state.plan;
  }

  private hostDir(host: string): string {
    return join(this.state.stateDir, "hosts", host);
  }

  private save(): void {
    writeFileSync(join(this.state.stateDir, "state.json"), JSON.stringify(this.state, null, 2) + "\n");
  }

  private mark(step: string): void {
    const s = (Date.now() - this.t0) / 1000;
    this.state.timings[step] = Math.round(s * 10) / 10;
    this.log(`[${s.toFixed(1)} s] ${step}`);
    this.save();
  }

  public hostPid(host: string): number {
    const h = this.state.hosts[host];
    if (!h) throw new Error(`dvr-lab twin: no host ${host}`);
    return h.pid;
  }

  /** Runs a bash script inside a host (mount, net and uts namespaces). */
  public async sh(host: string, script: string, what?: string): Promise<string> {
    return must([...enter(this.hostPid(host)), "/bin/bash", "-c", `set -euo pipefail\n${script}`], { timeoutMs: 120000 }, what ?? `${host}: ${script.split("\n")[0]}`);
  }

  private async outerSh(script: string): Promise<string> {
    return must([...enter(this.state.outer!.pid), "/bin/bash", "-c", `set -euo pipefail\n${script}`], { timeoutMs: 60000 }, "outer namespace setup");
  }

  public ssh(): TwinSsh {
    return new TwinSsh(this.state.outer!.pid, join(this.state.stateDir, "operator_ed25519"), join(this.state.stateDir, "known_hosts"));
  }

  public api(): NeutronApi {
    return new NeutronApi(this.hostPid(this.plan.controller.name), `http://127.0.0.1:${this.plan.apiPort}`, this.admin());
  }

  /** The cloud's admin client (project admin) inside the controller; undefined without the cloud. */
  public admin(): CloudRest | undefined {
    if (!this.state.cloud) return undefined;
    this.cloudRest ??= cloudAdmin(this.state.cloud, this.hostPid(this.plan.controller.name));
    return this.cloudRest;
  }

  /** The hypervisor stand-in (plugs the VMs; with the cloud, the ports Nova binds). */
  public hypervisor(): HypervisorStandIn {
    const admin = this.admin();
    this.standInCache ??= new HypervisorStandIn({
      neutron: () => this.api(),
      ...(admin && this.state.cloud ? { nova: { rest: admin, url: novaUrl(this.state.cloud) } } : {}),
      vms: this.state.vms,
      vmHosts: this.plan.hosts.filter((h) => h.runsVms).map((h) => h.name),
      hosts: this.plan.hosts.map((h) => h.name),
      hostPid: (h) => this.hostPid(h),
      hostDir: (h) => this.hostDir(h),
      sh: (h, script, what) => this.sh(h, script, what),
      spawnNetNs: (pid, file, what) => this.spawnNetNs(pid, file, what),
      save: () => this.save(),
      log: (line) => this.log(line),
    });
    return this.standInCache;
  }

  /**
   * argv running the real OpenStack client (python3-openstackclient) as the operator would: in the
   * twin's outer namespace (the management network's workstation side) with the cloud's clouds.yaml.
   */
  public openstack(args: readonly string[]): string[] {
    if (!this.state.cloud) throw new Error("dvr-lab twin: this twin has no cloud state (a twin from an older version: twin down, then up again)");
    const cloud = Cloud.attach(this.state.cloud.stateDir);
    if (!cloud) throw new Error(`dvr-lab twin: no cloud state in ${this.state.cloud.stateDir}`);
    const env = Object.entries(cloud.clientEnv()).map(([k, v]) => `${k}=${v}`);
    return [...enter(this.state.outer!.pid, { n: true }), "/usr/bin/env", "-i", ...env, "/usr/bin/openstack", ...args];
  }

  /** Starts a namespace holder (unshare + ns-init.sh) and waits until it is really inside (spawn race). */
  private async spawnHolder(name: string, dir: string, kind: "outer" | "host"): Promise<number> {
    const script = join(this.root, "remote", "twin", "ns-init.sh");
    const pid = spawnDetached(
      ["unshare", "--mount", "--net", "--uts", "--propagation", "private", "--", "/bin/bash", script, name, dir, kind],
      join(dir, "holder.log"),
    );
    this.state.holders.push(pid);
    this.save();
    const mine = nsId("self", "uts");
    await waitFor(`namespace ${name} to be ready`, 10000, () => {
      if (!alive(pid)) throw new Error(`holder of ${name} died: ${readFileSync(join(dir, "holder.log"), "utf8").trim()}`);
      return readComm(pid) === "sleep" && nsId(pid, "uts") !== mine;
    }, 20);
    for (const k of ["uts", "net", "mnt"] as const) {
      const id = nsId(pid, k);
      if (id) this.state.namespaces.push(id);
    }
    this.save();
    return pid;
  }

  /** A plain network namespace (VM or external host) inside `parentPid`'s mount/uts namespaces. */
  private async spawnNetNs(parentPid: number, logFile: string, what: string): Promise<number> {
    const parentNet = nsId(parentPid, "net");
    const pid = spawnDetached([...enter(parentPid), "unshare", "--net", "--", "sleep", "infinity"], logFile);
    this.state.holders.push(pid);
    this.save();
    await waitFor(`namespace of ${what}`, 10000, () => readComm(pid) === "sleep" && nsId(pid, "net") !== parentNet && nsId(pid, "uts") === nsId(parentPid, "uts"), 20);
    this.state.namespaces.push(nsId(pid, "net")!);
    this.save();
    return pid;
  }

  // -------------------------------------------------------------------------------------------
  // bring-up

  private async bringUp(opts: TwinUpOptions): Promise<void> {
    const plan = this.plan;
    const sd = this.state.stateDir;
    const missing = await twinPrerequisites();
    if (missing.length) throw new Error(`dvr-lab twin: this machine lacks: ${missing.join(", ")}`);
    if (plan.description.release !== "zed") {
      this.log(`note: the lab targets ${plan.description.release}; the twin runs Debian's neutron 21 (zed)`);
    }

    // Keys: the operator's key and one host key per host.
    const keygen = (file: string, comment: string) =>
      must(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
    const hostsFile = ["127.0.0.1 localhost", ...plan.hosts.map((h) => `${h.mgmtIp} ${h.name}`)].join("\n") + "\n";
    mkdirSync(join(sd, "outer"), { recursive: true });
    writeFileSync(join(sd, "outer", "hosts"), `127.0.0.1 localhost\n${hostsFile}`);
    const keyJobs: Promise<unknown>[] = [keygen(join(sd, "operator_ed25519"), "dvr-lab-twin-operator")];
    for (const h of plan.hosts) {
      const dir = this.hostDir(h.name);
      for (const sub of ["log", "lib-neutron/lock", "units", "run", "rabbit", "root-ssh"]) mkdirSync(join(dir, sub), { recursive: true });
      chmodSync(join(dir, "root-ssh"), 0o700);
      writeFileSync(join(dir, "hosts"), hostsFile.replace(`${h.mgmtIp} ${h.name}`, `${h.mgmtIp} ${h.name} ${h.name}.twin`));
      copyFileSync(join(this.root, "remote", "twin", "systemctl"), join(dir, "systemctl"));
      chmodSync(join(dir, "systemctl"), 0o755);
      pristineNeutronEtc(join(dir, "etc-neutron"));
      keyJobs.push(keygen(join(dir, "ssh_host_ed25519_key"), `${h.name}-twin-host-key`));
    }
    await Promise.all(keyJobs);
    copyFileSync(join(sd, "operator_ed25519.pub"), join(sd, "authorized_keys"));
    this.mark("keys and host dirs");

    // Outer namespace, host namespaces, external host.
    const outer = await this.spawnHolder("twin-outer", join(sd, "outer"), "outer");
    this.state.outer = { pid: outer };
    const pids = await Promise.all(plan.hosts.map((h) => this.spawnHolder(h.name, this.hostDir(h.name), "host")));
    plan.hosts.forEach((h, i) => (this.state.hosts[h.name] = { pid: pids[i], mgmtIp: h.mgmtIp, dir: this.hostDir(h.name) }));
    const lines = [
      "for b in br-mgmt br-und br-prov; do ip link add $b type bridge; ip link set $b type bridge stp_state 0 forward_delay 0 mcast_snooping 0; ip link set $b up; done",
      `ip addr add ${plan.mgmt.outerIp}/${plan.mgmt.prefix} dev br-mgmt`,
    ];
    for (const h of plan.hosts) {
      const pid = this.hostPid(h.name);
      lines.push(`ip link add m${h.index} type veth peer name eth0 netns ${pid}`, `ip link set m${h.index} master br-mgmt up`);
      if (h.ovs) {
        lines.push(`ip link add u${h.index} type veth peer name eth1 netns ${pid}`, `ip link set u${h.index} master br-und up`);
        if (plan.external) lines.push(`ip link add x${h.index} type veth peer name eth2 netns ${pid}`, `ip link set x${h.index} master br-prov up`);
      }
    }
    if (plan.external) {
      const ext = await this.spawnNetNs(outer, join(sd, "outer", "external-host.log"), "the external host");
      this.state.externalHost = { pid: ext, ip: plan.external.hostIp };
      lines.push(`ip link add xh type veth peer name eth0 netns ${ext}`, "ip link set xh master br-prov up");
    }
    await this.outerSh(lines.join("\n"));
    if (this.state.externalHost) {
      await must(
        [
          ...enter(this.state.externalHost.pid, { n: true }),
          "/bin/bash",
          "-c",
          [
            "set -e",
            "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
            "ip link set lo up",
            "ip link set eth0 up",
            `ip addr add ${plan.external!.hostIp}/${plan.external!.prefix} dev eth0`,
          ].join("\n"),
        ],
        {},
        "external host setup",
      );
    }
    this.mark("namespaces and links");

    // Units and first services per host.
    for (const h of plan.hosts) this.writeUnits(h);
    await Promise.all(plan.hosts.map((h) => this.bootHost(h)));
    this.mark("hosts booted (sshd, OVS, MariaDB, RabbitMQ started)");

    // The cloud's plan (its passwords go into neutron-server's Keystone settings).
    const cloudStateDir = cloudStateDirOf(sd);
    this.cloudPlan = planCloud({
      name: this.state.name,
      stateDir: cloudStateDir,
      ip: plan.controller.mgmtIp,
      controller: plan.controller.name,
      computeHosts: plan.hosts.filter((h) => h.runsVms).map((h) => h.name),
      transport: transportUrl(plan),
    });
    this.state.cloud = { stateDir: cloudStateDir, authUrl: keystoneUrl(this.cloudPlan) };
    // Twin base (site) settings, written before the push; forced settings per service.
    for (const h of plan.hosts) this.writeSiteConfig(h);

    // Database and message bus on the controller.
    const ctrl = plan.controller.name;
    await waitFor("MariaDB", 30000, async () => (await run([...enter(this.hostPid(ctrl)), "mariadb", "--no-defaults", `--socket=${DB_SOCKET}`, "-uroot", "-e", "SELECT 1"])).code === 0);
    await this.sh(ctrl, `mariadb --no-defaults --socket=${DB_SOCKET} -uroot -e 'CREATE DATABASE IF NOT EXISTS neutron'`);
    this.mark("MariaDB up");
    // The cloud twin's control plane on the controller, beside Neutron's bring-up: its own phases
    // (prefixed "cloud:"), the controller's MariaDB and RabbitMQ. Neutron's API answers only with
    // Keystone's users in place (the catalog milestone).
    let catalogReady: () => void = () => undefined;
    const catalog = new Promise<void>((res) => (catalogReady = res));
    const cloud = this.startCloud(this.cloudPlan, () => catalogReady());
    cloud.catch(() => undefined); // awaited below (a failure meanwhile is not unhandled)
    await this.sh(
      ctrl,
      "neutron-db-manage --config-file /etc/neutron/neutron.conf --config-file /etc/neutron/plugins/ml2/ml2_conf.ini upgrade heads > /var/log/neutron/db-manage.log 2>&1 || { tail -20 /var/log/neutron/db-manage.log >&2; exit 1; }",
      "neutron-db-manage upgrade heads",
    );
    this.mark("database migrated");
    await waitFor("RabbitMQ to listen", 60000, async () => (await run([...enter(this.hostPid(ctrl)), "bash", "-c", `exec 3<>/dev/tcp/${plan.controller.mgmtIp}/5672`])).code === 0, 300);
    this.mark("RabbitMQ up");

    // SSH: verified host keys.
    const known = plan.hosts.map((h) => `${h.mgmtIp} ${readFileSync(join(this.hostDir(h.name), "ssh_host_ed25519_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ")}`);
    writeFileSync(join(sd, "known_hosts"), known.join("\n") + "\n");
    const ssh = this.ssh();
    await Promise.all(
      plan.hosts.map((h) => waitFor(`sshd on ${h.name}`, 15000, async () => (await ssh.exec(h.mgmtIp, "hostname")).stdout.trim() === h.name, 200)),
    );
    this.mark("sshd reachable with verified host keys");

    await this.bootForTerraform(() => Promise.race([catalog, cloud]), cloud);
  }

  /**
   * Waits until no L3 agent has a router update in progress (for every router, the last of the
   * log's "Starting router update for R" / "Finished a router update (or delete) for R" lines is a Finished) and
   * the last one finished at least 5 s ago.
   */
  public async waitL3Idle(timeoutMs: number): Promise<void> {
    const logs = this.plan.hosts.filter((h) => h.services.includes("neutron-l3-agent")).map((h) => join(this.hostDir(h.name), "log", "neutron-l3-agent.log"));
    let why = "";
    try {
      await waitFor("L3 agents idle", timeoutMs, async () => {
        await this.maybeHeal();
        for (const f of logs) {
          const text = existsSync(f) ? readFileSync(f, "utf8") : "";
          const pending = new Set<string>();
          let last = 0;
          for (const line of text.split("\n")) {
            // Per router, the last event counts: a failed update (traceback) logs no "Finished" and
            // is retried under a new update_id.
            const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) .*(Starting router update|Finished a router (?:update|delete)) for ([0-9a-f-]+)/.exec(line);
            if (!m) continue;
            if (m[2].startsWith("Starting")) pending.add(m[3]);
            else pending.delete(m[3]);
            last = new Date(m[1].replace(" ", "T")).getTime();
          }
          if (pending.size) {
            why = `${f}: ${pending.size} router update(s) in progress`;
            return false;
          }
          if (Date.now() - last < 5000) {
            why = `${f}: last router update finished ${((Date.now() - last) / 1000).toFixed(1)} s ago`;
            return false;
          }
        }
        return true;
      }, 500);
    } catch {
      throw new Error(`dvr-lab twin: L3 agents still busy after ${timeoutMs / 1000} s (${why})`);
    }
  }

  private writeUnits(h: TwinHostPlan): void {
    for (const f of hostFiles(h, this.hostDir(h.name), this.state.stateDir)) writeFileSync(f.path, f.text, f.mode !== undefined ? { mode: f.mode } : {});
  }

  private async bootHost(h: TwinHostPlan): Promise<void> {
    const pre = [
      "ip link set eth0 up",
      `ip addr add ${h.mgmtIp}/${this.plan.mgmt.prefix} dev eth0`,
      "systemctl start ssh",
    ];
    if (h.role === "controller") {
      await this.sh(h.name, [...pre, "systemctl start mariadb rabbitmq-server"].join("\n"));
      return;
    }
    const und = this.plan.underlay!;
    await this.sh(
      h.name,
      [
        ...pre,
        "ip link set eth1 up",
        ...(this.plan.external ? ["ip link set eth2 up"] : []),
        "systemctl start ovsdb-server",
        "for _ in $(seq 100); do [ -S /run/openvswitch/db.sock ] && break; sleep 0.05; done",
        "ovs-vsctl --no-wait init",
        `ovs-vsctl --no-wait set Open_vSwitch . external_ids:hostname=${h.name} external_ids:system-id=${h.name}`,
        "systemctl start ovs-vswitchd",
        "mac=$(cat /sys/class/net/eth1/address)",
        `ovs-vsctl --timeout=20 -- --may-exist add-br br-phy -- set bridge br-phy datapath_type=netdev other-config:hwaddr="$mac" -- --may-exist add-port br-phy eth1`,
        `ip addr add ${h.tunnelIp}/${und.prefix} dev br-phy`,
        "ip link set br-phy up",
        ...(this.plan.external
          ? [
              `ovs-vsctl --timeout=20 -- --may-exist add-br br-ex -- set bridge br-ex datapath_type=netdev -- --may-exist add-port br-ex eth2`,
              "ip link set br-ex up",
            ]
          : []),
      ].join("\n"),
      `${h.name}: OVS and underlay setup`,
    );
  }

  private writeSiteConfig(h: TwinHostPlan): void {
    const etc = join(this.hostDir(h.name), "etc-neutron");
    const c = this.cloudPlan!;
    const keystone: KeystoneSite = { authUrl: keystoneUrl(c), region: REGION, neutronPassword: c.passwords.service.neutron, novaPassword: c.passwords.service.nova };
    const base = baseSettings(this.plan, h, keystone);
    if (h.role === "controller" && this.serverSiteSettings.length) {
      base["neutron.conf"] = [...(base["neutron.conf"] ?? []), ...this.serverSiteSettings];
    }
    for (const [file, settings] of Object.entries(base)) {
      const path = join(etc, debianFilePath(file as NeutronFile).replace(/^\/etc\/neutron\//, ""));
      const text = existsSync(path) ? readFileSync(path, "utf8") : "";
      // neutron.conf holds service passwords: owner-only, as Debian's is root:neutron 0640.
      writeFileSync(path, setIniKeys(text, settings!), { mode: 0o600 });
      chmodSync(path, 0o600);
    }
    for (const svc of h.services) {
      const forced = forcedSettings(svc);
      if (forced.length) writeFileSync(join(etc, "twin", `${svc}.conf`), `# dvr-lab twin: forced for the userspace (netdev) datapath\n${renderIni(forced)}`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // checks

  /** Agents per host as expected by the description; returns problems as fields (empty = all fine). */
  public async agentProblems(): Promise<AgentProblem[]> {
    const { agents } = await this.api().call<{ agents: AgentInfo[] }>("GET", "/agents");
    const problems: AgentProblem[] = [];
    for (const h of this.plan.hosts) {
      for (const a of agents.filter((x) => x.host === h.name && !h.agents.includes(x.agent_type))) {
        problems.push({ host: h.name, agent: a.agent_type, kind: "unexpected", expected: h.agents.join(", ") });
      }
      for (const type of h.agents) {
        const a = agents.find((x) => x.host === h.name && x.agent_type === type);
        if (!a) {
          problems.push({ host: h.name, agent: type, kind: "missing" });
          continue;
        }
        if (!a.alive) problems.push({ host: h.name, agent: type, kind: "not-alive" });
        const c = a.configurations;
        if (type === "L3 agent" && c.agent_mode !== h.role) problems.push({ host: h.name, agent: type, kind: "agent-mode", expected: h.role, actual: String(c.agent_mode) });
        if (type === "Open vSwitch agent") {
          if (c.enable_distributed_routing !== true) problems.push({ host: h.name, agent: type, kind: "no-distributed-routing" });
          if (c.l2_population !== true) problems.push({ host: h.name, agent: type, kind: "no-l2-population" });
          if (h.tunnelIp && c.tunneling_ip !== h.tunnelIp) problems.push({ host: h.name, agent: type, kind: "tunneling-ip", expected: h.tunnelIp, actual: String(c.tunneling_ip) });
        }
      }
    }
    return problems;
  }

  /**
   * A DHCP agent reports alive before it consumes notifications ("DHCP agent started" comes after
   * its first sync and RPC consumer): a port created in between never gets its DHCP ack and stays
   * DOWN (DHCP provisioning block). Waits for that line of each running DHCP agent.
   */
  private async waitDhcpSynced(): Promise<void> {
    await Promise.all(
      this.plan.hosts
        .filter((h) => h.services.includes("neutron-dhcp-agent"))
        .map((h) =>
          waitFor(`the DHCP agent on ${h.name} to finish its first sync`, 90000, async () => {
            await this.maybeHeal(); // the DHCP agent starts privsep daemons too
            return this.logSinceStart(h.name, "neutron-dhcp-agent").includes("DHCP agent started");
          }, 300).catch((e: Error) => {
            const tail = this.logSinceStart(h.name, "neutron-dhcp-agent").trim().split("\n").slice(-5).join("\n    ");
            throw new Error(`${e.message}; its log since its start ends:\n    ${tail || "(empty)"}`);
          }),
        ),
    );
  }

  /**
   * The cloud before the user's Terraform (TwinUpOptions.terraform): each node boots its enabled
   * services on the site settings, as the lab's nodes run before the DVR push (L3 agents legacy, no
   * distributed routing); the admin's external network; on every DHCP node root's default SSH
   * identity is the lab key pair's private half (how the verifier reaches the VMs through the qdhcp
   * namespaces, `VerifyVmAccess` defaults). Pushes and tenant are Terraform's.
   */
  private async bootForTerraform(catalog: () => Promise<void>, cloud: Promise<void>): Promise<void> {
    const plan = this.plan;
    const ctrl = plan.controller;
    const boot = (h: TwinHostPlan) => this.sh(h.name, `systemctl start ${h.services.join(" ")}`, `boot ${h.name}'s services`);
    await boot(ctrl);
    await catalog();
    this.mark("cloud: Keystone's catalog and service users in place");
    await waitFor("the neutron API", 90000, () => this.api().up(), 300);
    this.mark("neutron-server up (site settings, before any push)");
    // The agents after the server: an agent's first RPC sent before the server consumes its queues
    // is lost (the L3 agent then waits 60 s for get_host_ha_router_count and backs off 44 s more).
    await Promise.all(plan.hosts.filter((h) => h.name !== ctrl.name).map(boot));
    this.mark("agent nodes booted their neutron services");
    let last: AgentProblem[] = [];
    await waitFor("agents alive", 90000, async () => {
      await this.maybeHeal();
      last = (await this.agentProblems()).filter((p) => p.kind === "missing" || p.kind === "not-alive" || p.kind === "unexpected");
      return last.length === 0;
    }, 500).catch(() => {
      throw new Error(`dvr-lab twin: agents did not come up before the push:\n  - ${last.map(formatAgentProblem).join("\n  - ")}\n(logs: ${this.state.stateDir}/hosts/<host>/log)`);
    });
    this.mark("agents alive (before the push)");
    await this.waitDhcpSynced();
    await cloud;
    this.mark("cloud twin up (Keystone, Glance, Placement, Nova)");
    await this.createExternalNetwork();
    const key = join(this.state.stateDir, "operator_ed25519");
    for (const h of plan.hosts.filter((x) => x.services.includes("neutron-dhcp-agent"))) {
      const to = join(this.hostDir(h.name), "root-ssh", "id_ed25519");
      copyFileSync(key, to);
      chmodSync(to, 0o600);
    }
    this.save();
    this.mark("external network created; ready for Terraform");
  }


  // -------------------------------------------------------------------------------------------
  // tenant side

  /** The cloud admin's external network and its subnet (flat, on the description's physnet). */
  private async createExternalNetwork(): Promise<void> {
    const api = this.api();
    const d = this.plan.description;
    const n = this.state.neutron;
    if (!d.external) return;
    const e = d.external;
    const net = await api.call<{ network: { id: string } }>(
      "POST",
      "/networks",
      { network: { name: e.network, "router:external": true, "provider:network_type": "flat", "provider:physical_network": e.physnet, admin_state_up: true } },
      `external network ${e.network}`,
    );
    n.externalNetwork = net.network.id;
    const sub = await api.call<{ subnet: { id: string } }>(
      "POST",
      "/subnets",
      {
        subnet: {
          name: `${e.network}-subnet`,
          network_id: net.network.id,
          ip_version: 4,
          cidr: e.cidr,
          gateway_ip: e.gatewayIp,
          enable_dhcp: false,
          ...(e.allocationPool.start ? { allocation_pools: [e.allocationPool] } : {}),
        },
      },
      `external subnet ${e.cidr}`,
    );
    n.externalSubnet = sub.subnet.id;
  }

  /** The hosted cloud's bring-up (Cloud.up on the controller); resolves when it is up. */
  private async startCloud(plan: CloudPlan, onCatalog: () => void): Promise<void> {
    const controller = this.hostPid(this.plan.controller.name);
    const namespaces = (["uts", "net", "mnt"] as const).map((k) => nsId(controller, k)).filter((x): x is string => !!x);
    const cloud = await Cloud.up({
      name: this.state.name,
      stateDir: plan.stateDir,
      plan,
      host: { namespace: { pid: controller, namespaces } },
      onMilestone: (m) => m === "catalog" && onCatalog(),
      log: (line) => this.log(`[${((Date.now() - this.t0) / 1000).toFixed(1)} s] ${line.replace(/^\[[^\]]*\] /, "")}`),
    });
    this.state.cloud = { ...this.state.cloud!, upSeconds: cloud.state.upSeconds, imageId: cloud.state.imageId };
    this.save();
  }


  /** Records a repair the twin made on its own (kept in the state, printed in the log). */
  private repaired(line: string): void {
    this.log(`twin repaired: ${line}`);
    (this.state.repairs ??= []).push(line);
    this.save();
  }

  /**
   * Clears ICMP redirects a VM holds (kernel route cache, `ip route show cache` says <redirected>):
   * left from pings during router set-up they make the VM bypass its qrouter for 300 s. The wait
   * before any external ping prevents them; this only catches what got through, and says so.
   */
  public async clearVmRedirects(): Promise<void> {
    for (const [name, vm] of Object.entries(this.state.vms)) {
      const r = await run([...enter(vm.pid, { n: true }), "ip", "-4", "route", "show", "cache"], { timeoutMs: 10000 });
      if (!/redirected/.test(r.stdout)) continue;
      await must([...enter(vm.pid, { n: true }), "ip", "-4", "route", "flush", "cache"], { timeoutMs: 10000 }, `flush the route cache of VM ${name}`);
      this.repaired(`VM ${name} held an ICMP redirect (${r.stdout.replace(/\s+/g, " ").trim()}); route cache flushed`);
    }
  }

  /** A service's log (the host's /var/log/neutron/<service>.log) from its last start ("Logging enabled!") on. */
  private logSinceStart(host: string, service: string): string {
    const f = join(this.hostDir(host), "log", `${service}.log`);
    const text = existsSync(f) ? readFileSync(f, "utf8") : "";
    return text.slice(Math.max(0, text.lastIndexOf("Logging enabled!")));
  }

  private maybeHeal(): Promise<void> {
    return this.healer.maybeHeal();
  }

  /** Restarts an agent whose log since its start shows the privsep race (AgentHealer.heal). */
  public healHungAgents(): Promise<void> {
    return this.healer.heal();
  }

  // -------------------------------------------------------------------------------------------
  // status and teardown

  /** Router namespaces per host (ip netns list inside each agent host). */
  public async namespacesPerHost(): Promise<Record<string, string[]>> {
    const out: Record<string, string[]> = {};
    for (const h of this.plan.hosts) {
      if (!h.ovs) continue;
      const r = await run([...enter(this.hostPid(h.name)), "ip", "netns", "list"]);
      out[h.name] = r.stdout
        .split("\n")
        .map((l) => l.split(" ")[0])
        .filter(Boolean)
        .sort();
    }
    return out;
  }

  public async status(): Promise<string> {
    const st = this.state;
    const lines = [`twin ${st.name}: ${st.phase}${st.error ? ` (${st.error.split("\n")[0]})` : ""}  state ${st.stateDir}`];
    const holdersAlive = st.holders.filter((p) => alive(p)).length;
    lines.push(`namespace holders alive: ${holdersAlive}/${st.holders.length}`);
    if (!st.outer || !alive(st.outer.pid)) return lines.join("\n");
    lines.push("hosts:");
    for (const h of this.plan.hosts) {
      const hs = st.hosts[h.name];
      if (!hs) continue;
      const units = await run([...enter(hs.pid), "bash", "-c", "cd \"$(cat /run/dvr-lab-twin-host)/units\" && for u in *.sh; do u=${u%.sh}; printf '%s=%s ' \"$u\" \"$(systemctl is-active \"$u\")\"; done"]);
      lines.push(`  ${h.name.padEnd(8)} ${h.role.padEnd(16)} pid ${hs.pid} mgmt ${h.mgmtIp}${h.tunnelIp ? ` tunnel ${h.tunnelIp}` : ""}`);
      lines.push(`           ${units.stdout.trim()}`);
    }
    const api = this.api();
    if (!(await api.up())) {
      lines.push("neutron API: not answering");
      return lines.join("\n");
    }
    const { agents } = await api.call<{ agents: AgentInfo[] }>("GET", "/agents");
    lines.push("agents:");
    for (const a of agents.sort((x, y) => (x.host + x.agent_type).localeCompare(y.host + y.agent_type))) {
      const c = a.configurations;
      const mode = a.agent_type === "L3 agent" ? ` mode=${String(c.agent_mode)}` : a.agent_type === "Open vSwitch agent" ? ` dvr=${String(c.enable_distributed_routing)} l2pop=${String(c.l2_population)} tunneling_ip=${String(c.tunneling_ip)}` : "";
      lines.push(`  ${a.host.padEnd(8)} ${a.agent_type.padEnd(20)} ${a.alive ? "alive" : "DEAD "}${mode}`);
    }
    const problems = await this.agentProblems();
    lines.push(problems.length ? `agent check: ${problems.map(formatAgentProblem).join("; ")}` : "agent check: as the description expects");
    // Router (and the external network's) names by id, as Neutron has them now (Terraform made them).
    const { routers } = await api.call<{ routers: { id: string; name: string }[] }>("GET", "/routers");
    const ids: Record<string, string> = Object.fromEntries(routers.map((r) => [r.id, r.name]));
    if (st.neutron.externalNetwork) ids[st.neutron.externalNetwork] = "external";
    lines.push("router namespaces:");
    for (const [host, list] of Object.entries(await this.namespacesPerHost())) {
      const named = list.map((ns) => {
        const m = /^(qrouter|snat|fip|qdhcp)-(.*)$/.exec(ns);
        return m && ids[m[2]] ? `${m[1]}-<${ids[m[2]]}>` : ns.replace(/^(qdhcp-[0-9a-f]{8}).*/, "$1…");
      });
      lines.push(`  ${host.padEnd(8)} ${named.join(" ")}`);
    }
    const { ports } = await api.call<{ ports: PortInfo[] }>("GET", "/ports?device_owner=compute:nova");
    const admin = this.admin();
    const servers = admin
      ? (await admin.call<{ servers: { id: string; status: string }[] }>("Nova", "instances", "GET", `${novaUrl(st.cloud!)}/servers/detail`)).servers
      : [];
    lines.push(admin ? "VMs (Nova instances, plugged by the hypervisor stand-in):" : "VMs:");
    for (const [name, vm] of Object.entries(st.vms)) {
      const p = ports.find((x) => x.id === vm.portId);
      if (vm.instanceId) {
        const server = servers.find((x) => x.id === vm.instanceId);
        lines.push(
          `  ${name.padEnd(18)} instance ${vm.instanceId} host ${vm.host.padEnd(6)} port ${vm.portId.slice(0, 8)} ip ${vm.ip.padEnd(15)} instance ${server?.status ?? "MISSING"} port ${p?.status ?? "MISSING"}${vm.floatingIp ? ` fip ${vm.floatingIp}` : ""}${alive(vm.pid) ? "" : " (namespace gone)"}`,
        );
        continue;
      }
      lines.push(
        `  ${name.padEnd(18)} host ${vm.host.padEnd(6)} ip ${vm.ip.padEnd(15)} mac ${vm.mac} port ${vm.portId.slice(0, 8)} ${p?.status ?? "MISSING"} binding:host_id=${p?.["binding:host_id"] ?? "?"}${vm.floatingIp ? ` fip ${vm.floatingIp}` : ""}${alive(vm.pid) ? "" : " (namespace gone)"}`,
      );
    }
    if (st.cloud) {
      const cloud = Cloud.attach(st.cloud.stateDir);
      if (cloud) {
        const vars = cloud.osVariables();
        lines.push(`cloud: up in ${st.cloud.upSeconds ?? "?"} s; the operator's OS_* (run the client in the outer namespace: nsenter -t ${st.outer?.pid} -n -- openstack ...):`);
        for (const [k, v] of Object.entries(vars)) lines.push(`  ${k}=${k === "OS_PASSWORD" ? `(in ${join(st.cloud.stateDir, "openrc")})` : v}`);
        lines.push(`  clouds.yaml: ${join(st.cloud.stateDir, "clouds.yaml")} (OS_CLOUD=${cloud.clientEnv().OS_CLOUD})`);
      }
    }
    const t = st.timings;
    if (Object.keys(t).length) lines.push(`timings (s since start): ${Object.entries(t).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    return lines.join("\n");
  }

  /**
   * Tears everything down by PID: every process in the twin's namespaces (uts/net/mnt membership,
   * which also catches re-parented privsep helpers and workers) plus the recorded holders. SIGTERM,
   * then SIGKILL after a short grace (the OVS agent ignores SIGTERM). Returns what was left (empty).
   */
  public async down(opts: { keepLogs?: boolean; graceMs?: number } = {}): Promise<{ killed: number; seconds: number; leftovers: number[] }> {
    const t = Date.now();
    const nss = new Set(this.state.namespaces);
    for (const p of this.state.holders) {
      if (!alive(p)) continue;
      for (const k of ["uts", "net", "mnt"] as const) {
        const id = nsId(p, k);
        // Holders of VMs/external host share uts/mnt with their parent: fine, those are ours too.
        if (id && id !== nsId("self", k)) nss.add(id);
      }
    }
    const victims = () => [...new Set([...processesIn(nss), ...this.state.holders.filter((p) => alive(p))])];
    let all = victims();
    const killed = new Set(all);
    all.forEach((p) => kill(p, "SIGTERM"));
    const graceEnd = Date.now() + (opts.graceMs ?? 2000);
    while (Date.now() < graceEnd && victims().length) await sleep(100);
    const hardEnd = Date.now() + 6000;
    for (;;) {
      all = victims();
      if (!all.length || Date.now() > hardEnd) break;
      all.forEach((p) => {
        killed.add(p);
        kill(p, "SIGKILL");
      });
      await sleep(100);
    }
    const leftovers = victims();
    if (!leftovers.length) {
      if (opts.keepLogs) {
        if (this.state.phase !== "failed") this.state.phase = "down";
        this.save();
      } else {
        rmSync(this.state.stateDir, { recursive: true, force: true });
      }
    }
    return { killed: killed.size, seconds: (Date.now() - t) / 1000, leftovers };
  }
}
