import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { sharedDependsOn } from "../common/shared-tokens";
import { DataOpenstackNetworkingNetworkV2 } from "../gen/providers/openstack/data-openstack-networking-network-v2";
import { NetworkingNetworkV2 } from "../gen/providers/openstack/networking-network-v2";
import { NetworkingRouterInterfaceV2 } from "../gen/providers/openstack/networking-router-interface-v2";
import { NetworkingRouterV2 } from "../gen/providers/openstack/networking-router-v2";
import { NetworkingSecgroupRuleV2 } from "../gen/providers/openstack/networking-secgroup-rule-v2";
import { NetworkingSecgroupV2 } from "../gen/providers/openstack/networking-secgroup-v2";
import { NetworkingSubnetV2 } from "../gen/providers/openstack/networking-subnet-v2";
import { ExternalModel, RouterModel, SubnetModel } from "../model/topology";
import { tenantFindings } from "../validation/block-checks";
import { addFindingsValidation } from "../validation/format";
import { isLabScope } from "../validation/node-checks";

/** Props of the tenant side: VXLAN networks and subnets, the routers and their interfaces, the probe security group. */
export interface TenantVxlanNetworkProps {
  /** Subnets (one VXLAN network each) with the router that owns each gateway. */
  readonly subnets: readonly SubnetModel[];
  /** Routers: distributed (DVR) or legacy (distributed=false, admin-only flag). */
  readonly routers: readonly RouterModel[];
  /** External network looked up by name; each router gets it as gateway. @default no external gateway */
  readonly external?: ExternalModel;
  /** Name of the probe security group. @default "<first router>-probes" */
  readonly securityGroupName?: string;
  /**
   * Extra source CIDR allowed to SSH into the probe VMs (rule DVR-W003 warns on 0.0.0.0/0).
   * @default none: ICMP and SSH only from the lab's own subnets
   */
  readonly sshSourceCidr?: string;
  /** Resources the tenant side waits for (the config pushes). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The tenant side of a lab: one VXLAN network + subnet per SubnetModel, the routers (distributed
 * flag explicit), router interfaces, the optional external gateway, and a security group for the
 * verification probes (ICMP and SSH from the lab subnets).
 */
export class TenantVxlanNetwork extends Construct {
  public readonly networks: Record<string, NetworkingNetworkV2> = {};
  public readonly subnetResources: Record<string, NetworkingSubnetV2> = {};
  public readonly routerResources: Record<string, NetworkingRouterV2> = {};
  public readonly interfaces: NetworkingRouterInterfaceV2[] = [];
  public readonly securityGroup: NetworkingSecgroupV2;
  public readonly externalNetwork?: DataOpenstackNetworkingNetworkV2;

  constructor(scope: Construct, id: string, props: TenantVxlanNetworkProps) {
    super(scope, id);
    // Used on its own, the block validates its props; inside a DvrLab the lab does (with the user's prop paths).
    if (!isLabScope(scope)) addFindingsValidation(this, () => tenantFindings(props));
    // One token per dependency, shared by the routers, networks and the security group.
    const waitFor = (r: { dependsOn?: string[] }) => {
      r.dependsOn = sharedDependsOn(props.dependsOn);
    };
    if (props.external) {
      this.externalNetwork = new DataOpenstackNetworkingNetworkV2(this, "External", {
        name: props.external.network,
        external: true,
      });
    }
    // Duplicate names and subnets of unknown routers are reported by validation (lib/validation); only the first is built.
    for (const router of props.routers) {
      if (this.routerResources[router.name]) continue;
      this.routerResources[router.name] = new NetworkingRouterV2(this, `Router-${router.name}`, {
        name: router.name,
        distributed: router.distributed,
        adminStateUp: true,
        ...(router.externalGateway && this.externalNetwork ? { externalNetworkId: this.externalNetwork.id } : {}),
      });
      waitFor(this.routerResources[router.name]);
    }
    for (const subnet of props.subnets) {
      if (this.networks[subnet.name] || !this.routerResources[subnet.router]) continue;
      const net = new NetworkingNetworkV2(this, `Net-${subnet.name}`, {
        name: subnet.name,
        adminStateUp: true,
        ...(subnet.mtu !== undefined ? { mtu: subnet.mtu } : {}),
        ...(subnet.vni !== undefined ? { segments: [{ networkType: "vxlan", segmentationId: subnet.vni }] } : {}),
      });
      waitFor(net);
      this.networks[subnet.name] = net;
      const sub = new NetworkingSubnetV2(this, `Subnet-${subnet.name}`, {
        name: subnet.name,
        networkId: net.id,
        cidr: subnet.cidr,
        ipVersion: 4,
        gatewayIp: subnet.gatewayIp,
        enableDhcp: true,
        allocationPool: [{ start: subnet.allocationPool.start, end: subnet.allocationPool.end }],
      });
      this.subnetResources[subnet.name] = sub;
      this.interfaces.push(
        new NetworkingRouterInterfaceV2(this, `Interface-${subnet.name}`, {
          routerId: this.routerResources[subnet.router].id,
          subnetId: sub.id,
        }),
      );
    }
    this.securityGroup = new NetworkingSecgroupV2(this, "ProbeSecurityGroup", {
      name: props.securityGroupName ?? `${props.routers[0]?.name ?? "dvr-lab"}-probes`,
      description: "dvr-lab verification probes: ICMP and SSH from the lab subnets",
    });
    waitFor(this.securityGroup);
    const sources = props.subnets.map((s) => s.cidr);
    if (props.sshSourceCidr) sources.push(props.sshSourceCidr);
    sources.forEach((cidr, i) => {
      new NetworkingSecgroupRuleV2(this, `Icmp${i}`, {
        securityGroupId: this.securityGroup.id,
        direction: "ingress",
        ethertype: "IPv4",
        protocol: "icmp",
        remoteIpPrefix: cidr,
      });
      new NetworkingSecgroupRuleV2(this, `Ssh${i}`, {
        securityGroupId: this.securityGroup.id,
        direction: "ingress",
        ethertype: "IPv4",
        protocol: "tcp",
        portRangeMin: 22,
        portRangeMax: 22,
        remoteIpPrefix: cidr,
      });
    });
  }
}
