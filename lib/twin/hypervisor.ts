import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { NeutronApi, NeutronApiError, PortInfo } from "./api";
import { CloudApiError, CloudRest } from "./cloud/rest";
import { alive, enter, kill, spawnDetached } from "./proc";
import { must } from "../common/process";

/**
 * How often the stand-in compares Nova's view with its own during a deploy (ms). A VM is plugged at
 * most this long after Nova bound its port; Terraform's own wait for the instance polls every 3-10 s.
 */
export const WATCH_INTERVAL_MS = 2000;

/** The port fields the sync reads (PortInfo's, without name and vif type). */
const SYNC_PORT_FIELDS = ["id", "status", "mac_address", "device_owner", "device_id", "network_id", "fixed_ips", "binding:host_id"] as const;
/** A port as the sync's field-limited `GET /ports` returns it. */
export type SyncPort = Pick<PortInfo, (typeof SYNC_PORT_FIELDS)[number]>;
import { sshdConfig } from "./ssh";

/**
 * The hypervisor stand-in of the twin (what libvirt and os-vif do on a real compute node, done
 * small): Nova's fake driver boots nothing and plugs nothing, so for every port that Nova binds to a
 * twin host (`binding:host_id`, `device_owner compute:*`, `device_id` = the instance) the stand-in
 * plugs a VM into that host's br-int exactly as os-vif's OVS plugin does: a veth `tap<port[:11]>`
 * whose host end is an OVS port of br-int with the external ids `iface-id`, `iface-status`,
 * `attached-mac` and `vm-uuid` (what the OVS agent reads), and whose other end, in a network
 * namespace of the VM's own inside the host, gets the port's MAC, fixed IP, MTU and a default route
 * via the subnet's gateway. An sshd runs in the VM on its fixed IP and accepts the instance's Nova
 * key pair (the way a cloud image's cloud-init installs it). When the instance is deleted (the port
 * gone, or unbound from it) the VM is unplugged. What is NOT there: a guest OS, DHCP in the guest
 * (the address is configured directly), the metadata service, a console.
 */

export interface TwinVmState {
  readonly pid: number;
  readonly host: string;
  readonly portId: string;
  readonly mac: string;
  readonly ip: string;
  /** The port's device_id: the Nova instance's id (cloud twin) or a random id (Neutron-only twin). */
  readonly deviceId: string;
  readonly tap: string;
  readonly floatingIp?: string;
  /** The Nova instance (cloud twin only). */
  readonly instanceId?: string;
  /** The VM's sshd (cloud twin only): its PID, its host key (`ssh-ed25519 AAAA...`), the key pair. */
  readonly sshd?: { readonly pid: number; readonly hostKey: string; readonly keyName: string };
}

/** The login user of the twin's VMs (CirrOS's; VerifyVmAccess's default user). */
export const VM_LOGIN_USER = "cirros";

/** What the stand-in needs of the twin. */
export interface StandInSite {
  readonly neutron: () => NeutronApi;
  /** Nova (cloud twin); undefined: the twin binds the ports itself and calls plug() directly. */
  readonly nova?: { readonly rest: CloudRest; readonly url: string };
  readonly vms: Record<string, TwinVmState>;
  /** Hosts a VM may be plugged into (the description's VM hosts). */
  readonly vmHosts: readonly string[];
  /** Every twin host (DHCP ports may be bound to a host that runs no VM). */
  readonly hosts?: readonly string[];
  hostPid(host: string): number;
  hostDir(host: string): string;
  sh(host: string, script: string, what: string): Promise<string>;
  spawnNetNs(parentPid: number, logFile: string, what: string): Promise<number>;
  save(): void;
  log(line: string): void;
}

/** One VM to plug: the Neutron port and where. */
export interface PlugRequest {
  readonly name: string;
  readonly host: string;
  readonly port: SyncPort;
  readonly deviceId: string;
  readonly instanceId?: string;
  readonly floatingIp?: string;
  /** The instance's key pair: its name and public key (an sshd in the VM accepts it). */
  readonly keyPair?: { readonly name: string; readonly publicKey: string };
}

