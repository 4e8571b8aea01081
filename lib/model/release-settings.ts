import { OpenStackRelease } from "./release";

/**
 * Release-specific DVR settings: ONE table keyed by the neutron major version (docs/DVR.md §3.2, §6.5).
 * Rows apply from `since` (inclusive) until the next row overrides the same field.
 */
export interface ReleaseSettings {
  /** OVS agent [securitygroup] firewall_driver to enforce, or undefined to leave the node's value. */
  readonly firewallDriver?: string;
  /** l3_agent.ini: write `external_network_bridge =` (empty). The option was removed in Stein. */
  readonly setEmptyExternalNetworkBridge: boolean;
  /** l3_agent.ini: interface_driver has no default (must be set) up to 2024.2. */
  readonly interfaceDriverRequired: boolean;
  /** metadata_agent.ini option that names the nova metadata host. */
  readonly metadataHostOption: "nova_metadata_ip" | "nova_metadata_host";
  /** ml2_conf.ini [ml2] option for tenant network types. */
  readonly tenantNetworkTypesOption: "tenant_network_types" | "project_network_types";
  /** The OVS agent forces arp_responder=True with DVR and tunnels. */
  readonly arpResponderForced: boolean;
  /** Upstream declares VMs on a dvr_snat node unsupported (bug 1934666). */
  readonly vmsOnSnatNodeUnsupported: boolean;
}

interface Row {
  readonly since: OpenStackRelease;
  readonly set: Partial<ReleaseSettings>;
  readonly why: string;
}

/** The table. Read it top to bottom: later rows override earlier ones from their release on. */
export const RELEASE_TABLE: readonly Row[] = [
  {
    since: OpenStackRelease.OCATA,
    set: {
      firewallDriver: "iptables_hybrid",
      setEmptyExternalNetworkBridge: true,
      interfaceDriverRequired: true,
      metadataHostOption: "nova_metadata_ip",
      tenantNetworkTypesOption: "tenant_network_types",
      arpResponderForced: false,
      vmsOnSnatNodeUnsupported: false,
    },
    why: "Ocata: OVS firewall and DVR clash (bug 1696983); external_network_bridge deprecated but present",
  },
  {
    since: OpenStackRelease.PIKE,
    set: { firewallDriver: undefined, metadataHostOption: "nova_metadata_host" },
    why: "Pike: DVR works with the OVS firewall; nova_metadata_ip renamed nova_metadata_host",
  },
  {
    since: OpenStackRelease.STEIN,
    set: { setEmptyExternalNetworkBridge: false },
    why: "Stein: external_network_bridge removed",
  },
  { since: OpenStackRelease.TRAIN, set: { arpResponderForced: true }, why: "Train: arp_responder forced with DVR" },
  {
    since: OpenStackRelease.XENA,
    set: { vmsOnSnatNodeUnsupported: true },
    why: "after Wallaby: VMs on dvr_snat nodes unsupported upstream (bug 1934666)",
  },
  {
    since: OpenStackRelease.EPOXY,
    set: { interfaceDriverRequired: false },
    why: "2025.1: interface_driver defaults to openvswitch",
  },
  {
    since: OpenStackRelease.GAZPACHO,
    set: { tenantNetworkTypesOption: "project_network_types" },
    why: "2026.1: tenant_network_types renamed project_network_types (old name is an alias)",
  },
];

/** The settings in force for `release`. */
export function releaseSettings(release: OpenStackRelease): ReleaseSettings {
  const merged: Record<string, unknown> = {};
  for (const row of RELEASE_TABLE) {
    if (release.atLeast(row.since)) Object.assign(merged, row.set);
  }
  return merged as unknown as ReleaseSettings;
}
