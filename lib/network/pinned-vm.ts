import { Construct } from "constructs";
import { ComputeInstanceV2 } from "../gen/providers/openstack/compute-instance-v2";
import { NetworkingFloatingipV2 } from "../gen/providers/openstack/networking-floatingip-v2";
import { NetworkingPortV2 } from "../gen/providers/openstack/networking-port-v2";
import { NetworkingSubnetV2 } from "../gen/providers/openstack/networking-subnet-v2";
import { dependable, ITerraformDependable } from "cdktf";
import { VmModel } from "../model/topology";
import { pinnedVmFindings } from "../validation/block-checks";
import { addFindingsValidation } from "../validation/format";
import { isLabScope } from "../validation/node-checks";

export interface PinnedVmProps {
  readonly vm: VmModel;
  readonly networkId: string;
  readonly subnet: NetworkingSubnetV2;
  readonly securityGroupId: string;
  readonly imageId: string;
  readonly flavorId: string;
  readonly keyPairName: string;
  /** External network name for the floating IP pool (when vm.floatingIp). */
  readonly floatingIpPool?: string;
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
      fixedIp: [{ subnetId: props.subnet.id, ipAddress: vm.fixedIp }],
    });
    this.port.dependsOn = dependsOnTokens(props.dependsOn);
    this.instance = new ComputeInstanceV2(this, "Instance", {
      name: vm.name,
      imageId: props.imageId,
      flavorId: props.flavorId,
      keyPair: props.keyPairName,
      availabilityZone: `nova:${vm.host}`,
      network: [{ port: this.port.id }],
    });
    this.instance.dependsOn = dependsOnTokens(props.dependsOn);
    if (vm.floatingIp && props.floatingIpPool) {
      this.floatingIp = new NetworkingFloatingipV2(this, "FloatingIp", {
        pool: props.floatingIpPool,
        portId: this.port.id,
        dependsOn: [this.instance],
      });
    }
  }
}

/**
 * cdktf turns every `dependsOn` entry into a new token that captures a full stack trace. Every VM
 * waits for every config push, so that was O(VMs x nodes) stack traces (most of a 200-node synth,
 * see BENCHMARKS.md); the VMs share one token per dependency instead (same output).
 */
const dependableTokens = new WeakMap<ITerraformDependable, string>();
function dependsOnTokens(deps: readonly ITerraformDependable[] | undefined): string[] | undefined {
  return deps?.map((d) => {
    let token = dependableTokens.get(d);
    if (token === undefined) {
      token = dependable(d);
      dependableTokens.set(d, token);
    }
    return token;
  });
}
