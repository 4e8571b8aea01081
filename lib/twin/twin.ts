import { packageRoot } from "../push/remote-script";
import { spawnSync } from "child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { LabDescription } from "../model/topology";
import type { NeutronFile } from "../push/neutron-paths";
import { AgentInfo, NeutronApi } from "./api";
import { AgentProblem, formatAgentProblem } from "./agent-problems";
import type { IniSetting } from "../push/desired-config";
import { planTwin, TwinHostPlan, TwinPlan } from "./plan";
import { alive, enter, nsId, waitFor } from "./proc";
import { must, run } from "../common/process";
import { baseSettings, KeystoneSite, transportUrl, DB_SOCKET, debianFilePath, forcedSettings, renderIni, setIniKeys } from "./site-config";
import { TwinSsh } from "./ssh";
import { AgentHealer } from "./repairs";
import { Cloud } from "./cloud/cloud";
import { CloudPlan, keystoneUrl, planCloud, REGION } from "./cloud/plan";
import { CloudRest } from "./cloud/rest";
import { cloudAdmin, cloudStateDirOf, novaUrl } from "./cloud-access";
import { HypervisorStandIn, TwinVmState } from "./hypervisor";
import { TwinHosts } from "./hosts";
import { agentProblemsOf, logSinceStart, waitDhcpSynced, waitL3Idle } from "./readiness";
import { hostDirOf, loadState, saveState, TWIN_STATE_SCHEMA, TwinState } from "./state";
import { twinStatus } from "./status";
import { killTwinProcesses } from "./teardown";
import { defaultStateDir, underHostTmpfs } from "./state-dir";

export { loadState, TWIN_STATE_SCHEMA } from "./state";
export type { TwinState } from "./state";

export { DEADLOCK_SIGNATURE, MAX_AGENT_RESTARTS } from "./repairs";

export type { TwinVmState };

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
  private hostsCache?: TwinHosts;

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
    return hostDirOf(this.state, host);
  }

  private save(): void {
    saveState(this.state);
  }

  private get hosts(): TwinHosts {
    this.hostsCache ??= new TwinHosts(this.state, () => this.save(), this.root);
    return this.hostsCache;
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
      spawnNetNs: (pid, file, what) => this.hosts.spawnNetNs(pid, file, what),
      save: () => this.save(),
      log: (line) => this.log(line),
    });
    return this.standInCache;
  }

  /**
   * argv running the real OpenStack client (python3-openstackclient) as the operator would: in the
   * twin's outer namespace (the management network's workstation side) with the cloud's clouds.yaml.
   */
  /** argv prefix that runs a command in the operator's namespace (the management network, where the nodes' sshd and the APIs are). */
  public operatorPrefix(): string[] {
    return enter(this.state.outer!.pid, { n: true });
  }

  public openstack(args: readonly string[]): string[] {
    if (!this.state.cloud) throw new Error("dvr-lab twin: this twin has no cloud state (a twin from an older version: twin down, then up again)");
    const cloud = Cloud.attach(this.state.cloud.stateDir);
    if (!cloud) throw new Error(`dvr-lab twin: no cloud state in ${this.state.cloud.stateDir}`);
    const env = Object.entries(cloud.clientEnv()).map(([k, v]) => `${k}=${v}`);
    return [...this.operatorPrefix(), "/usr/bin/env", "-i", ...env, "/usr/bin/openstack", ...args];
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

    // Keys and host dirs, then the namespaces and their links (lib/twin/hosts.ts).
    await this.hosts.prepareDirs();
    this.mark("keys and host dirs");

    await this.hosts.createAndLink();
    this.mark("namespaces and links");

    // Units and first services per host.
    for (const h of plan.hosts) this.hosts.writeUnits(h);
    await Promise.all(plan.hosts.map((h) => this.hosts.boot(h, (host, script, what) => this.sh(host, script, what))));
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
    await waitL3Idle(logs, timeoutMs, () => this.maybeHeal());
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
    return agentProblemsOf(this.plan.description, agents);
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
    await waitDhcpSynced(
      plan.hosts.filter((h) => h.services.includes("neutron-dhcp-agent")).map((h) => ({ name: h.name, dir: this.hostDir(h.name) })),
      () => this.maybeHeal(),
    );
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

  private logSinceStart(host: string, service: string): string {
    return logSinceStart(this.hostDir(host), service);
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

  /** `twin status` as text (lib/twin/status.ts). */
  public status(): Promise<string> {
    return twinStatus(this);
  }

  /**
   * Tears everything down by PID: every process in the twin's namespaces (uts/net/mnt membership,
   * which also catches re-parented privsep helpers and workers) plus the recorded holders. SIGTERM,
   * then SIGKILL after a short grace (the OVS agent ignores SIGTERM). Returns what was left (empty).
   */
  public async down(opts: { keepLogs?: boolean; graceMs?: number } = {}): Promise<{ killed: number; seconds: number; leftovers: number[] }> {
    const t = Date.now();
    const { killed, leftovers } = await killTwinProcesses(this.state, opts.graceMs);
    if (!leftovers.length) {
      if (opts.keepLogs) {
        if (this.state.phase !== "failed") this.state.phase = "down";
        this.save();
      } else {
        rmSync(this.state.stateDir, { recursive: true, force: true });
      }
    }
    return { killed, seconds: (Date.now() - t) / 1000, leftovers };
  }
}
