import { L3AgentMode } from "./agent-mode";
import { nthAddress, parseCidr } from "./ipv4";
import { OpenStackRelease } from "./release";

/**
 * The ONE topology model of a lab: hosts, networks, routers, VMs and the expected routing of every
 * verification row. The constructs synthesize from it, the stack writes it (as a LabDescription) for
 * the verifier and the lab twin, and nothing else re-derives placement or expectations.
 */

export const LAB_DESCRIPTION_SCHEMA = "dvr-lab/lab@1";

/** Roles of a host in the lab. */
export type HostRole = "controller" | "dvr_snat" | "dvr" | "dvr_no_external";

export interface HostModel {
  readonly name: string;
  readonly role: HostRole;
  /** VXLAN tunnel endpoint (openvswitch_agent.ini [ovs] local_ip); undefined on the controller. */
  readonly tunnelIp?: string;
  /** Whether VMs may be placed here (nova-compute runs here). */
  readonly runsVms: boolean;
  /** Neutron agent types expected alive on this host (agent_type strings of the Neutron API). */
  readonly agents: readonly string[];
}

export interface SubnetModel {
  /** Name of the network and of its subnet in Neutron. */
  readonly name: string;
  readonly cidr: string;
  readonly gatewayIp: string;
  /** Router (by name) whose interface is this subnet's gateway. */
  readonly router: string;
  readonly allocationPool: { readonly start: string; readonly end: string };
  /** Fixed VXLAN VNI of the subnet's network (admin); undefined = allocated by Neutron. */
  readonly vni?: number;
  /** MTU of the subnet's network; undefined = Neutron's (1450 on VXLAN over a 1500 underlay). */
  readonly mtu?: number;
}

export interface RouterModel {
  readonly name: string;
  readonly distributed: boolean;
  readonly subnets: readonly string[];
  readonly externalGateway: boolean;
}

export interface VmModel {
  readonly name: string;
  readonly host: string;
  readonly subnet: string;
  readonly fixedIp: string;
  readonly floatingIp: boolean;
}

export interface ExternalModel {
  readonly network: string;
  readonly cidr: string;
  readonly gatewayIp: string;
  readonly physnet: string;
  /** An address on the external network the north-south rows ping (the upstream gateway by default). */
  readonly probeTarget: string;
  readonly allocationPool: { readonly start: string; readonly end: string };
}

/** One place a packet is routed: the router namespace on a host that forwards it. */
export interface RoutingHop {
  readonly host: string;
  readonly namespace: "qrouter" | "snat" | "fip";
  readonly router: string;
}

export interface DirectionExpectation {
  readonly direction: "request" | "reply";
  /** Sending endpoint: a VM name, or "external". */
  readonly from: string;
  readonly to: string;
  /** Every namespace that must forward this direction; all others must not. */
  readonly routedAt: readonly RoutingHop[];
}

export type RowKind = "same-node" | "cross-node" | "snat" | "floating-ip";

export interface TopologyRow {
  readonly id: string;
  readonly kind: RowKind;
  readonly router: string;
  readonly distributed: boolean;
  readonly source: string;
  /** A VM name, or "external" (the external probe target). */
  readonly target: string;
  readonly directions: readonly DirectionExpectation[];
}

/** What the stack writes for the verifier and the twin (JSON, no secrets). */
export interface LabDescription {
  readonly schema: string;
  readonly name: string;
  readonly release: string;
  readonly hosts: readonly HostModel[];
  readonly subnets: readonly SubnetModel[];
  readonly routers: readonly RouterModel[];
  readonly vms: readonly VmModel[];
  readonly external?: ExternalModel;
  readonly vniRange: { readonly min: number; readonly max: number };
  readonly rows: readonly TopologyRow[];
}

// ---------------------------------------------------------------------------------------------
// Input spec (what the constructs hand to the model)

export interface HostSpec {
  readonly name: string;
  readonly role: HostRole;
  readonly tunnelIp?: string;
  readonly runsVms?: boolean;
  /** Run a DHCP agent here. Default: true on the first dvr_snat host. */
  readonly dhcpAgent?: boolean;
}

export interface SubnetSpec {
  readonly name: string;
  readonly cidr: string;
  readonly gatewayIp?: string;
  readonly vni?: number;
  readonly mtu?: number;
}

export interface RouterSpec {
  readonly name: string;
  readonly distributed: boolean;
  readonly subnets: readonly SubnetSpec[];
}

