import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { DvrLab, L3AgentMode, OpenStackRelease } from "../index";
import { exampleLab } from "./example-lab";

/**
 * The layout neutron's own DVR gate uses since 2023: a dedicated dvr_snat network node without VMs
 * (net1) and two dvr compute nodes (com1, com2).
 */
export class UpstreamLayoutStack extends TerraformStack {
  public readonly lab: DvrLab;

  constructor(scope: Construct, id: string, release: OpenStackRelease = OpenStackRelease.OCATA) {
    super(scope, id);
    this.lab = exampleLab(this, {
      labName: "upstream",
      release,
      nodes: (site) => [
        { hostName: "net1", mode: L3AgentMode.DVR_SNAT, tunnelIp: "192.0.2.10", runsVms: false, ssh: site.ssh("net1") },
        { hostName: "com1", mode: L3AgentMode.DVR, tunnelIp: "192.0.2.11", ssh: site.ssh("com1") },
        { hostName: "com2", mode: L3AgentMode.DVR, tunnelIp: "192.0.2.12", ssh: site.ssh("com2") },
      ],
    });
  }
}
