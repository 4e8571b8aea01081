import { TerraformElement, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { sharedAttribute } from "../common/shared-tokens";
import { ComputeKeypairV2 } from "../gen/providers/openstack/compute-keypair-v2";
import { DataOpenstackComputeFlavorV2 } from "../gen/providers/openstack/data-openstack-compute-flavor-v2";
import { DataOpenstackImagesImageV2 } from "../gen/providers/openstack/data-openstack-images-image-v2";
import { L3AgentMode } from "../model/agent-mode";
import { OpenStackRelease } from "../model/release";
import { LabTopology, SubnetSpec, VmSpec } from "../model/topology";
import { PinnedVm } from "../network/pinned-vm";
import { TenantVxlanNetwork } from "../network/tenant-vxlan-network";
import { DvrAgentNode, DvrAgentNodeProps } from "../nodes/dvr-agent-node";
import { DvrComputeNode } from "../nodes/dvr-compute-node";
import { DvrController, DvrControllerProps } from "../nodes/dvr-controller";
import { DvrNode } from "../nodes/dvr-node";
import { DvrSnatNode } from "../nodes/dvr-snat-node";
import { ProvisionerResource } from "../push/provisioner-resource";
import { ServiceManager } from "../push/service-manager";
import { addFindingsValidation, labPath } from "../validation/format";
import { assertLabBuildable, LabRouterInput, labFindings, OtherLabFacts } from "../validation/lab-checks";
import { assertRelease, markLabScope } from "../validation/node-checks";
import type { DvrLabExternalProps, DvrLabInstanceProps } from "../model/lab-props";
import { DvrLabRules } from "../rules/lab-rules";
import { VerifyHook } from "./verify-hook";
import type { VerifyVmAccess } from "../model/lab-props";
export type { DvrLabExternalProps, DvrLabInstanceProps } from "../model/lab-props";

/** Ids of the lab's own children, which a host name must not take. */
const RESERVED_IDS = ["Tenant", "Image", "Flavor", "KeyPair", "Description", "Verify"];

type LabScoped = "release" | "serviceManager" | "dependsOn" | "externalPhysnet" | "vniRange" | "provisionerResource";

/** The controller of a lab (lab-wide settings such as release come from DvrLabProps). */
export interface DvrLabControllerProps extends Omit<DvrControllerProps, LabScoped> {}

/** An agent node of a lab. */
export interface DvrLabNodeProps extends Omit<DvrAgentNodeProps, LabScoped> {
  /** L3 agent mode: DVR_SNAT (network node), DVR or DVR_NO_EXTERNAL (compute). */
  readonly mode: L3AgentMode;
}

/** A router of the lab and its subnets (at least two, for the "different subnets" rows). */
export interface DvrLabRouterProps {
  /**
   * Router name in Neutron.
   * @default "<labName>-dvr" for the distributed router, "<labName>-legacy" for the legacy one
   */
  readonly name?: string;
  /**
   * The router's subnets (at least two), one VXLAN network each.
   * @default two /26 subnets of 198.51.100.0/24: .0/26 and .64/26 for the distributed router, .128/26 and .192/26 for the legacy one
   */
  readonly subnets?: SubnetSpec[];
}

/** Props of a whole DVR lab (`DvrLab`): its nodes, routers, probe VMs and verification. */
export interface DvrLabProps {
  /** Name prefix of everything the lab creates in OpenStack. @default the construct id, lower-cased */
  readonly labName?: string;
  /** @default OpenStackRelease.OCATA */
  readonly release?: OpenStackRelease;
  /** @default ServiceManager.SYSTEMD */
  readonly serviceManager?: ServiceManager;
  /** The controller node (neutron-server with ML2); lab-wide settings come from these props. */
  readonly controller: DvrLabControllerProps;
  /** Agent nodes: at least one DVR_SNAT node and one DVR node. */
  readonly nodes: DvrLabNodeProps[];
  /** @default name "<labName>-dvr", subnets 198.51.100.0/26 and 198.51.100.64/26 */
  readonly distributedRouter?: DvrLabRouterProps;
  /** @default name "<labName>-legacy", subnets 198.51.100.128/26 and 198.51.100.192/26 */
  readonly legacyRouter?: DvrLabRouterProps;
  /** @default no external network: east-west rows only */
  readonly external?: DvrLabExternalProps;
  /**
   * Probe VMs. @default the topology table's placement (same-node pair on the first dvr node, else the
   * first dvr_no_external node; cross-node partner on the dvr_snat node)
   */
  readonly vms?: VmSpec[];
  /** Image, flavor and key pair of the probe VMs. */
  readonly instances: DvrLabInstanceProps;
  /** @default { min: 1, max: 1000 } */
  readonly vniRange?: { readonly min: number; readonly max: number };
  /** Also allow SSH/ICMP to the probe VMs from this CIDR. @default none */
  readonly sshSourceCidr?: string;
  /** Run the verifier at the end of `cdktf deploy`. @default true */
  readonly verify?: boolean;
  /** Command that runs the verifier. @default "npx --no-install dvr-lab verify" */
  readonly verifyCommand?: string;
  /** How the verifier reaches the probe VMs. @default user "cirros" through the DHCP node */
  readonly verifyVmAccess?: VerifyVmAccess;
  /**
   * The Terraform resource that carries the config pushes and the verify hook: Terraform's built-in
   * `terraform_data` needs no provider (Terraform >= 1.4 or OpenTofu); `null_resource` needs the
   * stack to configure a NullProvider.
   * @default ProvisionerResource.TERRAFORM_DATA
   */
  readonly provisionerResource?: ProvisionerResource;
}

/**
 * A whole DVR lab: controller and agent nodes with their config pushes (controller first, then the
 * agents), the tenant side (distributed and legacy routers), probe VMs pinned to hosts, and the
 * verification hook; plus the Terraform output `<labName>_description` the verifier and the twin read.
 */
export class DvrLab extends Construct {
  public readonly labName: string;
  public readonly release: OpenStackRelease;
  public readonly topology: LabTopology;
  public readonly controller: DvrController;
  public readonly agentNodes: DvrAgentNode[];
  public readonly tenant: TenantVxlanNetwork;
  public readonly vms: PinnedVm[] = [];
  public readonly verifyHook?: VerifyHook;
  public readonly descriptionOutput: TerraformOutput;
  /** Name of the Terraform output that carries the description (`<labName>_description`, sanitized). */
  public readonly outputName: string;
  /** Name of the lab's Nova key pair. */
  public readonly keyPairName: string;
  private readonly routerNames: readonly string[];

  constructor(scope: Construct, id: string, props: DvrLabProps) {
    super(scope, id);
    // Host names, tunnel IPs and the controller are unique inside this lab (lib/validation).
    markLabScope(this);
    assertRelease(this, "release", props.release);
    assertLabBuildable(this, props.instances);
    this.labName = props.labName ?? id.toLowerCase();
    this.release = props.release ?? OpenStackRelease.OCATA;
    const serviceManager = props.serviceManager ?? ServiceManager.SYSTEMD;
    const physnet = props.external?.physnet;

    // Construct ids are the host names; a host name that cannot be an id here (empty, or taken) gets
    // a stand-in id so that validation, not a construct-id clash, reports it.
    const ids = new Set(RESERVED_IDS);
    const idFor = (hostName: unknown, fallback: string) => {
      let id = typeof hostName === "string" && hostName !== "" && !ids.has(hostName) ? hostName : fallback;
      while (ids.has(id)) id += "-dup";
      ids.add(id);
      return id;
    };
    this.controller = new DvrController(this, idFor(props.controller.hostName, "controller"), {
      ...props.controller,
      release: this.release,
      serviceManager,
      externalPhysnet: physnet,
      vniRange: props.vniRange,
      provisionerResource: props.provisionerResource,
    });
    const firstSnat = props.nodes.find((n) => n.mode === L3AgentMode.DVR_SNAT);
    this.agentNodes = props.nodes.map((n, i) => {
      const common = {
        ...n,
        release: this.release,
        serviceManager,
        externalPhysnet: physnet,
        metadataHost: n.metadataHost ?? props.controller.hostName,
        dhcpAgent: n.dhcpAgent ?? n === firstSnat,
        dependsOn: [this.controller.push.resource],
        provisionerResource: props.provisionerResource,
      };
      const nodeId = idFor(n.hostName, `nodes-${i}`);
      return n.mode === L3AgentMode.DVR_SNAT
        ? new DvrSnatNode(this, nodeId, common)
        : new DvrComputeNode(this, nodeId, common);
    });

    const name = this.labName;
    const routers: LabRouterInput[] = [
      {
        prop: "distributedRouter",
        name: props.distributedRouter?.name ?? `${name}-dvr`,
        distributed: true,
        subnets: props.distributedRouter?.subnets ?? [
          { name: `${name}-dvr-a`, cidr: "198.51.100.0/26" },
          { name: `${name}-dvr-b`, cidr: "198.51.100.64/26" },
        ],
      },
      {
        prop: "legacyRouter",
        name: props.legacyRouter?.name ?? `${name}-legacy`,
        distributed: false,
        subnets: props.legacyRouter?.subnets ?? [
          { name: `${name}-legacy-a`, cidr: "198.51.100.128/26" },
          { name: `${name}-legacy-b`, cidr: "198.51.100.192/26" },
        ],
      },
    ];
    this.topology = new LabTopology({
      name,
      release: this.release,
      hosts: this.nodes.map((n) => n.hostSpec),
      routers: routers.map((r) => ({ name: r.name, distributed: r.distributed, subnets: r.subnets })),
      external: props.external && {
        network: props.external.networkName,
        cidr: props.external.cidr,
        physnet: props.external.physnet,
        gatewayIp: props.external.gatewayIp,
        probeTarget: props.external.probeTarget,
        allocationPool: props.external.allocationPool,
      },
      vms: props.vms,
      vniRange: props.vniRange,
    });

    const pushes = this.nodes.map((n) => n.push.resource);
    this.tenant = new TenantVxlanNetwork(this, "Tenant", {
      subnets: this.topology.subnets,
      routers: this.topology.routers,
      external: this.topology.external,
      securityGroupName: `${name}-probes`,
      sshSourceCidr: props.sshSourceCidr,
      dependsOn: pushes,
    });

    const image = new DataOpenstackImagesImageV2(this, "Image", { name: props.instances.imageName, mostRecent: true });
    const flavor = new DataOpenstackComputeFlavorV2(this, "Flavor", { name: props.instances.flavorName });
    const keyPair = new ComputeKeypairV2(this, "KeyPair", {
      name: props.instances.keyPairName ?? `${name}-key`,
      publicKey: props.instances.publicKey,
    });
    const vmIds = new Set<string>();
    for (const vm of this.topology.vms) {
      const subnet = this.tenant.subnetResources[vm.subnet];
      const network = this.tenant.networks[vm.subnet];
      if (!subnet || !network || vmIds.has(vm.name)) continue; // reported by validation
      vmIds.add(vm.name);
      this.vms.push(
        new PinnedVm(this, `Vm-${vm.name}`, {
          vm,
          // Each reference read once, one token shared by every VM (lib/common/shared-tokens.ts).
          networkId: sharedAttribute(network, "id", (r) => r.id),
          subnet,
          securityGroupId: sharedAttribute(this.tenant.securityGroup, "id", (r) => r.id),
          imageId: sharedAttribute(image, "id", (r) => r.id),
          flavorId: sharedAttribute(flavor, "id", (r) => r.id),
          keyPairName: sharedAttribute(keyPair, "name", (r) => r.name),
          floatingIpPool: this.topology.external?.network,
          // The interfaces wait for the routers, which wait for every push: listing the pushes here
          // too made depends_on O(VMs x nodes) (16.7 MB of cdk.tf.json at 200 computes, BENCHMARKS.md).
          dependsOn: this.tenant.interfaces,
        }),
      );
    }

    const description = this.topology.toDescription();
    this.descriptionOutput = new TerraformOutput(this, "Description", {
      value: JSON.stringify(description),
      description: `dvr-lab description of ${name} (topology and expected routing), read by the verifier and the lab twin`,
    });
    this.outputName = `${name.replace(/[^A-Za-z0-9_]/g, "_")}_description`;
    this.descriptionOutput.overrideLogicalId(this.outputName);
    this.keyPairName = props.instances.keyPairName ?? `${name}-key`;
    this.routerNames = routers.map((r) => r.name);
    const verify = props.verify ?? true;

    // Synth-time validation of the lab's own props (the nodes validate themselves), and the lab rules.
    addFindingsValidation(this, () =>
      labFindings({
        labName: props.labName,
        routers,
        external: props.external,
        vms: props.vms,
        nodeCount: props.nodes.length,
        instances: props.instances,
        sshSourceCidr: props.sshSourceCidr,
        vniRange: props.vniRange,
        topology: this.topology,
        constructId: id,
        effectiveName: this.labName,
        outputName: this.outputName,
        resourceName: this.node.findAll().find((c): c is TerraformElement => c instanceof TerraformElement && !(c instanceof TerraformOutput))?.friendlyUniqueId,
        keyPairName: this.keyPairName,
        otherLabs: this.earlierLabs(),
        labWide: {
          release: props.release,
          serviceManager: props.serviceManager,
          vniRange: props.vniRange,
          physnet,
          controller: props.controller,
          nodes: props.nodes,
        },
        verify: verify ? { command: props.verifyCommand, vmAccess: props.verifyVmAccess } : undefined,
      }),
    );
    // The rules cover this lab and nothing else of the stack (DVR-E004 also checks the stack's outputs
    // for the lab's own credentials).
    DvrLabRules.applyTo(this);

    if (verify) {
      this.verifyHook = new VerifyHook(this, "Verify", {
        description,
        nodes: this.nodes,
        command: props.verifyCommand,
        vmAccess: props.verifyVmAccess,
        provisionerResource: props.provisionerResource,
        dependsOn: [...this.vms.map((v) => v.instance), ...this.vms.flatMap((v) => (v.floatingIp ? [v.floatingIp] : []))],
      });
    }
  }

  /** What the validation of a later lab in the same stack compares with (names it must not repeat). */
  private earlierLabs(): OtherLabFacts[] {
    const labs = TerraformStack.of(this)
      .node.findAll()
      .filter((c): c is DvrLab => c instanceof DvrLab);
    return labs.slice(0, labs.indexOf(this)).map((lab) => ({
      path: labPath(lab),
      labName: lab.labName,
      outputName: lab.outputName,
      keyPairName: lab.keyPairName,
      routerNames: lab.routerNames,
      subnetNames: lab.topology.subnets.map((s) => s.name),
    }));
  }

  /** Every node of the lab, controller first. */
  public get nodes(): DvrNode[] {
    return [this.controller, ...this.agentNodes];
  }
}
