import { Construct } from "constructs";
import { ComputeInstanceV2 } from "../gen/providers/openstack/compute-instance-v2";
import { NetworkingFloatingipV2 } from "../gen/providers/openstack/networking-floatingip-v2";
import { NetworkingPortV2 } from "../gen/providers/openstack/networking-port-v2";
import { NetworkingSubnetV2 } from "../gen/providers/openstack/networking-subnet-v2";
import { ITerraformDependable } from "cdktf";
import { sharedAttribute, sharedDependsOn } from "../common/shared-tokens";
import { VmModel } from "../model/topology";
import { pinnedVmFindings } from "../validation/block-checks";
import { addFindingsValidation } from "../validation/format";
import { isLabScope } from "../validation/node-checks";

/** Props of a probe VM pinned to a host, with a port at a fixed IP. */
export interface PinnedVmProps {
  /** The VM: name, host (`availability_zone = "nova:<host>"`), subnet, fixed IP, floating IP or not. */
  readonly vm: VmModel;
  /** Neutron network id of the VM's subnet (its port's network). */
  readonly networkId: string;
  /** The VM's subnet (the port's fixed IP is on it; its CIDR and gateway are validated against the VM's fixed IP). */
  readonly subnet: NetworkingSubnetV2;
  /** Security group of the VM's port (the lab's probe group). */
  readonly securityGroupId: string;
  /** Glance image id of the VM. */
  readonly imageId: string;
  /** Nova flavor id of the VM. */
  readonly flavorId: string;
  /** Nova key pair the VM gets. */
  readonly keyPairName: string;
  /**
   * External network name for the floating IP pool (used when `vm.floatingIp`).
   * @default - no floating IP, even when `vm.floatingIp` is set (validation reports that)
   */
  readonly floatingIpPool?: string;
  /**
   * What must exist before the port and the instance (the config pushes, the router interfaces).
   * @default - nothing beyond the references the VM makes itself
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A VM pinned to a host with `availability_zone = "nova:<host>"` (admin) on a port with a fixed IP,
 * and an optional floating IP on that port.
 */
export class PinnedVm extends Construct {
  public readonly port: NetworkingPortV2;
  public readonly instance: ComputeInstanceV2;
  public readonly floatingIp?: NetworkingFloatingipV2;

  constructor(scope: Construct, id: string, props: PinnedVmProps) {
    super(scope, id);
    const { vm } = props;
    // Used on its own, the block validates its props; inside a DvrLab the lab does (with the user's prop paths).
    if (!isLabScope(scope)) {
      addFindingsValidation(this, () =>
        pinnedVmFindings({ vm, subnetCidr: props.subnet.cidrInput, subnetGatewayIp: props.subnet.gatewayIpInput, floatingIpPool: props.floatingIpPool }),
      );
    }
    this.port = new NetworkingPortV2(this, "Port", {
      name: vm.name,
      networkId: props.networkId,
      adminStateUp: true,
      securityGroupIds: [props.securityGroupId],
      fixedIp: [{ subnetId: sharedAttribute(props.subnet, "id", (s) => s.id), ipAddress: vm.fixedIp }],
    });
    this.port.dependsOn = sharedDependsOn(props.dependsOn);
    this.instance = new ComputeInstanceV2(this, "Instance", {
      name: vm.name,
      imageId: props.imageId,
      flavorId: props.flavorId,
      keyPair: props.keyPairName,
      availabilityZone: `nova:${vm.host}`,
      network: [{ port: this.port.id }],
    });
    this.instance.dependsOn = sharedDependsOn(props.dependsOn);
    if (vm.floatingIp && props.floatingIpPool) {
      this.floatingIp = new NetworkingFloatingipV2(this, "FloatingIp", {
        pool: props.floatingIpPool,
        portId: this.port.id,
        dependsOn: [this.instance],
      });
    }
  }
}
