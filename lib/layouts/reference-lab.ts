import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { DvrLab, L3AgentMode, OpenStackRelease } from "../index";
import { exampleLab } from "./example-lab";

/**
 * The seed lab: ctrl1 (controller, neutron-server), com1 (compute + network, dvr_snat), com2
 * (compute, dvr); ML2 openvswitch,l2population; VXLAN tenant networks; Ocata by default.
 */
export class ReferenceLabStack extends TerraformStack {
  public readonly lab: DvrLab;

  constructor(scope: Construct, id: string, release: OpenStackRelease = OpenStackRelease.OCATA) {
    super(scope, id);
    this.lab = exampleLab(this, {
      labName: "reference",
      release,
      nodes: (site) => [
        { hostName: "com1", mode: L3AgentMode.DVR_SNAT, tunnelIp: "192.0.2.11", ssh: site.ssh("com1") },
        // The seed's agent table has a DHCP agent on both computes (com1 gets one by default as the first dvr_snat node).
        { hostName: "com2", mode: L3AgentMode.DVR, tunnelIp: "192.0.2.12", dhcpAgent: true, ssh: site.ssh("com2") },
      ],
    });
  }
}
