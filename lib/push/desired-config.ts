import { OpenStackRelease } from "../model/release";
import { releaseSettings } from "../model/release-settings";
import { HostRole } from "../model/topology";
import {
  filePath,
  logPath,
  NeutronFile,
  NeutronPaths,
  NeutronService,
  SERVICE_FILES,
  SERVICE_ORDER,
  unitName,
} from "./neutron-paths";
import { ServiceManager } from "./service-manager";

/** Schema id of the document the remote push script (remote/dvr_push.py) reads. */
export const PUSH_SCHEMA = "dvr-lab/push@1";

export interface IniSetting {
  readonly section: string;
  readonly key: string;
  readonly value: string;
}

export interface DesiredFile {
  /** Logical name, for messages. */
  readonly file: NeutronFile;
  readonly path: string;
  /** Services that read this file and restart when it changes. */
  readonly services: readonly NeutronService[];
  readonly settings: readonly IniSetting[];
}

export interface DesiredService {
  readonly name: NeutronService;
  /** systemd unit or kolla container name. */
  readonly unit: string;
  readonly log: string;
  /** After a restart, wait until this URL answers (neutron-server only). */
  readonly healthUrl?: string;
}

/** The push document for one node: what remote/dvr_push.py applies. No secrets. */
export interface DesiredConfig {
  readonly schema: string;
  readonly node: string;
  readonly role: HostRole;
  readonly release: string;
  readonly serviceManager: "systemd" | "kolla";
  readonly files: readonly DesiredFile[];
  /** Services on this node, in restart order. */
  readonly services: readonly DesiredService[];
  /** Seconds a restarted service must stay alive before it counts as healthy. */
  readonly settleSeconds: number;
  /** Seconds to wait for the neutron API after a server restart. */
  readonly apiTimeoutSeconds: number;
}

export interface DesiredConfigInput {
  readonly node: string;
  readonly role: HostRole;
  readonly release: OpenStackRelease;
  readonly serviceManager: ServiceManager;
  readonly paths?: NeutronPaths;
  /** Controller: ML2 mechanism drivers. */
  readonly mechanismDrivers?: readonly string[];
  readonly typeDrivers?: readonly string[];
  readonly tenantNetworkTypes?: readonly string[];
  readonly vniRange?: { readonly min: number; readonly max: number };
  /** Physnet of the external (flat) network, when the lab has one. */
  readonly externalPhysnet?: string;
  /** Agents: OVS bridge for the external physnet. */
  readonly externalBridge?: string;
  /** Agents: VXLAN local_ip. */
  readonly tunnelIp?: string;
  /** Agents: host of the nova metadata API. */
  readonly metadataHost?: string;
  /** Agents: run a DHCP agent (sets dhcp_agent.ini interface_driver). */
  readonly dhcpAgent?: boolean;
  /** OVS agent [securitygroup] firewall_driver; default from the release table. */
  readonly firewallDriver?: string;
  /** neutron.conf router_distributed. */
  readonly routerDistributed?: boolean;
  /** URL of the neutron API as seen from the controller. */
  readonly apiUrl?: string;
  readonly settleSeconds?: number;
  readonly apiTimeoutSeconds?: number;
}

const bool = (b: boolean) => (b ? "True" : "False");

/**
 * Builds the desired config of one node from its role and the release table. This is the single
 * place that decides which keys a role sets (docs/DVR.md §3.1, §3.2).
 */
export function desiredConfig(input: DesiredConfigInput): DesiredConfig {
  const rel = releaseSettings(input.release);
  const per: Partial<Record<NeutronFile, IniSetting[]>> = {};
  const set = (file: NeutronFile, section: string, key: string, value: string) => {
    (per[file] ??= []).push({ section, key, value });
  };
  let services: NeutronService[];

  set("neutron.conf", "DEFAULT", "router_distributed", bool(input.routerDistributed ?? true));
  if (input.role === "controller") {
    services = ["neutron-server"];
    set("ml2_conf.ini", "ml2", "type_drivers", (input.typeDrivers ?? defaultTypeDrivers(input)).join(","));
    set("ml2_conf.ini", "ml2", rel.tenantNetworkTypesOption, (input.tenantNetworkTypes ?? ["vxlan"]).join(","));
    set("ml2_conf.ini", "ml2", "mechanism_drivers", (input.mechanismDrivers ?? ["openvswitch", "l2population"]).join(","));
    const vni = input.vniRange ?? { min: 1, max: 1000 };
    set("ml2_conf.ini", "ml2_type_vxlan", "vni_ranges", `${vni.min}:${vni.max}`);
    if (input.externalPhysnet) set("ml2_conf.ini", "ml2_type_flat", "flat_networks", input.externalPhysnet);
  } else {
    services = ["neutron-openvswitch-agent", "neutron-l3-agent", "neutron-metadata-agent"];
    if (input.dhcpAgent) services.push("neutron-dhcp-agent");
    const ovs: NeutronFile = "openvswitch_agent.ini";
    if (input.tunnelIp) set(ovs, "ovs", "local_ip", input.tunnelIp);
    if (input.externalPhysnet) set(ovs, "ovs", "bridge_mappings", `${input.externalPhysnet}:${input.externalBridge ?? "br-ex"}`);
    set(ovs, "agent", "tunnel_types", "vxlan");
    set(ovs, "agent", "l2_population", "True");
    set(ovs, "agent", "enable_distributed_routing", "True");
    const fw = input.firewallDriver ?? rel.firewallDriver;
    if (fw) set(ovs, "securitygroup", "firewall_driver", fw);
    set("l3_agent.ini", "DEFAULT", "agent_mode", input.role);
    set("l3_agent.ini", "DEFAULT", "interface_driver", "openvswitch");
    if (rel.setEmptyExternalNetworkBridge) set("l3_agent.ini", "DEFAULT", "external_network_bridge", "");
    if (input.metadataHost) set("metadata_agent.ini", "DEFAULT", rel.metadataHostOption, input.metadataHost);
    if (input.dhcpAgent) set("dhcp_agent.ini", "DEFAULT", "interface_driver", "openvswitch");
  }

  // One DesiredFile per distinct path (kolla: one copy per service; Debian: shared files).
  const files: DesiredFile[] = [];
  for (const service of SERVICE_ORDER) {
    if (!services.includes(service)) continue;
    for (const file of SERVICE_FILES[service]) {
      const settings = per[file];
      if (!settings) continue;
      const path = filePath(input.serviceManager, service, file, input.paths);
      const existing = files.find((f) => f.path === path);
      if (existing) (existing.services as NeutronService[]).push(service);
      else files.push({ file, path, services: [service], settings });
    }
  }

  return {
    schema: PUSH_SCHEMA,
    node: input.node,
    role: input.role,
    release: input.release.name,
    serviceManager: input.serviceManager.value,
    files,
    services: SERVICE_ORDER.filter((s) => services.includes(s)).map((name) => ({
      name,
      unit: unitName(input.serviceManager, name, input.paths),
      log: logPath(input.serviceManager, name, input.paths),
      ...(name === "neutron-server" ? { healthUrl: input.apiUrl ?? "http://127.0.0.1:9696/" } : {}),
    })),
    settleSeconds: input.settleSeconds ?? 5,
    apiTimeoutSeconds: input.apiTimeoutSeconds ?? 90,
  };
}

function defaultTypeDrivers(input: DesiredConfigInput): string[] {
  return input.externalPhysnet ? ["flat", "vxlan"] : ["vxlan"];
}
