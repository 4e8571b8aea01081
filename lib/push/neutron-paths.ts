import { ServiceManager } from "./service-manager";

/** Logical neutron config files the push edits. */
export type NeutronFile = "neutron.conf" | "ml2_conf.ini" | "openvswitch_agent.ini" | "l3_agent.ini" | "metadata_agent.ini" | "dhcp_agent.ini";

/** Logical neutron services, in the restart order neutron needs (docs/DVR.md §3.3). */
export const SERVICE_ORDER = [
  "neutron-server",
  "neutron-openvswitch-agent",
  "neutron-l3-agent",
  "neutron-metadata-agent",
  "neutron-dhcp-agent",
] as const;
export type NeutronService = (typeof SERVICE_ORDER)[number];

/**
 * Where a node keeps its neutron files and how its services are named. Every field can be
 * overridden per node (`paths` prop of the node constructs).
 */
export interface NeutronPaths {
  /** Path of each config file, per service that reads it (kolla keeps one copy per container). */
  readonly files?: Partial<Record<NeutronService, Partial<Record<NeutronFile, string>>>>;
  /** Unit (systemd) or container (kolla) name per service. */
  readonly units?: Partial<Record<NeutronService, string>>;
  /** Log file per service, scanned for CRITICAL after a restart. */
  readonly logs?: Partial<Record<NeutronService, string>>;
}

/** Which files each service reads (the push restarts a service when one of them changed). */
export const SERVICE_FILES: Record<NeutronService, NeutronFile[]> = {
  "neutron-server": ["neutron.conf", "ml2_conf.ini"],
  "neutron-openvswitch-agent": ["neutron.conf", "openvswitch_agent.ini"],
  "neutron-l3-agent": ["neutron.conf", "l3_agent.ini"],
  "neutron-metadata-agent": ["neutron.conf", "metadata_agent.ini"],
  "neutron-dhcp-agent": ["neutron.conf", "dhcp_agent.ini"],
};

const DEBIAN_FILES: Record<NeutronFile, string> = {
  "neutron.conf": "/etc/neutron/neutron.conf",
  "ml2_conf.ini": "/etc/neutron/plugins/ml2/ml2_conf.ini",
  "openvswitch_agent.ini": "/etc/neutron/plugins/ml2/openvswitch_agent.ini",
  "l3_agent.ini": "/etc/neutron/l3_agent.ini",
  "metadata_agent.ini": "/etc/neutron/metadata_agent.ini",
  "dhcp_agent.ini": "/etc/neutron/dhcp_agent.ini",
};

/** kolla-ansible: /etc/kolla/<service>/<file> on the host, container neutron_<service>. */
function kollaFile(service: NeutronService, file: NeutronFile): string {
  // kolla keeps the OVS agent options in openvswitch_agent.ini from Pike; Ocata kolla used ml2_conf.ini
  // (override `paths.files` for such a deployment).
  return `/etc/kolla/${service}/${file}`;
}

/** Resolved file path for a service on a node. */
export function filePath(manager: ServiceManager, service: NeutronService, file: NeutronFile, paths?: NeutronPaths): string {
  const override = paths?.files?.[service]?.[file];
  if (override) return override;
  return manager === ServiceManager.KOLLA ? kollaFile(service, file) : DEBIAN_FILES[file];
}

export function unitName(manager: ServiceManager, service: NeutronService, paths?: NeutronPaths): string {
  const override = paths?.units?.[service];
  if (override) return override;
  return manager === ServiceManager.KOLLA ? service.replace(/-/g, "_") : service;
}

export function logPath(manager: ServiceManager, service: NeutronService, paths?: NeutronPaths): string {
  const override = paths?.logs?.[service];
  if (override) return override;
  return manager === ServiceManager.KOLLA ? `/var/log/kolla/neutron/${service}.log` : `/var/log/neutron/${service}.log`;
}
