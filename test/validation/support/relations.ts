import { TerraformStack } from "cdktf";
import {
  DvrComputeNode,
  DvrController,
  DvrLab,
  DvrLabProps,
  DvrSnatNode,
  L3AgentMode,
  LabTopology,
  OpenStackRelease,
  PinnedVm,
  ServiceManager,
  SubnetModel,
  TenantVxlanNetwork,
  VerifyHook,
  VmModel,
} from "../../../lib";
import { NetworkingSubnetV2 } from "../../../lib/gen/providers/openstack/networking-subnet-v2";
import { labProps, labStack, node, ssh, stackWith } from "./lab";
export { baselineVms } from "./lab";

/**
 * Builders of the relation cases (test/validation/relations.test.ts): inputs whose every value is
 * well-formed on its own but that break together (between values, between constructs, between two
 * labs of one stack). Each builds exactly ONE such relation into an otherwise valid stack.
 */

export const ext = { networkName: "public", cidr: "203.0.113.0/24", physnet: "provider" };
const { DVR_SNAT, DVR, DVR_NO_EXTERNAL } = L3AgentMode;

/** Two labs in one stack: LabOne (the baseline, labName "one") and LabTwo (labName "two", hosts ctrl2, com3, com4). */
export function twoLabs(one: Partial<DvrLabProps>, two: Partial<DvrLabProps>): TerraformStack {
  return stackWith((s) => {
    new DvrLab(s, "LabOne", labProps({ labName: "one", ...one }));
    new DvrLab(
      s,
      "LabTwo",
      labProps({
        labName: "two",
        controller: { hostName: "ctrl2", ssh: ssh() },
        nodes: [node("com3", DVR_SNAT, "192.0.2.13"), node("com4", DVR, "192.0.2.14")],
        ...two,
      }),
    );
  });
}

/** labProps without labName (the lab then takes its construct id, lower-cased). */
export function unnamed(over: Partial<DvrLabProps> = {}): DvrLabProps {
  const { labName: _unused, ...rest } = labProps(over);
  return rest;
}

/** The baseline lab with its nodes replaced. */
export const withNodes = (...nodes: DvrLabProps["nodes"]) => labStack({ nodes });

/** A JavaScript caller's node props may carry keys the TypeScript props omit. */
export const loose = <T>(props: T, extra: Record<string, unknown>): T => ({ ...props, ...extra }) as T;

/** Self-composed nodes (no DvrLab): controller ctrl1 and agents, each with its own release. */
export function selfComposed(ctrl: OpenStackRelease, agent: OpenStackRelease): TerraformStack {
  return stackWith((s) => {
    new DvrController(s, "ctrl1", { hostName: "ctrl1", ssh: ssh(), release: ctrl });
    new DvrSnatNode(s, "net1", { hostName: "net1", tunnelIp: "192.0.2.10", ssh: ssh(), release: ctrl });
    new DvrComputeNode(s, "com1", { hostName: "com1", tunnelIp: "192.0.2.11", ssh: ssh(), release: agent });
  });
}

// ---- building blocks on their own ----------------------------------------------------------------

export function subnetModel(name: string, router: string, cidr: string, over: Partial<SubnetModel> = {}): SubnetModel {
  const base = cidr.replace(/\.0\/24$/, "");
  return { name, router, cidr, gatewayIp: `${base}.1`, allocationPool: { start: `${base}.128`, end: `${base}.254` }, ...over };
}

export const routerModel = (name: string, subnets: string[], over: { distributed?: boolean; externalGateway?: boolean } = {}) => ({
  name,
  distributed: over.distributed ?? true,
  subnets,
  externalGateway: over.externalGateway ?? false,
});

/** A TenantVxlanNetwork on its own: routers r1 (a, b) and r2 (c, d) unless overridden. */
export function tenantAlone(over: { subnets?: SubnetModel[]; routers?: ReturnType<typeof routerModel>[]; external?: any } = {}): TerraformStack {
  return stackWith((s) => {
    new TenantVxlanNetwork(s, "Tenant", {
      subnets: over.subnets ?? [
        subnetModel("a", "r1", "10.1.0.0/24"),
        subnetModel("b", "r1", "10.1.1.0/24"),
        subnetModel("c", "r2", "10.1.2.0/24"),
        subnetModel("d", "r2", "10.1.3.0/24"),
      ],
      routers: over.routers ?? [routerModel("r1", ["a", "b"]), routerModel("r2", ["c", "d"])],
      external: over.external,
    });
  });
}

/** A PinnedVm on its own, on a subnet 10.2.0.0/24 (gateway .1) built beside it. */
export function vmAlone(vm: Partial<VmModel>, over: { floatingIpPool?: string } = {}): TerraformStack {
  return stackWith((s) => {
    const subnet = new NetworkingSubnetV2(s, "Subnet", { networkId: "net-id", cidr: "10.2.0.0/24", gatewayIp: "10.2.0.1" });
    new PinnedVm(s, "Vm", {
      vm: { name: "probe", host: "com1", subnet: "a", fixedIp: "10.2.0.10", floatingIp: false, ...vm },
      networkId: "net-id",
      subnet,
      securityGroupId: "sg-id",
      imageId: "image-id",
      flavorId: "flavor-id",
      keyPairName: "key",
      ...over,
    });
  });
}

/** A VerifyHook on its own, for self-composed nodes ctrl1, net1 (DHCP agent), com1. */
export function hookAlone(over: { command?: string; vmAccess?: any; withoutCom1?: boolean } = {}): TerraformStack {
  return stackWith((s) => {
    const ctrl = new DvrController(s, "ctrl1", { hostName: "ctrl1", ssh: ssh() });
    const net = new DvrSnatNode(s, "net1", { hostName: "net1", tunnelIp: "192.0.2.10", ssh: ssh(), dhcpAgent: true });
    const com = new DvrComputeNode(s, "com1", { hostName: "com1", tunnelIp: "192.0.2.11", ssh: ssh() });
    const topology = new LabTopology({
      name: "alone",
      release: OpenStackRelease.OCATA,
      hosts: [ctrl.hostSpec, net.hostSpec, com.hostSpec],
      routers: [{ name: "r1", distributed: true, subnets: [{ name: "a", cidr: "10.3.0.0/24" }, { name: "b", cidr: "10.3.1.0/24" }] }],
    });
    new VerifyHook(s, "Verify", {
      description: topology.toDescription(),
      nodes: over.withoutCom1 ? [ctrl, net] : [ctrl, net, com],
      command: over.command,
      vmAccess: over.vmAccess,
    });
  });
}

export { DVR, DVR_NO_EXTERNAL, DVR_SNAT, ServiceManager };
