import { TerraformStack, TerraformVariable } from "cdktf";
import { DvrComputeNode, DvrController, DvrLab, DvrLabSuppressions, OpenStackRelease } from "../../../lib";
import { labProps, labStack, node, ssh, stackWith } from "./lab";
import {
  baselineVms,
  DVR,
  DVR_NO_EXTERNAL,
  DVR_SNAT,
  ext,
  hookAlone,
  loose,
  routerModel,
  selfComposed,
  ServiceManager,
  subnetModel,
  tenantAlone,
  twoLabs,
  unnamed,
  vmAlone,
  withNodes,
} from "./relations";

/** A relation the validation must refuse: the stack fails Testing.synth(stack, true) with exactly these messages. */
export interface Rejected {
  readonly build: () => TerraformStack;
  readonly errors: readonly string[];
}

/** A relation Neutron, Nova and Terraform really allow: the stack synthesizes, and `why` says why that is right. */
export interface Accepted {
  readonly build: () => TerraformStack;
  readonly accepted: string;
}

export type RelationCase = Rejected | Accepted;

const pike = OpenStackRelease.PIKE;
const twoSnatLab = (over = {}) =>
  labStack({
    nodes: [node("net1", DVR_SNAT, "192.0.2.10"), node("net2", DVR_SNAT, "192.0.2.13"), node("com1", DVR, "192.0.2.11", { runsVms: false })],
    ...over,
  });

