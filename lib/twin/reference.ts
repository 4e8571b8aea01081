import { OpenStackRelease } from "../model/release";
import { LabDescription, LabTopology } from "../model/topology";

/**
 * The reference lab as a LabDescription, built with the ONE topology model (for the twin's test and
 * for `dvr-lab twin up --builtin reference` until a synthesized stack is at hand): ctrl1 controller,
 * com1 dvr_snat, com2 dvr (both with OVS, L3, metadata and DHCP agents); routers "dvr" (distributed) and "legacy"; four /26 subnets of
 * 198.51.100.0/24; external 203.0.113.0/24 on physnet "public".
 */
export function referenceDescription(name = "reference"): LabDescription {
  return new LabTopology({
    name,
    release: OpenStackRelease.ZED,
    hosts: [
      { name: "ctrl1", role: "controller" },
      { name: "com1", role: "dvr_snat", tunnelIp: "192.0.2.11" },
      // As examples/reference-lab (the seed's agent table): a DHCP agent on com2 too.
      { name: "com2", role: "dvr", tunnelIp: "192.0.2.12", dhcpAgent: true },
    ],
    routers: [
      {
        name: "dvr",
        distributed: true,
        subnets: [
          { name: "dvr-a", cidr: "198.51.100.0/26" },
          { name: "dvr-b", cidr: "198.51.100.64/26" },
        ],
      },
      {
        name: "legacy",
        distributed: false,
        subnets: [
          { name: "legacy-a", cidr: "198.51.100.128/26" },
          { name: "legacy-b", cidr: "198.51.100.192/26" },
        ],
      },
    ],
    external: { network: "public", cidr: "203.0.113.0/24", physnet: "public" },
  }).toDescription();
}