export interface VmSpec {
  readonly name: string;
  readonly host: string;
  readonly subnet: string;
  readonly fixedIp?: string;
  readonly floatingIp?: boolean;
}

export interface ExternalSpec {
  readonly network: string;
  readonly cidr: string;
  readonly gatewayIp?: string;
  readonly physnet: string;
  readonly probeTarget?: string;
  readonly allocationPool?: { readonly start: string; readonly end: string };
}

export interface TopologySpec {
  readonly name: string;
  readonly release: OpenStackRelease;
  readonly hosts: readonly HostSpec[];
  readonly routers: readonly RouterSpec[];
  readonly external?: ExternalSpec;
  /** Explicit VMs; when absent the model places the topology table's pairs itself. */
  readonly vms?: readonly VmSpec[];
  readonly vniRange?: { readonly min: number; readonly max: number };
}

const AGENT = {
  l3: "L3 agent",
  ovs: "Open vSwitch agent",
  metadata: "Metadata agent",
  dhcp: "DHCP agent",
} as const;

/** Offset of the first VM fixed IP inside a subnet (gateway is offset 1). */
const FIRST_VM_OFFSET = 10;

/**
 * Builds the model from a spec. Pure and deterministic. It does not validate: the constructs'
 * validation (lib/validation) reports bad input with construct paths before this is used for output.
 */
export class LabTopology {
  public readonly name: string;
  public readonly release: OpenStackRelease;
  public readonly hosts: readonly HostModel[];
  public readonly subnets: readonly SubnetModel[];
  public readonly routers: readonly RouterModel[];
  public readonly vms: readonly VmModel[];
  public readonly external?: ExternalModel;
  public readonly vniRange: { readonly min: number; readonly max: number };
  public readonly rows: readonly TopologyRow[];

  constructor(spec: TopologySpec) {
    this.name = spec.name;
    this.release = spec.release;
    this.vniRange = spec.vniRange ?? { min: 1, max: 1000 };
    const firstSnat = spec.hosts.find((h) => h.role === "dvr_snat")?.name;
    this.hosts = spec.hosts.map((h) => hostModel(h, h.name === firstSnat));
    this.external = spec.external && externalModel(spec.external);
    this.subnets = spec.routers.flatMap((r) => r.subnets.map((s) => subnetModel(s, r.name)));
    this.routers = spec.routers.map((r) => ({
      name: r.name,
      distributed: r.distributed,
      subnets: r.subnets.map((s) => s.name),
      externalGateway: !!spec.external,
    }));
    this.vms = spec.vms ? this.explicitVms(spec.vms) : this.defaultVms();
    this.rows = this.expectedRows(spec.vms === undefined);
  }

  public host(name: string): HostModel | undefined {
    return this.hosts.find((h) => h.name === name);
  }

  public subnet(name: string): SubnetModel | undefined {
    return this.subnets.find((s) => s.name === name);
  }

  public router(name: string): RouterModel | undefined {
    return this.routers.find((r) => r.name === name);
  }

  /** The dvr_snat host that hosts SNAT of distributed routers and all legacy routers. */
  public get snatHost(): HostModel | undefined {
    return this.hosts.find((h) => h.role === "dvr_snat");
  }

  public toDescription(): LabDescription {
    return {
      schema: LAB_DESCRIPTION_SCHEMA,
      name: this.name,
      release: this.release.name,
      hosts: this.hosts,
      subnets: this.subnets,
      routers: this.routers,
      vms: this.vms,
      ...(this.external ? { external: this.external } : {}),
      vniRange: this.vniRange,
      rows: this.rows,
    };
  }

