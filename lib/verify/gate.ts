import type { LabDescription } from "../model/topology";
import { l3AgentModeOf } from "../model/topology";
import { agentConfiguration, truthy } from "./parsers";
import type { NeutronApi } from "./types";

/** One control-plane check (docs/DVR.md §4.1). */
export interface GateCheck {
  readonly id: string;
  readonly subject: string;
  readonly ok: boolean;
  readonly expected: string;
  readonly actual: string;
}

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
 */
export async function runGate(description: LabDescription, api: NeutronApi): Promise<GateResult> {
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
  const add = (id: string, subject: string, ok: boolean, expected: string, actual: string) =>
    checks.push({ id, subject, ok, expected, actual });

  let agents: Record<string, unknown>[];
  try {
    agents = await api.listAgents();
  } catch (e) {
    add("api", "GET /v2.0/agents", false, "agent list", (e as Error).message);
    return { ok: false, checks, resolved, error: (e as Error).message };
  }

  for (const host of description.hosts) {
    for (const type of host.agents) {
      const found = agents.filter((a) => a.host === host.name && a.agent_type === type);
      const subject = `${type} on ${host.name}`;
      if (found.length === 0) {
        add("agent-present", subject, false, "registered", "absent");
        continue;
      }
      for (const a of found) {
        add("agent-alive", subject, a.alive === true || truthy(a.alive), "alive", String(a.alive));
        add("agent-admin-up", subject, a.admin_state_up === true || truthy(a.admin_state_up), "admin_state_up", String(a.admin_state_up));
        const conf = agentConfiguration(a);
        if (type === L3) {
          const want = l3AgentModeOf(host.role)?.value;
          if (want) add("l3-agent-mode", subject, conf.agent_mode === want, `agent_mode=${want}`, `agent_mode=${String(conf.agent_mode ?? "(not reported)")}`);
        }
        if (type === OVS) {
          add("ovs-l2-population", subject, truthy(conf.l2_population), "l2_population=True", `l2_population=${String(conf.l2_population ?? "(not reported)")}`);
          add(
            "ovs-distributed-routing",
            subject,
            truthy(conf.enable_distributed_routing),
            "enable_distributed_routing=True",
            `enable_distributed_routing=${String(conf.enable_distributed_routing ?? "(not reported)")}`,
          );
          if (typeof conf.tunneling_ip === "string") {
            resolved.tunnelIps[host.name] = conf.tunneling_ip;
            if (host.tunnelIp) add("ovs-tunneling-ip", subject, conf.tunneling_ip === host.tunnelIp, host.tunnelIp, conf.tunneling_ip);
          }
        }
      }
    }
  }

  const guard = async (subject: string, f: () => Promise<void>) => {
    try {
      await f();
    } catch (e) {
      add("api", subject, false, "answer", (e as Error).message);
    }
  };

  for (const router of description.routers) {
    await guard(`router ${router.name}`, async () => {
      const found = await api.routersByName(router.name);
      if (found.length !== 1) {
        add("router-unique", `router ${router.name}`, false, "exactly one router", `${found.length} routers`);
        if (found.length === 0) return;
      }
      const r = found[0];
      resolved.routerIds[router.name] = String(r.id);
      const d = r.distributed;
      add(
        "router-distributed",
        `router ${router.name}`,
        d !== undefined && truthy(d) === router.distributed,
        `distributed=${router.distributed}`,
        d === undefined ? "distributed not visible (admin credentials needed)" : `distributed=${String(d)}`,
      );
      const gw = r.external_gateway_info as { network_id?: string } | null | undefined;
      if (router.externalGateway) {
        add("router-gateway", `router ${router.name}`, !!gw?.network_id, "external gateway set", gw?.network_id ? `gateway on ${gw.network_id}` : "no gateway");
        if (gw?.network_id && !resolved.externalNetworkId) resolved.externalNetworkId = gw.network_id;
      }
    });
  }

  if (description.external) {
    await guard(`network ${description.external.network}`, async () => {
      const nets = await api.networksByName(description.external!.network);
      if (nets.length === 1) {
        if (resolved.externalNetworkId && resolved.externalNetworkId !== nets[0].id) {
          add("external-network", `network ${description.external!.network}`, false, String(nets[0].id), `routers use ${resolved.externalNetworkId}`);
        }
        resolved.externalNetworkId = String(nets[0].id);
      } else if (!resolved.externalNetworkId) {
        add("external-network", `network ${description.external!.network}`, false, "exactly one network", `${nets.length} networks`);
      }
    });
  }

  for (const subnet of description.subnets) {
    await guard(`subnet ${subnet.name}`, async () => {
      const found = await api.subnetsByName(subnet.name);
      if (found.length !== 1) {
        add("subnet-unique", `subnet ${subnet.name}`, false, "exactly one subnet", `${found.length} subnets`);
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
      add("vm-port-bound", `VM ${vm.name}`, false, `bound to ${vm.host}`, `subnet ${vm.subnet} not found`);
      continue;
    }
    await guard(`VM ${vm.name} port`, async () => {
      const ports = await api.portsByFixedIp(vm.fixedIp, subnetId);
      if (ports.length !== 1) {
        add("vm-port-bound", `VM ${vm.name} (${vm.fixedIp})`, false, `one port bound to ${vm.host}`, `${ports.length} ports`);
        return;
      }
      const p = ports[0];
      const host = String(p["binding:host_id"] ?? "");
      resolved.vmPorts[vm.name] = { id: String(p.id), mac: String(p.mac_address ?? ""), host };
      add("vm-port-bound", `VM ${vm.name} (${vm.fixedIp})`, host === vm.host, `binding:host_id=${vm.host}`, `binding:host_id=${host || "(unbound)"}`);
    });
  }

  return { ok: checks.every((c) => c.ok), checks, resolved };
}
