import type { LabDescription, RoutingHop } from "../model/topology";
import { l3AgentModeOf } from "../model/topology";
import { agentConfiguration, classifyNamespace, truthy } from "./parsers";
import { gateCheck, type CheckFields, type CheckTarget, type GateCheck } from "./checks";
import type { NeutronApi } from "./types";

export type { GateCheck } from "./checks";

/** Ids the data-plane phase needs, resolved from the API by the description's names. */
export interface Resolved {
  readonly routerIds: Record<string, string>;
  readonly externalNetworkId?: string;
  readonly subnetIds: Record<string, string>;
  /** subnet name -> network id */
  readonly networkIds: Record<string, string>;
  /** subnet name -> VNI (provider:segmentation_id, admin) */
  readonly segmentationIds: Record<string, number>;
  readonly vmPorts: Record<string, { id: string; mac: string; host: string }>;
  /** host -> tunneling_ip reported by its OVS agent */
  readonly tunnelIps: Record<string, string>;
}

/** The namespace name of a routing hop: qrouter-<router id>, snat-<router id>, fip-<external network id>. */
export function namespaceOf(hop: RoutingHop, r: Resolved): string | undefined {
  if (hop.namespace === "fip") return r.externalNetworkId ? `fip-${r.externalNetworkId}` : undefined;
  const id = r.routerIds[hop.router];
  return id ? `${hop.namespace}-${id}` : undefined;
}

/** A router namespace's kind and owner: the router's name (qrouter-, snat-), the external network's (fip-); an unknown id stays the id. */
export function namespaceOwner(ns: string, resolved: Resolved, d: Pick<LabDescription, "external">): { kind: "qrouter" | "snat" | "fip"; owner: string } | undefined {
  const cls = classifyNamespace(ns);
  if (!cls) return undefined;
  const ownerOf = new Map<string, string>(Object.entries(resolved.routerIds).map(([name, id]) => [id, name]));
  const owner = cls.kind === "fip" ? (cls.id === resolved.externalNetworkId ? (d.external?.network ?? cls.id) : cls.id) : (ownerOf.get(cls.id) ?? cls.id);
  return { kind: cls.kind, owner };
}

export interface GateResult {
  readonly ok: boolean;
  readonly checks: GateCheck[];
  readonly resolved: Resolved;
  /** Set when the API could not be asked at all. */
  readonly error?: string;
}

const L3 = "L3 agent";
const OVS = "Open vSwitch agent";

/**
 * The control-plane gate: every expected agent alive and admin-up on its host; L3 agent_mode equal
 * to the host role; OVS agents with l2_population and enable_distributed_routing; routers'
 * `distributed` flag as described (admin view); VM ports bound to the hosts they were pinned to.
 * Also resolves the ids the data-plane phase needs. Never throws: API errors become failed checks.
 * `listed`: the agent list to judge (verify() passes the one after awaitAgentReports); default: one GET.
 */
