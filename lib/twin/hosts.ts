import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import type { TwinHostPlan, TwinPlan } from "./plan";
import { alive, enter, nsId, readComm, spawnDetached, waitFor } from "./proc";
import { must } from "../common/process";
import { pristineNeutronEtc } from "./site-config";
import { hostDirOf, TwinState } from "./state";
import { hostFiles } from "./units";

/**
 * The twin's hardware: one namespace holder per host (mount, net and uts namespaces: its own host
 * name, `ip netns`, OVS, sshd), the outer namespace (the management network's workstation side and
 * the bridges that stand in for the switches), the external host, the veth "cables", and each
 * host's first boot (management address, sshd, OVS with its underlay and provider bridges).
 * Everything made is recorded in the state (holders, namespace ids) so that teardown finds it.
 */
export class TwinHosts {
  constructor(
    private readonly state: TwinState,
    private readonly save: () => void,
    /** The package root (remote/twin/ns-init.sh, remote/twin/systemctl). */
    private readonly root: string,
  ) {}

  private get plan(): TwinPlan {
    return this.state.plan;
  }

  /** Keys (the operator's, one host key per host) and each host's directory tree and files. */
  public async prepareDirs(): Promise<void> {
    const plan = this.plan;
    const sd = this.state.stateDir;
    const keygen = (file: string, comment: string) => must(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", file]);
    const hostsFile = ["127.0.0.1 localhost", ...plan.hosts.map((h) => `${h.mgmtIp} ${h.name}`)].join("\n") + "\n";
    mkdirSync(join(sd, "outer"), { recursive: true });
    writeFileSync(join(sd, "outer", "hosts"), `127.0.0.1 localhost\n${hostsFile}`);
    const keyJobs: Promise<unknown>[] = [keygen(join(sd, "operator_ed25519"), "dvr-lab-twin-operator")];
    for (const h of plan.hosts) {
      const dir = hostDirOf(this.state, h.name);
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
  }

  /** The outer namespace, one namespace per host, the external host, and the links between them. */
  public async createAndLink(): Promise<void> {
    const plan = this.plan;
    const sd = this.state.stateDir;
    const outer = await this.spawnHolder("twin-outer", join(sd, "outer"), "outer");
    this.state.outer = { pid: outer };
    const pids = await Promise.all(plan.hosts.map((h) => this.spawnHolder(h.name, hostDirOf(this.state, h.name), "host")));
    plan.hosts.forEach((h, i) => (this.state.hosts[h.name] = { pid: pids[i], mgmtIp: h.mgmtIp, dir: hostDirOf(this.state, h.name) }));
    const lines = [
      "for b in br-mgmt br-und br-prov; do ip link add $b type bridge; ip link set $b type bridge stp_state 0 forward_delay 0 mcast_snooping 0; ip link set $b up; done",
      `ip addr add ${plan.mgmt.outerIp}/${plan.mgmt.prefix} dev br-mgmt`,
    ];
    for (const h of plan.hosts) {
      const pid = this.state.hosts[h.name].pid;
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
    await must([...enter(outer), "/bin/bash", "-c", `set -euo pipefail\n${lines.join("\n")}`], { timeoutMs: 60000 }, "outer namespace setup");
    if (this.state.externalHost) {
      const script = [
        "set -e",
        "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
        "ip link set lo up",
        "ip link set eth0 up",
        `ip addr add ${plan.external!.hostIp}/${plan.external!.prefix} dev eth0`,
      ].join("\n");
      await must([...enter(this.state.externalHost.pid, { n: true }), "/bin/bash", "-c", script], {}, "external host setup");
    }
  }

  /** Writes a host's service units (lib/twin/units.ts). */
  public writeUnits(h: TwinHostPlan): void {
    for (const f of hostFiles(h, hostDirOf(this.state, h.name), this.state.stateDir)) writeFileSync(f.path, f.text, f.mode !== undefined ? { mode: f.mode } : {});
  }

  /**
   * A host's first boot: management address and sshd; the controller starts MariaDB and RabbitMQ,
   * an agent host OVS (netdev datapath) with br-phy on the underlay and br-ex on the provider network.
   */
  public async boot(h: TwinHostPlan, sh: (host: string, script: string, what?: string) => Promise<string>): Promise<void> {
    const pre = ["ip link set eth0 up", `ip addr add ${h.mgmtIp}/${this.plan.mgmt.prefix} dev eth0`, "systemctl start ssh"];
    if (h.role === "controller") {
      await sh(h.name, [...pre, "systemctl start mariadb rabbitmq-server"].join("\n"));
      return;
    }
    const und = this.plan.underlay!;
    await sh(
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
          ? [`ovs-vsctl --timeout=20 -- --may-exist add-br br-ex -- set bridge br-ex datapath_type=netdev -- --may-exist add-port br-ex eth2`, "ip link set br-ex up"]
          : []),
      ].join("\n"),
      `${h.name}: OVS and underlay setup`,
    );
  }

  /** Starts a namespace holder (unshare + ns-init.sh) and waits until it is really inside (spawn race). */
  public async spawnHolder(name: string, dir: string, kind: "outer" | "host"): Promise<number> {
    const script = join(this.root, "remote", "twin", "ns-init.sh");
    const pid = spawnDetached(["unshare", "--mount", "--net", "--uts", "--propagation", "private", "--", "/bin/bash", script, name, dir, kind], join(dir, "holder.log"));
    this.state.holders.push(pid);
    this.save();
    const mine = nsId("self", "uts");
    await waitFor(
      `namespace ${name} to be ready`,
      10000,
      () => {
        if (!alive(pid)) throw new Error(`holder of ${name} died: ${readFileSync(join(dir, "holder.log"), "utf8").trim()}`);
        return readComm(pid) === "sleep" && nsId(pid, "uts") !== mine;
      },
      20,
    );
    for (const k of ["uts", "net", "mnt"] as const) {
      const id = nsId(pid, k);
      if (id) this.state.namespaces.push(id);
    }
    this.save();
    return pid;
  }

  /** A plain network namespace (VM or external host) inside `parentPid`'s mount/uts namespaces. */
  public async spawnNetNs(parentPid: number, logFile: string, what: string): Promise<number> {
    const parentNet = nsId(parentPid, "net");
    const pid = spawnDetached([...enter(parentPid), "unshare", "--net", "--", "sleep", "infinity"], logFile);
    this.state.holders.push(pid);
    this.save();
    await waitFor(`namespace of ${what}`, 10000, () => readComm(pid) === "sleep" && nsId(pid, "net") !== parentNet && nsId(pid, "uts") === nsId(parentPid, "uts"), 20);
    this.state.namespaces.push(nsId(pid, "net")!);
    this.save();
    return pid;
  }
}