  /**
   * Placement per the topology table (docs/DVR.md §6.4): for each router with two subnets A and B,
   * a same-node pair (A and B) on the first `dvr` compute node (else the first `dvr_no_external`
   * node, which routes east-west locally too; only on a dvr_snat node would the pair not tell DVR
   * from legacy routing, §6.3), and a cross-node partner in A on the dvr_snat node when it runs VMs
   * (else on the next VM host).
   */
  private defaultVms(): VmModel[] {
    const vmHosts = this.hosts.filter((h) => h.runsVms);
    const same = vmHosts.find((h) => h.role === "dvr") ?? vmHosts.find((h) => h.role === "dvr_no_external") ?? vmHosts[0];
    if (!same) return [];
    const cross =
      vmHosts.find((h) => h.role === "dvr_snat" && h.name !== same.name) ??
      vmHosts.find((h) => h.name !== same.name);
    const used = new Map<string, number>();
    const out: VmModel[] = [];
    const add = (router: string, subnet: SubnetModel, letter: string, host: string, floatingIp: boolean) => {
      const index = used.get(subnet.name) ?? 0;
      used.set(subnet.name, index + 1);
      out.push({
        name: `${router}-${letter}-${host}`,
        host,
        subnet: subnet.name,
        // A malformed CIDR is reported by validation; the model stays total.
        fixedIp: parseCidr(subnet.cidr) ? nthAddress(parseCidr(subnet.cidr)!, FIRST_VM_OFFSET + index) : "",
        floatingIp,
      });
    };
    for (const router of this.routers) {
      const [a, b] = router.subnets.map((n) => this.subnet(n)!);
      if (!a || !b) continue;
      add(router.name, a, "a", same.name, !!this.external);
      add(router.name, b, "b", same.name, false);
      if (cross) add(router.name, a, "a", cross.name, false);
    }
    return out;
  }

  private explicitVms(vms: readonly VmSpec[]): VmModel[] {
    const used = new Map<string, number>();
    return vms.map((vm) => {
      const subnet = this.subnet(vm.subnet);
      let fixedIp = vm.fixedIp;
      if (!fixedIp && subnet && parseCidr(subnet.cidr)) {
        const index = used.get(subnet.name) ?? 0;
        used.set(subnet.name, index + 1);
        fixedIp = nthAddress(parseCidr(subnet.cidr)!, FIRST_VM_OFFSET + index);
      }
      return { name: vm.name, host: vm.host, subnet: vm.subnet, fixedIp: fixedIp ?? "", floatingIp: !!vm.floatingIp };
    });
  }

  /**
   * The rows to verify, computed from placement (docs/DVR.md §2.6): per router, the same-node pair and
   * the cross-node pair (different subnets), plus SNAT (VM without FIP) and floating-IP rows when an
   * external network is set.
   */
  private expectedRows(defaultPlacement: boolean): TopologyRow[] {
    const rows: TopologyRow[] = [];
    for (const router of this.routers) {
      const vms = this.vms.filter((vm) => router.subnets.includes(vm.subnet));
      const pairs: { kind: RowKind; source: VmModel; target: VmModel }[] = [];
      const sameNode = findPair(vms, (x, y) => x.host === y.host && x.subnet !== y.subnet);
      if (sameNode) pairs.push({ kind: "same-node", ...sameNode });
      const crossNode = findPair(vms, (x, y) => x.host !== y.host && x.subnet !== y.subnet, defaultPlacement);
      if (crossNode) pairs.push({ kind: "cross-node", ...crossNode });
      for (const p of pairs) {
        rows.push({
          id: `${router.name}-${p.kind}`,
          kind: p.kind,
          router: router.name,
          distributed: router.distributed,
          source: p.source.name,
          target: p.target.name,
          directions: [
            { direction: "request", from: p.source.name, to: p.target.name, routedAt: this.eastWestHops(router, p.source) },
            { direction: "reply", from: p.target.name, to: p.source.name, routedAt: this.eastWestHops(router, p.target) },
          ],
        });
      }
      if (this.external) {
        const noFip = vms.find((vm) => !vm.floatingIp && this.host(vm.host)?.role !== "dvr_snat") ?? vms.find((vm) => !vm.floatingIp);
        if (noFip) rows.push(this.northSouthRow(router, noFip, "snat"));
        const fip = vms.find((vm) => vm.floatingIp);
        if (fip) rows.push(this.northSouthRow(router, fip, "floating-ip"));
      }
    }
    return rows;
  }

  /** DVR: the sender's own node routes. Legacy: the node hosting the router (the dvr_snat node). */
  private eastWestHops(router: RouterModel, sender: VmModel): RoutingHop[] {
    if (router.distributed) return [{ host: sender.host, namespace: "qrouter", router: router.name }];
    return [{ host: this.snatHost?.name ?? "", namespace: "qrouter", router: router.name }];
  }

