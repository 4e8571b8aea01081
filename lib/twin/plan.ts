import { cidrContains, cidrsOverlap, fromInt, Ipv4Cidr, parseCidr, toInt } from "../model/ipv4";
import { HostModel, HostRole, LabDescription } from "../model/topology";
import { NeutronService } from "../push/neutron-paths";

/**
 * The twin's plan for one lab: which namespaces, links and addresses it builds. Placement (hosts,
 * roles, tunnel IPs, subnets, routers, VMs, external network) is read from the LabDescription; the
 * twin only adds what a real site would have around the lab: a management network, an underlay
 * and an external provider network with one external host.
 */

/** TEST-NET blocks (RFC 5737): the only addresses the twin ever configures or sends to. */
export const TEST_NETS = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"].map((c) => parseCidr(c)!);

export function isTestNet(ip: string): boolean {
  return TEST_NETS.some((n) => cidrContains(n, ip));
}

export function isTestNetCidr(cidr: string): boolean {
  const c = parseCidr(cidr);
  return !!c && TEST_NETS.some((n) => n.network <= c.network && c.network + c.size <= n.network + n.size);
}

/** Agent type strings of the Neutron API -> the service that provides them. */
export const AGENT_SERVICES: Record<string, NeutronService> = {
  "Open vSwitch agent": "neutron-openvswitch-agent",
  "L3 agent": "neutron-l3-agent",
  "Metadata agent": "neutron-metadata-agent",
  "DHCP agent": "neutron-dhcp-agent",
};

export interface TwinHostPlan {
  readonly name: string;
  readonly role: HostRole;
  /** 1-based, used in link names of the outer namespace (m<i>, u<i>, x<i>). */
  readonly index: number;
  readonly mgmtIp: string;
  readonly tunnelIp?: string;
  readonly runsVms: boolean;
  /** Expected agent types (from the description). */
  readonly agents: readonly string[];
  /** Neutron services this host runs, in start order. */
  readonly services: readonly NeutronService[];
  /** Whether the host has OVS, the underlay and the provider network (every agent host). */
  readonly ovs: boolean;
}

export interface TwinPlan {
  readonly lab: string;
  readonly description: LabDescription;
  readonly mgmt: { readonly cidr: string; readonly prefix: number; readonly outerIp: string };
  readonly underlay?: { readonly cidr: string; readonly prefix: number };
  readonly external?: { readonly cidr: string; readonly prefix: number; readonly hostIp: string; readonly physnet: string };
  readonly controller: TwinHostPlan;
  readonly hosts: readonly TwinHostPlan[];
  /** The neutron API as seen from inside the controller (and from the outer namespace via mgmtIp). */
  readonly apiPort: number;
}

const QUARTERS = [192, 128, 64, 0].map((o) => parseCidr(`192.0.2.${o}/26`)!);

function cidrText(c: Ipv4Cidr): string {
  return `${fromInt(c.network)}/${c.prefix}`;
}

/** Builds the plan; throws with a clear message when the description cannot be twinned safely. */
export function planTwin(d: LabDescription): TwinPlan {
  const problems: string[] = [];
  const controllers = d.hosts.filter((h) => h.role === "controller");
  if (controllers.length !== 1) problems.push(`the lab needs exactly one controller host (found ${controllers.length})`);
  const agentHosts = d.hosts.filter((h) => h.role !== "controller");

  // Underlay: the /26 of 192.0.2.0/24 holding the tunnel IPs (all tunnel IPs must share it).
  let underlay: Ipv4Cidr | undefined;
  for (const h of agentHosts) {
    if (!h.tunnelIp) {
      problems.push(`host ${h.name} has no tunnelIp`);
      continue;
    }
    if (!isTestNet(h.tunnelIp) || !cidrContains(parseCidr("192.0.2.0/24")!, h.tunnelIp)) {
      problems.push(`tunnel IP ${h.tunnelIp} of host ${h.name} is not in 192.0.2.0/24 (the twin only uses TEST-NET addresses)`);
      continue;
    }
    const q = QUARTERS.find((c) => cidrContains(c, h.tunnelIp!))!;
    if (underlay && underlay !== q) problems.push(`tunnel IPs must share one /26 of 192.0.2.0/24 (${h.name}: ${h.tunnelIp})`);
    underlay ??= q;
  }

  const labCidrs: Ipv4Cidr[] = [];
  for (const s of d.subnets) {
    if (!isTestNetCidr(s.cidr)) problems.push(`subnet ${s.name} ${s.cidr} is not inside a TEST-NET block`);
    else labCidrs.push(parseCidr(s.cidr)!);
  }
  let external: TwinPlan["external"];
  if (d.external) {
    const e = d.external;
    if (!isTestNetCidr(e.cidr)) problems.push(`external network ${e.network} ${e.cidr} is not inside a TEST-NET block`);
    else {
      const c = parseCidr(e.cidr)!;
      labCidrs.push(c);
      if (!cidrContains(c, e.gatewayIp)) problems.push(`external gateway ${e.gatewayIp} is outside ${e.cidr}`);
      external = { cidr: e.cidr, prefix: c.prefix, hostIp: e.gatewayIp, physnet: e.physnet };
    }
  }
  if (underlay) labCidrs.push(underlay);
  const mgmt = QUARTERS.find((q) => !labCidrs.some((c) => cidrsOverlap(c, q)));
  if (!mgmt) problems.push("no free /26 in 192.0.2.0/24 for the management network");
  for (const vm of d.vms) {
    if (!isTestNet(vm.fixedIp)) problems.push(`VM ${vm.name} fixed IP ${vm.fixedIp || "(none)"} is not a TEST-NET address`);
    if (!d.hosts.some((h) => h.name === vm.host)) problems.push(`VM ${vm.name} is placed on unknown host ${vm.host}`);
  }
  for (const h of d.hosts) {
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(h.name)) problems.push(`host name "${h.name}" is not a simple lower-case host name`);
    for (const a of h.agents) if (!AGENT_SERVICES[a]) problems.push(`host ${h.name}: unknown agent type "${a}"`);
  }
  if (problems.length) throw new Error(`dvr-lab twin: cannot twin lab "${d.name}":\n  - ${problems.join("\n  - ")}`);

  const base = mgmt!.network;
  const hostPlan = (h: HostModel, i: number): TwinHostPlan => ({
    name: h.name,
    role: h.role,
    index: i + 1,
    mgmtIp: fromInt(base + 1 + i),
    ...(h.tunnelIp ? { tunnelIp: h.tunnelIp } : {}),
    runsVms: h.runsVms,
    agents: h.agents,
    services:
      h.role === "controller"
        ? ["neutron-server"]
        : (["neutron-openvswitch-agent", "neutron-l3-agent", "neutron-metadata-agent", "neutron-dhcp-agent"] as const).filter(
            (s) => h.agents.some((a) => AGENT_SERVICES[a] === s),
          ),
    ovs: h.role !== "controller",
  });
  const hosts = d.hosts.map(hostPlan);
  return {
    lab: d.name,
    description: d,
    mgmt: { cidr: cidrText(mgmt!), prefix: mgmt!.prefix, outerIp: fromInt(base + mgmt!.size - 2) },
    ...(underlay ? { underlay: { cidr: cidrText(underlay), prefix: underlay.prefix } } : {}),
    ...(external ? { external } : {}),
    controller: hosts.find((h) => h.role === "controller")!,
    hosts,
    apiPort: 9696,
  };
}

export { toInt };