export async function runGate(description: LabDescription, api: NeutronApi, listed?: Record<string, unknown>[]): Promise<GateResult> {
  const checks: GateCheck[] = [];
  const resolved: {
    routerIds: Record<string, string>;
    externalNetworkId?: string;
    subnetIds: Record<string, string>;
    networkIds: Record<string, string>;
    segmentationIds: Record<string, number>;
    vmPorts: Record<string, { id: string; mac: string; host: string }>;
    tunnelIps: Record<string, string>;
  } = { routerIds: {}, subnetIds: {}, networkIds: {}, segmentationIds: {}, vmPorts: {}, tunnelIps: {} };
  const add = (f: CheckFields) => checks.push(gateCheck(f));

  let agents: Record<string, unknown>[];
  try {
    agents = listed ?? (await api.listAgents());
  } catch (e) {
    add({ id: "api", target: { kind: "request", request: "GET /v2.0/agents" }, ok: false, expected: "agent list", actual: (e as Error).message });
    return { ok: false, checks, resolved, error: (e as Error).message };
  }

  const fromAgents = agentChecks(description, agents);
  checks.push(...fromAgents.checks);
  Object.assign(resolved.tunnelIps, fromAgents.tunnelIps);

  const guard = async (target: CheckTarget, f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      add({ id: "api", target, ok: false, expected: "answer", actual: (e as Error).message });
    }
  };

  for (const router of description.routers) {
    const target: CheckTarget = { kind: "router", router: router.name };
    await guard(target, async () => {
      const found = await api.routersByName(router.name);
      if (found.length !== 1) {
        add({ id: "router-unique", target, ok: false, expected: "exactly one router", actual: `${found.length} routers` });
        if (found.length === 0) return;
      }
      const r = found[0];
      resolved.routerIds[router.name] = String(r.id);
      const d = r.distributed;
      add({
        id: "router-distributed",
        target,
        ok: d !== undefined && truthy(d) === router.distributed,
        setting: { key: "distributed", expected: String(router.distributed), ...(d === undefined ? {} : { actual: String(d) }) },
        ...(d === undefined ? { actual: "distributed not visible (admin credentials needed)" } : {}),
      });
      const gw = r.external_gateway_info as { network_id?: string } | null | undefined;
      if (router.externalGateway) {
        add({ id: "router-gateway", target, ok: !!gw?.network_id, expected: "external gateway set", actual: gw?.network_id ? `gateway on ${gw.network_id}` : "no gateway" });
        if (gw?.network_id && !resolved.externalNetworkId) resolved.externalNetworkId = gw.network_id;
      }
    });
  }

  if (description.external) {
    const target: CheckTarget = { kind: "network", network: description.external.network };
    await guard(target, async () => {
      const nets = await api.networksByName(description.external!.network);
      if (nets.length === 1) {
        if (resolved.externalNetworkId && resolved.externalNetworkId !== nets[0].id) {
          add({ id: "external-network", target, ok: false, expected: String(nets[0].id), actual: `routers use ${resolved.externalNetworkId}` });
        }
        resolved.externalNetworkId = String(nets[0].id);
      } else if (!resolved.externalNetworkId) {
        add({ id: "external-network", target, ok: false, expected: "exactly one network", actual: `${nets.length} networks` });
      }
    });
  }

  for (const subnet of description.subnets) {
    const target: CheckTarget = { kind: "subnet", subnet: subnet.name };
    await guard(target, async () => {
      const found = await api.subnetsByName(subnet.name);
      if (found.length !== 1) {
        add({ id: "subnet-unique", target, ok: false, expected: "exactly one subnet", actual: `${found.length} subnets` });
        if (found.length === 0) return;
      }
      resolved.subnetIds[subnet.name] = String(found[0].id);
      resolved.networkIds[subnet.name] = String(found[0].network_id);
      const nets = await api.networksByName(subnet.name);
      const net = nets.find((n) => n.id === found[0].network_id);
      const seg = net?.["provider:segmentation_id"];
      if (typeof seg === "number") resolved.segmentationIds[subnet.name] = seg;
    });
  }

  for (const vm of description.vms) {
    const subnetId = resolved.subnetIds[vm.subnet];
    if (!subnetId) {
      add({ id: "vm-port-bound", target: { kind: "vm", vm: vm.name }, ok: false, expected: `bound to ${vm.host}`, actual: `subnet ${vm.subnet} not found` });
      continue;
    }
    const target: CheckTarget = { kind: "vm", vm: vm.name, fixedIp: vm.fixedIp };
    await guard({ kind: "vm-port", vm: vm.name }, async () => {
      const ports = await api.portsByFixedIp(vm.fixedIp, subnetId);
      if (ports.length !== 1) {
        add({ id: "vm-port-bound", target, ok: false, expected: `one port bound to ${vm.host}`, actual: `${ports.length} ports` });
        return;
      }
      const p = ports[0];
      const host = String(p["binding:host_id"] ?? "");
      resolved.vmPorts[vm.name] = { id: String(p.id), mac: String(p.mac_address ?? ""), host };
      add({ id: "vm-port-bound", target, ok: host === vm.host, setting: { key: "binding:host_id", expected: vm.host, actual: host || "(unbound)" } });
    });
  }

  return { ok: checks.every((c) => c.ok), checks, resolved };
}

/**
 * The gate's agent checks, from Neutron's agent list (pure): each agent the description lists for a
 * host registered, alive and admin-up; L3 agent_mode equal to the host's role; OVS agents with
 * l2_population, enable_distributed_routing and the host's tunnel IP. Also the tunnel IPs the OVS
 * agents report. The lab twin judges its own agents with these checks too (lib/twin/readiness.ts).
 */
export function agentChecks(description: Pick<LabDescription, "hosts">, agents: readonly Record<string, unknown>[]): { checks: GateCheck[]; tunnelIps: Record<string, string> } {
  const checks: GateCheck[] = [];
  const tunnelIps: Record<string, string> = {};
  const add = (f: CheckFields) => checks.push(gateCheck(f));
  for (const host of description.hosts) {
    for (const type of host.agents) {
      const found = agents.filter((a) => a.host === host.name && a.agent_type === type);
      const target: CheckTarget = { kind: "agent", agent: type, host: host.name };
      if (found.length === 0) {
        add({ id: "agent-present", target, ok: false, expected: "registered", actual: "absent" });
        continue;
      }
      for (const a of found) {
        add({ id: "agent-alive", target, ok: a.alive === true || truthy(a.alive), expected: "alive", actual: String(a.alive) });
        add({ id: "agent-admin-up", target, ok: a.admin_state_up === true || truthy(a.admin_state_up), expected: "admin_state_up", actual: String(a.admin_state_up) });
        const conf = agentConfiguration(a);
        const reported = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
        if (type === L3) {
          const want = l3AgentModeOf(host.role)?.value;
          if (want) add({ id: "l3-agent-mode", target, ok: conf.agent_mode === want, setting: { key: "agent_mode", expected: want, actual: reported(conf.agent_mode) } });
        }
        if (type === OVS) {
          add({ id: "ovs-l2-population", target, ok: truthy(conf.l2_population), setting: { key: "l2_population", expected: "True", actual: reported(conf.l2_population) } });
          add({
            id: "ovs-distributed-routing",
            target,
            ok: truthy(conf.enable_distributed_routing),
            setting: { key: "enable_distributed_routing", expected: "True", actual: reported(conf.enable_distributed_routing) },
          });
          if (typeof conf.tunneling_ip === "string") {
            tunnelIps[host.name] = conf.tunneling_ip;
            if (host.tunnelIp) add({ id: "ovs-tunneling-ip", target, ok: conf.tunneling_ip === host.tunnelIp, expected: host.tunnelIp, actual: conf.tunneling_ip });
          }
        }
      }
    }
  }
  return { checks, tunnelIps };
}