  private northSouthRow(router: RouterModel, vm: VmModel, kind: "snat" | "floating-ip"): TopologyRow {
    const snat = this.snatHost?.name ?? "";
    let request: RoutingHop[];
    let reply: RoutingHop[];
    if (!router.distributed) {
      request = reply = [{ host: snat, namespace: "qrouter", router: router.name }];
    } else if (kind === "snat" || this.host(vm.host)?.role === "dvr_no_external") {
      // SNAT, and the floating IP of a VM on a dvr_no_external node: that node hosts no fip
      // namespace, its floating IPs are centralized in the snat namespace on the dvr_snat node
      // (docs/DVR.md §1.1, §2.4). Out: the VM's qrouter redirects to the sg- port, the snat
      // namespace NATs; back: the snat namespace alone routes, straight to the VM over its subnet.
      request = [
        { host: vm.host, namespace: "qrouter", router: router.name },
        { host: snat, namespace: "snat", router: router.name },
      ];
      reply = [{ host: snat, namespace: "snat", router: router.name }];
    } else {
      request = [
        { host: vm.host, namespace: "qrouter", router: router.name },
        { host: vm.host, namespace: "fip", router: router.name },
      ];
      reply = [
        { host: vm.host, namespace: "fip", router: router.name },
        { host: vm.host, namespace: "qrouter", router: router.name },
      ];
    }
    return {
      id: `${router.name}-${kind}`,
      kind,
      router: router.name,
      distributed: router.distributed,
      source: vm.name,
      target: "external",
      directions: [
        { direction: "request", from: vm.name, to: "external", routedAt: request },
        { direction: "reply", from: "external", to: vm.name, routedAt: reply },
      ],
    };
  }
}

function findPair(
  vms: readonly VmModel[],
  ok: (x: VmModel, y: VmModel) => boolean,
  preferLast = false,
): { source: VmModel; target: VmModel } | undefined {
  const candidates: { source: VmModel; target: VmModel }[] = [];
  for (const x of vms) for (const y of vms) if (x !== y && ok(x, y)) candidates.push({ source: x, target: y });
  if (candidates.length === 0) return undefined;
  // Default placement lists the cross-node partner last: make it the source (sender = the other node).
  if (preferLast) {
    const last = vms[vms.length - 1];
    return candidates.find((c) => c.source === last) ?? candidates[0];
  }
  return candidates[0];
}

function hostModel(h: HostSpec, firstSnat: boolean): HostModel {
  const agents: string[] = [];
  if (h.role !== "controller") {
    agents.push(AGENT.ovs, AGENT.l3, AGENT.metadata);
    if (h.dhcpAgent ?? firstSnat) agents.push(AGENT.dhcp);
  }
  return {
    name: h.name,
    role: h.role,
    ...(h.tunnelIp !== undefined ? { tunnelIp: h.tunnelIp } : {}),
    runsVms: h.role === "controller" ? false : (h.runsVms ?? true),
    agents,
  };
}

function subnetModel(s: SubnetSpec, router: string): SubnetModel {
  const cidr = parseCidr(s.cidr);
  const gatewayIp = s.gatewayIp ?? (cidr ? nthAddress(cidr, 1) : "");
  const pool = cidr && cidr.size >= 16
    ? { start: nthAddress(cidr, cidr.size / 2), end: nthAddress(cidr, cidr.size - 2) }
    : { start: "", end: "" };
  return {
    name: s.name,
    cidr: s.cidr,
    gatewayIp,
    router,
    allocationPool: pool,
    ...(s.vni !== undefined ? { vni: s.vni } : {}),
    ...(s.mtu !== undefined ? { mtu: s.mtu } : {}),
  };
}

function externalModel(e: ExternalSpec): ExternalModel {
  const cidr = parseCidr(e.cidr);
  const gatewayIp = e.gatewayIp ?? (cidr ? nthAddress(cidr, 1) : "");
  return {
    network: e.network,
    cidr: e.cidr,
    gatewayIp,
    physnet: e.physnet,
    probeTarget: e.probeTarget ?? gatewayIp,
    allocationPool:
      e.allocationPool ??
      (cidr && cidr.size >= 16
        ? { start: nthAddress(cidr, cidr.size / 2), end: nthAddress(cidr, cidr.size - 2) }
        : { start: "", end: "" }),
  };
}

/** Modes per role, for the push and the control-plane gate. */
export function l3AgentModeOf(role: HostRole): L3AgentMode | undefined {
  switch (role) {
    case "dvr_snat":
      return L3AgentMode.DVR_SNAT;
    case "dvr":
      return L3AgentMode.DVR;
    case "dvr_no_external":
      return L3AgentMode.DVR_NO_EXTERNAL;
    default:
      return undefined;
  }
}