/** The cases, by class (the classes of issue 16). Expected messages are filled in relations.test.ts. */
export const CASES: Record<string, Record<string, () => TerraformStack>> = {
  "two labs in one stack": {
    "the same labName twice": () => twoLabs({}, { labName: "one" }),
    "default lab names from construct ids that differ only in case": () =>
      stackWith((s) => {
        new DvrLab(s, "Lab", unnamed());
        new DvrLab(s, "lab", unnamed({ controller: { hostName: "ctrl2", ssh: ssh() }, nodes: [node("com3", DVR_SNAT, "192.0.2.13"), node("com4", DVR, "192.0.2.14")] }));
      }),
    "lab names that give the same output name": () => twoLabs({ labName: "lab-a" }, { labName: "lab_a" }),
    "the same key pair name in two labs": () =>
      twoLabs({ instances: { ...labProps().instances, keyPairName: "lab-key" } }, { instances: { ...labProps().instances, keyPairName: "lab-key" } }),
    "the same router name in two labs": () => twoLabs({ legacyRouter: { name: "legacy" } }, { legacyRouter: { name: "legacy" } }),
    "the same subnet name in two labs": () =>
      twoLabs(
        { distributedRouter: { subnets: [{ name: "web", cidr: "10.0.0.0/24" }, { name: "db1", cidr: "10.0.1.0/24" }] } },
        { distributedRouter: { subnets: [{ name: "web", cidr: "10.0.0.0/24" }, { name: "db2", cidr: "10.0.1.0/24" }] } },
      ),
    "one host with two tunnel IPs": () => twoLabs({}, { nodes: [node("com1", DVR_SNAT, "192.0.2.21"), node("com4", DVR, "192.0.2.14")] }),
    "one host with two modes": () => twoLabs({}, { nodes: [node("com3", DVR_SNAT, "192.0.2.13"), node("com1", DVR, "192.0.2.11")] }),
    "one host with two releases": () =>
      twoLabs({ release: pike }, { release: OpenStackRelease.QUEENS, nodes: [node("com1", DVR_SNAT, "192.0.2.11"), node("com4", DVR, "192.0.2.14")] }),
    "one host as controller of one lab and node of the other": () => twoLabs({}, { nodes: [node("com3", DVR_SNAT, "192.0.2.13"), node("ctrl1", DVR, "192.0.2.14")] }),
    "one tunnel IP on two hosts of two labs": () => twoLabs({}, { nodes: [node("com3", DVR_SNAT, "192.0.2.13"), node("com4", DVR, "192.0.2.12")] }),
  },
  "names Terraform refuses": {
    "a lab name starting with a digit": () => labStack({ labName: "1lab" }),
    "a default lab name from a construct id the lab-name check refuses": () => stackWith((s) => new DvrLab(s, "Lab One", unnamed())),
    "a default lab name from a construct id starting with a digit": () => stackWith((s) => new DvrLab(s, "2ndLab", unnamed())),
    "a construct id starting with a digit (explicit lab name)": () => stackWith((s) => new DvrLab(s, "9", labProps())),
    "host names that differ only in case": () => withNodes(node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR, "192.0.2.12"), node("COM2", DVR, "192.0.2.13")),
    "self-composed: a host name differing only in case from the controller's": () =>
      stackWith((s) => {
        new DvrController(s, "ctrl", { hostName: "Ctrl1", ssh: ssh() });
        new DvrComputeNode(s, "com", { hostName: "ctrl1", tunnelIp: "192.0.2.11", ssh: ssh() });
      }),
  },
  "addresses that cannot serve their role": {
    "a loopback tunnel IP": () => withNodes(node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR, "127.0.0.1")),
    "the unspecified address as tunnel IP": () => withNodes(node("com1", DVR_SNAT, "0.0.0.0"), node("com2", DVR, "192.0.2.12")),
    "a multicast tunnel IP": () => withNodes(node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR, "239.1.1.1")),
    "the limited broadcast address as tunnel IP": () => withNodes(node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR, "255.255.255.255")),
    "a tunnel IP that is another node's SSH address": () =>
      withNodes(node("com1", DVR_SNAT, "192.0.2.11", { ssh: ssh({ address: "10.0.0.11" }) }), node("com2", DVR, "10.0.0.11", { ssh: ssh({ address: "10.0.0.12" }) })),
    "a tunnel IP that is the controller's SSH address": () =>
      labStack({ controller: { hostName: "ctrl1", ssh: ssh({ address: "10.0.0.10" }) }, nodes: [node("com1", DVR_SNAT, "10.0.0.10", { ssh: ssh({ address: "10.0.0.11" }) }), node("com2", DVR, "192.0.2.12")] }),
    "a tunnel IP that is the external gateway": () => labStack({ external: ext, nodes: [node("com1", DVR_SNAT, "203.0.113.1"), node("com2", DVR, "192.0.2.12")] }),
    "a tunnel IP inside the floating IP pool": () => labStack({ external: ext, nodes: [node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR, "203.0.113.200")] }),
  },
  "ML2 consistency": {
    "tenant network types without their type driver": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh(), typeDrivers: ["vxlan"], tenantNetworkTypes: ["vxlan", "vlan"] } }),
    "VXLAN tenant networks without the vxlan type driver": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh(), typeDrivers: ["flat", "vlan"] } }),
    "tenant network types without vxlan": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh(), typeDrivers: ["vlan", "vxlan"], tenantNetworkTypes: ["vlan"] } }),
    "no tenant network types at all": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh(), tenantNetworkTypes: [] } }),
    "a flat external network without the flat type driver": () => labStack({ external: ext, controller: { hostName: "ctrl1", ssh: ssh(), typeDrivers: ["vxlan"] } }),
    "a VNI range with fewer VNIs than the lab's networks": () => labStack({ vniRange: { min: 5000, max: 5002 } }),
    "self-composed: a controller whose type drivers lack vxlan": () =>
      stackWith((s) => new DvrController(s, "ctrl1", { hostName: "ctrl1", ssh: ssh(), typeDrivers: ["gre"], tenantNetworkTypes: ["vxlan"] })),
  },
  "subnet consistency": {
    "a tenant gateway inside the DHCP allocation pool": () =>
      labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", gatewayIp: "10.0.0.254" }, { name: "b", cidr: "10.0.1.0/24" }] } }),
    "a tenant gateway on the address the default placement gives a VM": () =>
      labStack({ legacyRouter: { subnets: [{ name: "c", cidr: "10.0.2.0/24", gatewayIp: "10.0.2.10" }, { name: "d", cidr: "10.0.3.0/24" }] } }),
    "a tenant gateway on an address the lab gives an explicit VM": () =>
      labStack({
        distributedRouter: { subnets: [{ name: "t-dvr-a", cidr: "198.51.100.0/26", gatewayIp: "198.51.100.11" }, { name: "t-dvr-b", cidr: "198.51.100.64/26" }] },
        vms: baselineVms(),
      }),
    "VMs without fixed IPs running into the DHCP pool": () =>
      labStack({
        distributedRouter: { subnets: [{ name: "t-dvr-a", cidr: "10.0.0.0/27" }, { name: "t-dvr-b", cidr: "10.0.0.32/27" }] },
        vms: [...baselineVms(), ...[1, 2, 3, 4, 5].map((i) => ({ name: `extra${i}`, host: "com2", subnet: "t-dvr-a" }))],
      }),
    "an external gateway inside the floating IP pool": () => labStack({ external: { ...ext, gatewayIp: "203.0.113.129" } }),
    "an external pool that holds the default gateway": () => labStack({ external: { ...ext, allocationPool: { start: "203.0.113.1", end: "203.0.113.99" } } }),
    "an external CIDR too small for the default pool": () => labStack({ external: { ...ext, cidr: "203.0.113.0/29" } }),
    "an external pool too small for the routers' gateways and floating IPs": () =>
      labStack({ external: { ...ext, allocationPool: { start: "203.0.113.100", end: "203.0.113.103" } } }),
    "a /28 external subnet with more floating IPs than its default pool holds": () =>
      labStack({ external: { ...ext, cidr: "203.0.113.0/28" }, vms: baselineVms({ 0: { floatingIp: true }, 1: { floatingIp: true }, 2: { floatingIp: true }, 3: { floatingIp: true } }) }),
  },
  "expectations that depend on agent modes": {
    "VMs only on dvr_snat nodes (no same-node row tells DVR from legacy)": () => twoSnatLab(),
  },
  "releases mixed across the nodes of one lab": {
    "a node's own release, overwritten by the lab's": () => withNodes(node("com1", DVR_SNAT, "192.0.2.11"), loose(node("com2", DVR, "192.0.2.12"), { release: OpenStackRelease.ZED })),
    "the controller's own release, overwritten by the lab's": () =>
      labStack({ release: pike, controller: loose({ hostName: "ctrl1", ssh: ssh() }, { release: OpenStackRelease.QUEENS }) }),
    "the controller's own VNI range, overwritten by the lab's": () => labStack({ controller: loose({ hostName: "ctrl1", ssh: ssh() }, { vniRange: { min: 1, max: 5000 } }) }),
    "a node's own service manager, overwritten by the lab's": () =>
      withNodes(node("com1", DVR_SNAT, "192.0.2.11"), loose(node("com2", DVR, "192.0.2.12"), { serviceManager: ServiceManager.KOLLA })),
    "a node's own external physnet, overwritten by the lab's": () =>
      labStack({ external: ext, nodes: [loose(node("com1", DVR_SNAT, "192.0.2.11"), { externalPhysnet: "physnet1" }), node("com2", DVR, "192.0.2.12")] }),
    "self-composed: an agent newer than the controller": () => selfComposed(OpenStackRelease.OCATA, pike),
    "self-composed: an agent two releases older than the controller": () => selfComposed(OpenStackRelease.QUEENS, OpenStackRelease.OCATA),
  },
  "building blocks used on their own": {
    "TenantVxlanNetwork: a subnet naming a router that does not exist": () =>
      tenantAlone({ subnets: [subnetModel("a", "r1", "10.1.0.0/24"), subnetModel("b", "r1", "10.1.1.0/24"), subnetModel("c", "r3", "10.1.2.0/24")], routers: [routerModel("r1", ["a", "b"])] }),
    "TenantVxlanNetwork: two routers of one name": () => tenantAlone({ routers: [routerModel("r1", ["a", "b"]), routerModel("r1", ["c", "d"])], subnets: [subnetModel("a", "r1", "10.1.0.0/24"), subnetModel("b", "r1", "10.1.1.0/24")] }),
    "TenantVxlanNetwork: two subnets of one name": () =>
      tenantAlone({ subnets: [subnetModel("a", "r1", "10.1.0.0/24"), subnetModel("a", "r1", "10.1.1.0/24")], routers: [routerModel("r1", ["a"])] }),
    "TenantVxlanNetwork: overlapping subnets of one router": () =>
      tenantAlone({
        subnets: [subnetModel("a", "r1", "10.1.0.0/24"), subnetModel("b", "r1", "10.1.0.0/23", { gatewayIp: "10.1.1.1", allocationPool: { start: "10.1.1.128", end: "10.1.1.254" } })],
        routers: [routerModel("r1", ["a", "b"])],
      }),
    "TenantVxlanNetwork: a gateway inside the allocation pool": () =>
      tenantAlone({ subnets: [subnetModel("a", "r1", "10.1.0.0/24", { gatewayIp: "10.1.0.200" }), subnetModel("b", "r1", "10.1.1.0/24")], routers: [routerModel("r1", ["a", "b"])] }),
    "TenantVxlanNetwork: an allocation pool outside the subnet": () =>
      tenantAlone({ subnets: [subnetModel("a", "r1", "10.1.0.0/24", { allocationPool: { start: "10.1.0.128", end: "10.1.9.254" } }), subnetModel("b", "r1", "10.1.1.0/24")], routers: [routerModel("r1", ["a", "b"])] }),
    "TenantVxlanNetwork: an external gateway without an external network": () =>
      tenantAlone({ subnets: [subnetModel("a", "r1", "10.1.0.0/24"), subnetModel("b", "r1", "10.1.1.0/24")], routers: [routerModel("r1", ["a", "b"], { externalGateway: true })] }),
    "PinnedVm: an empty host (availability zone \"nova:\")": () => vmAlone({ host: "" }),
    "PinnedVm: a host that is not a host name": () => vmAlone({ host: "com 1" }),
    "PinnedVm: an empty name": () => vmAlone({ name: "" }),
    "PinnedVm: a fixed IP outside its subnet": () => vmAlone({ fixedIp: "10.9.0.10" }),
    "PinnedVm: the subnet's gateway as fixed IP": () => vmAlone({ fixedIp: "10.2.0.1" }),
    "PinnedVm: a floating IP without a pool": () => vmAlone({ floatingIp: true }),
    "VerifyHook: an empty command": () => hookAlone({ command: "" }),
    "VerifyHook: a VM access host that is not one of its nodes": () => hookAlone({ vmAccess: { viaHost: "com9" } }),
    "VerifyHook: a VM access host without a DHCP agent": () => hookAlone({ vmAccess: { viaHost: "com1" } }),
    "VerifyHook: a host of the description missing from its nodes": () => hookAlone({ withoutCom1: true }),
  },
  "the verify hook of a lab": {
    "an empty verify command": () => labStack({ verify: true, verifyCommand: "" }),
    "a VM access host that is not a node of the lab": () => labStack({ verify: true, verifyVmAccess: { viaHost: "com3" } }),
    "the controller as VM access host (no DHCP agent, no qdhcp namespace)": () => labStack({ verify: true, verifyVmAccess: { viaHost: "ctrl1" } }),
    "an empty VM login user": () => labStack({ verify: true, verifyVmAccess: { user: "" } }),
  },
};