interface ServerInfo {
  id: string;
  name: string;
  status: string;
  key_name?: string | null;
  "OS-EXT-SRV-ATTR:host"?: string | null;
}

export const VM_MTU = 1450;

export class HypervisorStandIn {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly site: StandInSite) {}

  /** Plugs a VM (the os-vif steps above). */
  public async plug(req: PlugRequest): Promise<TwinVmState> {
    const s = this.site;
    const ip = req.port.fixed_ips[0]?.ip_address;
    const subnetId = req.port.fixed_ips[0]?.subnet_id;
    if (!ip || !subnetId) throw new Error(`dvr-lab twin: port ${req.port.id} of VM ${req.name} has no fixed IP`);
    const { subnet } = await s.neutron().call<{ subnet: { cidr: string; gateway_ip: string | null } }>("GET", `/subnets/${subnetId}`, undefined, `subnet of VM ${req.name}`);
    const prefix = subnet.cidr.split("/")[1];
    const vmPid = await s.spawnNetNs(s.hostPid(req.host), join(s.hostDir(req.host), "log", `vm-${req.name}.log`), `VM ${req.name}`);
    const tap = `tap${req.port.id.slice(0, 11)}`;
    await s.sh(
      req.host,
      [
        `ip link add ${tap} type veth peer name eth0 netns ${vmPid}`,
        `ip link set ${tap} mtu ${VM_MTU} up`,
        `ovs-vsctl --timeout=20 -- --may-exist add-port br-int ${tap} -- set Interface ${tap} external_ids:iface-id=${req.port.id} external_ids:iface-status=active external_ids:attached-mac=${req.port.mac_address} external_ids:vm-uuid=${req.deviceId}`,
      ].join("\n"),
      `plug VM ${req.name}`,
    );
    await must(
      [
        ...enter(vmPid, { n: true }),
        "/bin/bash",
        "-c",
        [
          "set -e",
          "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1",
          "ip link set lo up",
          `ip link set eth0 address ${req.port.mac_address} mtu ${VM_MTU} up`,
          // The guest computes its own checksums (a virtio NIC's guest does): with the veth's TX
          // checksum offload on, TCP leaves checksums partial and OVS's userspace datapath forwards
          // them unfinished (ICMP and ARP pass, SSH times out).
          "ethtool -K eth0 tx off >/dev/null",
          `ip addr add ${ip}/${prefix} dev eth0`,
          ...(subnet.gateway_ip ? [`ip route add default via ${subnet.gateway_ip}`] : []),
        ].join("\n"),
      ],
      {},
      `configure VM ${req.name}`,
    );
    const sshd = req.keyPair ? await this.startSshd(req, vmPid, ip) : undefined;
    const vm: TwinVmState = {
      pid: vmPid,
      host: req.host,
      portId: req.port.id,
      mac: req.port.mac_address,
      ip,
      deviceId: req.deviceId,
      tap,
      ...(req.floatingIp ? { floatingIp: req.floatingIp } : {}),
      ...(req.instanceId ? { instanceId: req.instanceId } : {}),
      ...(sshd ? { sshd } : {}),
    };
    s.vms[req.name] = vm;
    s.save();
    return vm;
  }

  /** An sshd in the VM's namespace on its fixed IP, host key of its own, the key pair authorized. */
  private async startSshd(req: PlugRequest, vmPid: number, ip: string): Promise<{ pid: number; hostKey: string; keyName: string }> {
    const dir = join(this.site.hostDir(req.host), "vms", req.name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = join(dir, "ssh_host_ed25519_key");
    await must(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", `${req.name}-vm-host-key`, "-f", key], {}, `host key of VM ${req.name}`);
    writeFileSync(join(dir, "authorized_keys"), req.keyPair!.publicKey.trim() + "\n", { mode: 0o600 });
    writeFileSync(join(dir, "sshd_config"), sshdConfig({ listen: ip, hostKey: key, authorizedKeys: join(dir, "authorized_keys"), pidFile: join(dir, "sshd.pid") }));
    // The image's login user (CirrOS: "cirros", what the verifier logs in as by default) exists in
    // the VM's own /etc/passwd and /etc/shadow: this machine's, plus that user as an alias of root
    // (the stand-in VM shares the host's files; ping and `ip route get` behave the same).
    const passwd = join(dir, "passwd");
    const shadow = join(dir, "shadow");
    writeFileSync(passwd, `${readFileSync("/etc/passwd", "utf8").trimEnd()}\n${VM_LOGIN_USER}:x:0:0:${VM_LOGIN_USER} (the image's login user, stand-in):/root:/bin/sh\n`);
    writeFileSync(shadow, `${readFileSync("/etc/shadow", "utf8").trimEnd()}\n${VM_LOGIN_USER}:*:20000:0:99999:7:::\n`, { mode: 0o600 });
    // In the VM's network namespace, with its host's uts namespace and a private mount namespace of
    // the host's (its /run/sshd; the two files above bound over /etc). unshare and sh exec: the pid is sshd's.
    const pid = spawnDetached(
      [
        ...enter(vmPid),
        "unshare", "--mount", "--propagation", "private", "--",
        "/bin/sh", "-c", 'mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/shadow && exec /usr/sbin/sshd -D -e -f "$3"',
        "vm-sshd", passwd, shadow, join(dir, "sshd_config"),
      ],
      join(dir, "sshd.log"),
    );
    const hostKey = readFileSync(`${key}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
    return { pid, hostKey, keyName: req.keyPair!.name };
  }

  /** Unplugs a VM: its sshd and namespace gone, its OVS port removed. */
  public async unplug(name: string): Promise<void> {
    const s = this.site;
    const vm = s.vms[name];
    if (!vm) return;
    if (vm.sshd && alive(vm.sshd.pid)) kill(vm.sshd.pid, "SIGKILL");
    if (alive(vm.pid)) kill(vm.pid, "SIGKILL");
    await s.sh(vm.host, `ovs-vsctl --timeout=20 --if-exists del-port br-int ${vm.tap}\nip link del ${vm.tap} 2>/dev/null || true`, `unplug VM ${name}`);
    const dir = join(s.hostDir(vm.host), "vms", name);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    delete s.vms[name];
    s.save();
  }

  /**
   * Nova's view to the stand-in's (cloud twin): plugs every port Nova bound to a twin host whose
   * instance is not plugged yet, unplugs every VM whose instance is gone or no longer holds its port.
   * Returns the VM names plugged and unplugged. Calls are serialized.
   */
  public sync(): Promise<{ plugged: string[]; unplugged: string[] }> {
    const next = this.queue.then(() => this.syncOnce());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async syncOnce(): Promise<{ plugged: string[]; unplugged: string[] }> {
    const s = this.site;
    const nova = s.nova;
    if (!nova) throw new Error("dvr-lab twin: the hypervisor stand-in syncs with Nova only in the cloud twin");
    // Only the fields read here: Neutron then skips most of its per-port extension and policy work,
    // and this poll runs all through a deploy beside Terraform's own calls to the one API worker.
    const { ports } = await s.neutron().call<{ ports: SyncPort[] }>("GET", `/ports?${SYNC_PORT_FIELDS.map((f) => `fields=${f}`).join("&")}`);
    const bound = ports.filter((p) => p.device_owner.startsWith("compute:") && p.device_id && s.vmHosts.includes(p["binding:host_id"]));
    const unplugged: string[] = [];
    for (const [name, vm] of Object.entries(s.vms)) {
      if (!vm.instanceId) continue;
      const p = bound.find((x) => x.id === vm.portId);
      if (!p || p.device_id !== vm.instanceId || p["binding:host_id"] !== vm.host) {
        await this.unplug(name);
        unplugged.push(name);
        s.log(`hypervisor stand-in: unplugged VM ${name} (instance ${vm.instanceId} ${p ? "no longer holds its port" : "gone with its port"})`);
      }
    }
    await this.dhcpPortsChecksummed(ports);
    const plugged: string[] = [];
    const known = new Set(Object.values(s.vms).map((v) => v.portId));
    for (const p of bound.filter((x) => !known.has(x.id))) {
      let server: ServerInfo;
      try {
        server = (await nova.rest.call<{ server: ServerInfo }>("Nova", `instance ${p.device_id}`, "GET", `${nova.url}/servers/${p.device_id}`)).server;
      } catch (e) {
        if (e instanceof CloudApiError && e.status === 404) continue; // a port of a deleted instance, not unbound yet
        throw e;
      }
      const host = p["binding:host_id"];
      let keyPair: PlugRequest["keyPair"];
      if (server.key_name) {
        const { keypair } = await nova.rest.call<{ keypair: { public_key: string } }>("Nova", `key pair ${server.key_name}`, "GET", `${nova.url}/os-keypairs/${encodeURIComponent(server.key_name)}`);
        keyPair = { name: server.key_name, publicKey: keypair.public_key };
      }
      let floatingIp: string | undefined;
      try {
        const { floatingips } = await s.neutron().call<{ floatingips: { floating_ip_address: string }[] }>("GET", `/floatingips?port_id=${p.id}`);
        floatingIp = floatingips[0]?.floating_ip_address;
      } catch (e) {
        if (!(e instanceof NeutronApiError && e.status === 404)) throw e;
      }
      const name = s.vms[server.name] ? `${server.name}-${server.id.slice(0, 8)}` : server.name;
      await this.plug({ name, host, port: p, deviceId: p.device_id, instanceId: server.id, floatingIp, keyPair });
      plugged.push(name);
      s.log(`hypervisor stand-in: plugged VM ${name} (instance ${server.id}) into br-int on ${host}, port ${p.id}, ${p.fixed_ips[0]?.ip_address ?? "no IP"}`);
    }
    return { plugged, unplugged };
  }

  /** DHCP ports whose qdhcp interface already computes its own checksums. */
  private readonly checksummed = new Set<string>();

  /**
   * The DHCP agent's qdhcp interfaces get what the VMs get (plug()): TX checksum offload off. The
   * veth's offload leaves TCP checksums partial, and OVS's userspace datapath, which stands in for
   * the kernel datapath here, forwards them unfinished: an SSH from a qdhcp namespace to a VM (the
   * verifier's VM hop on a real lab) times out while ping passes. A real node's kernel datapath
   * completes them; this is hardware stand-in, not Neutron.
   */
  private async dhcpPortsChecksummed(ports: readonly SyncPort[]): Promise<void> {
    const s = this.site;
    const hosts = s.hosts ?? s.vmHosts;
    for (const p of ports) {
      const host = p["binding:host_id"];
      if (p.device_owner !== "network:dhcp" || this.checksummed.has(p.id) || !hosts.includes(host)) continue;
      const ns = `qdhcp-${p.network_id}`;
      const out = await s.sh(
        host,
        [
          `[ -e /run/netns/${ns} ] || exit 0`,
          // The agent creates the namespace before it moves its ns- interface in: done only with one.
          "n=0",
          `for i in $(ip netns exec ${ns} ls /sys/class/net); do`,
          `  if [ "$i" != lo ]; then ip netns exec ${ns} ethtool -K "$i" tx off >/dev/null; n=$((n + 1)); fi`,
          "done",
          `if [ "$n" -gt 0 ]; then echo checksummed; fi`,
        ].join("\n"),
        `TX checksum offload off in ${ns} on ${host}`,
      );
      if (out.includes("checksummed")) this.checksummed.add(p.id);
    }
  }

  /** Syncs every `intervalMs` until the returned stop function is called (which awaits the last sync). */
  public watch(intervalMs = WATCH_INTERVAL_MS, onError: (e: Error) => void = () => undefined): () => Promise<void> {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      if (stopped) return;
      await this.sync().catch((e: Error) => onError(e));
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    timer = setTimeout(() => void tick(), intervalMs);
    return async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await this.queue;
    };
  }
}