/** Relations that are right (Neutron, Nova and Terraform allow them), by class: they synthesize. */
export const ACCEPTED: Record<string, Record<string, { build: () => TerraformStack; why: string }>> = {
  "two labs in one stack": {
    "one host in two labs with the same tunnel IP, mode and release": {
      build: () => twoLabs({}, { nodes: [node("com3", DVR_SNAT, "192.0.2.13"), node("com2", DVR, "192.0.2.12")] }),
      why: "one cloud, one agent set on the host; both labs' routers are scheduled to it and their pushes write the same settings",
    },
  },
  "names Terraform refuses": {
    "a lab name with digits, hyphens and underscores after a letter": {
      build: () => labStack({ labName: "lab_2-b" }),
      why: 'the output "lab_2_b_description" is a valid Terraform name, and Neutron and Nova accept such names',
    },
    "a lab with a digit-leading construct id nested in a construct": {
      build: () => stackWith((s) => new DvrLab(new (require("constructs").Construct)(s, "Labs"), "1", labProps())),
      why: "cdktf builds resource names from the whole path (Labs_1_...), which starts with a letter",
    },
  },
  "addresses that cannot serve their role": {
    "a tunnel IP equal to the node's own SSH address": {
      build: () => withNodes(node("com1", DVR_SNAT, "10.0.0.11", { ssh: ssh({ address: "10.0.0.11" }) }), node("com2", DVR, "10.0.0.12", { ssh: ssh({ address: "10.0.0.12" }) })),
      why: "a single-NIC node tunnels from the address it is managed at",
    },
    "a tunnel IP inside a tenant subnet": {
      build: () => withNodes(node("com1", DVR_SNAT, "198.51.100.5"), node("com2", DVR, "192.0.2.12")),
      why: "tenant subnets live in namespaces and VXLAN, isolated from the underlay, so they may overlap it",
    },
    "a tunnel IP inside the external CIDR but outside its pool": {
      build: () => labStack({ external: ext, nodes: [node("com1", DVR_SNAT, "203.0.113.11"), node("com2", DVR, "203.0.113.12")] }),
      why: "the underlay may be the provider network; Neutron hands out only pool addresses",
    },
    "a tunnel IP that is a Terraform variable": {
      build: () =>
        stackWith((s) => {
          const ip = new TerraformVariable(s, "tunnel", { type: "string" }).stringValue;
          new DvrLab(s, "DvrLab", labProps({ nodes: [node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR, ip)] }));
        }),
      why: "unresolved tokens are Terraform's to check at apply",
    },
  },
  "ML2 consistency": {
    "more type drivers and tenant types than the lab needs": {
      build: () => labStack({ external: ext, controller: { hostName: "ctrl1", ssh: ssh(), typeDrivers: ["flat", "vlan", "vxlan"], tenantNetworkTypes: ["vxlan", "vlan"] } }),
      why: "ML2 loads every listed driver and allocates tenant networks from the first type with a free segment (vxlan)",
    },
    "a VNI range exactly as large as the lab's networks": {
      build: () => labStack({ vniRange: { min: 100, max: 103 } }),
      why: "four networks, four VNIs",
    },
    "type drivers without flat in a lab without an external network": {
      build: () => labStack({ controller: { hostName: "ctrl1", ssh: ssh(), typeDrivers: ["vxlan"] } }),
      why: "nothing of the lab is flat",
    },
  },
  "subnet consistency": {
    "a tenant gateway between the probe VMs and the DHCP pool": {
      build: () => labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", gatewayIp: "10.0.0.100" }, { name: "b", cidr: "10.0.1.0/24" }] } }),
      why: "Neutron only needs the gateway outside the allocation pool (.128-.254) and free of ports",
    },
    "a /28 external subnet for the default placement": {
      build: () => labStack({ external: { ...ext, cidr: "203.0.113.0/28" } }),
      why: "its default pool holds 7 addresses; the lab takes 5 (2 router gateways, 2 floating IPs, 1 fg- port)",
    },
  },
  "expectations that depend on agent modes": {
    "a lab with dvr_no_external but no dvr node": {
      build: () => labStack({ release: pike, nodes: [node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR_NO_EXTERNAL, "192.0.2.12")] }),
      why: "dvr_no_external routes east-west locally like dvr, so its same-node rows tell DVR from legacy",
    },
    "VMs only on dvr_snat nodes, with DVR-E005 suppressed for a reason": {
      build: () =>
        stackWith((s) => {
          const lab = new DvrLab(
            s,
            "DvrLab",
            labProps({ nodes: [node("net1", DVR_SNAT, "192.0.2.10"), node("net2", DVR_SNAT, "192.0.2.13"), node("com1", DVR, "192.0.2.11", { runsVms: false })] }),
          );
          DvrLabSuppressions.add(lab, [{ id: "DVR-E005", reason: "an all-dvr_snat lab on purpose" }]);
        }),
      why: "Neutron allows it; the rule only says the same-node rows prove nothing there",
    },
  },
  "releases mixed across the nodes of one lab": {
    "self-composed: agents one release older than the controller (N-1)": {
      build: () => selfComposed(pike, OpenStackRelease.OCATA),
      why: "Neutron upgrades the server first and supports agents of the previous release; each node's push writes its own release's key spellings",
    },
    "a node's own release equal to the lab's": {
      build: () => withNodes(node("com1", DVR_SNAT, "192.0.2.11"), loose(node("com2", DVR, "192.0.2.12"), { release: OpenStackRelease.OCATA })),
      why: "nothing is overwritten",
    },
  },
  "building blocks used on their own": {
    "TenantVxlanNetwork: overlapping subnets of two routers": {
      build: () => tenantAlone({ subnets: [subnetModel("a", "r1", "10.1.0.0/24"), subnetModel("b", "r1", "10.1.1.0/24"), subnetModel("c", "r2", "10.1.0.0/24"), subnetModel("d", "r2", "10.1.3.0/24")] }),
      why: "each router has its own namespace; Neutron refuses overlaps only among one router's interfaces",
    },
    "PinnedVm: a floating IP with its pool": {
      build: () => vmAlone({ floatingIp: true }, { floatingIpPool: "public" }),
      why: "the floating IP is created from the pool",
    },
    "VerifyHook: a VM access host with a DHCP agent": {
      build: () => hookAlone({ vmAccess: { viaHost: "net1" } }),
      why: "net1's qdhcp namespaces reach the VMs",
    },
  },
  "the verify hook of a lab": {
    "an empty verify command with verify: false": {
      build: () => labStack({ verify: false, verifyCommand: "" }),
      why: "no hook is built, so the command never runs",
    },
  },
};

