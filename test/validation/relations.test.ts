import { Testing } from "cdktf";
import { DvrLab, L3AgentMode, LabDescription, OpenStackRelease } from "../../lib";
import { annotations, labProps, labStack, node, stackWith, synthErrors } from "./support/lab";
import { ACCEPTED, CASES } from "./support/relation-cases";
import { baselineVms, ext } from "./support/relations";

/**
 * Issue 16: input whose every value is well-formed on its own but that breaks together (relations
 * between values, between constructs, between two labs of one stack). Each case
 * (test/validation/support/relation-cases.ts) builds ONE such relation into a valid stack and fails
 * Testing.synth(stack, true) with exactly these messages; the accepted cases are relations Neutron,
 * Nova and Terraform really allow, each with the reason.
 */
const EXPECTED: Record<string, Record<string, readonly string[]>> = {
  "two labs in one stack": {
    "the same labName twice": [
      "LabTwo: labName \"one\" is already the lab name of lab \"LabOne\" in this stack, so both write the output \"one_description\" (cdk.tf.json keeps one) and their routers, networks and key pairs get the same names (Nova refuses the second key pair \"one-key\"); give each lab its own labName",
    ],
    "default lab names from construct ids that differ only in case": [
      "lab: labName \"lab\" (the default, from the construct id \"lab\") is already the lab name of lab \"Lab\" in this stack, so both write the output \"lab_description\" (cdk.tf.json keeps one) and their routers, networks and key pairs get the same names (Nova refuses the second key pair \"lab-key\"); pass a labName of its own (the default is the construct id, lower-cased)",
    ],
    "lab names that give the same output name": [
      "LabTwo: labName \"lab_a\" gives the output name \"lab_a_description\", which lab \"LabOne\" (labName \"lab-a\") writes too, so cdk.tf.json keeps only one of the two descriptions; use a labName that differs from \"lab-a\" in more than \"-\" versus \"_\"",
    ],
    "the same key pair name in two labs": [
      "LabTwo: instances.keyPairName \"lab-key\" is already the key pair of lab \"LabOne\" in this stack, and Nova refuses a second key pair of the same name (409 Conflict); give each lab its own keyPairName",
    ],
    "the same router name in two labs": [
      "LabTwo: legacyRouter.name \"legacy\" is already the name of a router of lab \"LabOne\" in this stack, and the labs of one stack share one cloud, so the verifier's gate finds two routers of that name (router-unique); give the routers of each lab their own names",
    ],
    "the same subnet name in two labs": [
      "LabTwo: distributedRouter.subnets[0].name \"web\" is already the name of a subnet of lab \"LabOne\" in this stack, and the labs of one stack share one cloud, so the verifier's gate finds two subnets of that name (subnet-unique); give the subnets of each lab their own names",
    ],
    "one host with two tunnel IPs": [
      "LabTwo/com1: tunnelIp \"192.0.2.21\" differs from the tunnel IP \"192.0.2.11\" of the same host at LabOne/com1 in lab \"LabOne\", and a host has one openvswitch_agent.ini local_ip, so the later push overwrites the other lab's and its tunnels to this host break; use \"192.0.2.11\" in both labs, or use another host",
    ],
    "one host with two modes": [
      "LabTwo/com1: mode \"dvr\" differs from the mode \"dvr_snat\" of the same host at LabOne/com1 in lab \"LabOne\", and a host has one l3_agent.ini agent_mode, so the later push overwrites the other lab's; use mode \"dvr_snat\" for this host in both labs, or use another host",
    ],
    "one host with two releases": [
      "LabTwo/com1: release \"queens\" differs from the release \"pike\" of the same host at LabOne/com1 in lab \"LabOne\", and a host runs one release, so one of the two labs pushes settings of the wrong release to it; target one release in both labs, or use another host",
    ],
    "one host as controller of one lab and node of the other": [
      "LabTwo/ctrl1: hostName \"ctrl1\" is also the host of LabOne/ctrl1 in lab \"LabOne\", as its controller, and the two labs would push conflicting neutron config to it; use another host",
    ],
    "one tunnel IP on two hosts of two labs": [
      "LabTwo/com4: tunnelIp \"192.0.2.12\" is already the tunnel IP of LabOne/com2 (host \"com2\") in lab \"LabOne\", and the labs of one stack share one cloud (the stack's OpenStack provider), where every VXLAN endpoint must be unique; give every node of the stack its own VXLAN endpoint address",
    ],
  },
  "names Terraform refuses": {
    "a lab name starting with a digit": [
      "DvrLab: labName \"1lab\" gives the Terraform output name \"1lab_description\", which Terraform refuses (\"A name must start with a letter or underscore\"); start labName with a letter",
    ],
    "a default lab name from a construct id the lab-name check refuses": [
      "Lab One: labName \"lab one\" (the default, from the construct id \"Lab One\") is not a valid lab name; pass labName, or use a construct id of letters, digits, hyphens and underscores starting with a letter (the lab name prefixes every OpenStack name of the lab)",
    ],
    "a default lab name from a construct id starting with a digit": [
      "2ndLab: labName \"2ndlab\" (the default, from the construct id \"2ndLab\") gives the Terraform output name \"2ndlab_description\", which Terraform refuses (\"A name must start with a letter or underscore\"); pass a labName that starts with a letter, or start the construct id with a letter",
      "2ndLab: id \"2ndLab\" makes Terraform resource names such as \"2ndLab_ctrl1_ConfigPush_FF1CCF3D\", which Terraform refuses (\"A name must start with a letter or underscore\"); start the construct id with a letter (cdktf builds resource names from the construct path)",
    ],
    "a construct id starting with a digit (explicit lab name)": [
      "9: id \"9\" makes Terraform resource names such as \"9_ctrl1_ConfigPush_D1333906\", which Terraform refuses (\"A name must start with a letter or underscore\"); start the construct id with a letter (cdktf builds resource names from the construct path)",
    ],
    "host names that differ only in case": [
      "DvrLab/COM2: hostName \"COM2\" differs only in case from the host name \"com2\" of DvrLab/com2, and Nova and Neutron compare host names case-insensitively in their databases, so the two nodes' services and agents would collide as one host; give every node a host name that differs in more than case",
    ],
    "self-composed: a host name differing only in case from the controller's": [
      "com: hostName \"ctrl1\" differs only in case from the host name \"Ctrl1\" of ctrl, and Nova and Neutron compare host names case-insensitively in their databases, so the two nodes' services and agents would collide as one host; give every node a host name that differs in more than case",
    ],
  },
  "addresses that cannot serve their role": {
    "a loopback tunnel IP": [
      "DvrLab/com2: tunnelIp \"127.0.0.1\" is a loopback address, which no other node can send VXLAN packets to, so no tunnel to this node comes up; use the unicast address of the node's tunnel interface, which the other nodes reach",
    ],
    "the unspecified address as tunnel IP": [
      "DvrLab/com1: tunnelIp \"0.0.0.0\" is the unspecified address, which no other node can send VXLAN packets to (and the OVS agent exits: local_ip must be on a local interface); use the unicast address of the node's tunnel interface, which the other nodes reach",
    ],
    "a multicast tunnel IP": [
      "DvrLab/com2: tunnelIp \"239.1.1.1\" is a multicast address, which cannot be a VXLAN tunnel endpoint (local_ip must be a unicast address on a local interface); use the unicast address of the node's tunnel interface, which the other nodes reach",
    ],
    "the limited broadcast address as tunnel IP": [
      "DvrLab/com2: tunnelIp \"255.255.255.255\" is the limited broadcast address, which cannot be a VXLAN tunnel endpoint (local_ip must be a unicast address on a local interface); use the unicast address of the node's tunnel interface, which the other nodes reach",
    ],
    "a tunnel IP that is another node's SSH address": [
      "DvrLab/com2: tunnelIp \"10.0.0.11\" is the ssh.address of DvrLab/com1, another machine, so this node's OVS agent would take that machine's address as its VXLAN endpoint (it exits when local_ip is not on a local interface) and the other nodes would tunnel to the wrong machine; use the address of this node's own tunnel interface",
    ],
    "a tunnel IP that is the controller's SSH address": [
      "DvrLab/com1: tunnelIp \"10.0.0.10\" is the ssh.address of DvrLab/ctrl1, another machine, so this node's OVS agent would take that machine's address as its VXLAN endpoint (it exits when local_ip is not on a local interface) and the other nodes would tunnel to the wrong machine; use the address of this node's own tunnel interface",
    ],
    "a tunnel IP that is the external gateway": [
      "DvrLab/com1: tunnelIp \"203.0.113.1\" is the gateway of the external network \"public\" (the upstream router's address), so it would answer on two machines; use a tunnel address other than 203.0.113.1",
    ],
    "a tunnel IP inside the floating IP pool": [
      "DvrLab/com2: tunnelIp \"203.0.113.200\" is inside the floating IP allocation pool 203.0.113.128-203.0.113.254 of the external network \"public\", so Neutron may give it to a router gateway or a floating IP and it would answer on two machines; use a tunnel address outside 203.0.113.128-203.0.113.254",
    ],
  },
  "ML2 consistency": {
    "tenant network types without their type driver": [
      "DvrLab/ctrl1: tenantNetworkTypes [\"vxlan\",\"vlan\"] names \"vlan\", which is not among the typeDrivers [\"vxlan\"], so neutron-server exits at start (\"No type driver for tenant network_type: vlan. Service terminated!\"); add \"vlan\" to typeDrivers, or drop it from tenantNetworkTypes",
    ],
    "VXLAN tenant networks without the vxlan type driver": [
      "DvrLab/ctrl1: typeDrivers [\"flat\",\"vlan\"] lacks \"vxlan\", the type of the lab's tenant networks (tenantNetworkTypes [\"vxlan\"], the default), so neutron-server exits at start (\"No type driver for tenant network_type: vxlan. Service terminated!\"); add \"vxlan\" to typeDrivers",
    ],
    "tenant network types without vxlan": [
      "DvrLab/ctrl1: tenantNetworkTypes [\"vlan\"] lacks \"vxlan\", so Neutron allocates the lab's tenant networks as vlan while the lab and the verifier expect VXLAN networks with a VNI; put \"vxlan\" in tenantNetworkTypes (the default is [\"vxlan\"])",
    ],
    "no tenant network types at all": [
      "DvrLab/ctrl1: tenantNetworkTypes [] is empty, so Neutron has no type to allocate the lab's tenant networks from (\"No tenant network is available for allocation\"); put \"vxlan\" in tenantNetworkTypes (the default is [\"vxlan\"])",
    ],
    "a flat external network without the flat type driver": [
      "DvrLab/ctrl1: typeDrivers [\"vxlan\"] lacks \"flat\", which the lab's flat external network on physnet \"provider\" needs, so Neutron binds no port on it (the routers' gateways and floating IPs fail); add \"flat\" to typeDrivers (the default with an external network is [\"flat\", \"vxlan\"])",
    ],
    "a VNI range with fewer VNIs than the lab's networks": [
      "DvrLab: vniRange {\"min\":5000,\"max\":5002} holds 3 VNIs, but the lab has 4 tenant networks, so Neutron refuses the networks beyond 3 (\"No tenant network is available for allocation\"); widen vniRange to at least 4 VNIs, e.g. { min: 5000, max: 5003 }",
    ],
    "self-composed: a controller whose type drivers lack vxlan": [
      "ctrl1: typeDrivers [\"gre\"] lacks \"vxlan\", the type of the lab's tenant networks (tenantNetworkTypes [\"vxlan\"]), so neutron-server exits at start (\"No type driver for tenant network_type: vxlan. Service terminated!\"); add \"vxlan\" to typeDrivers",
    ],
  },
  "subnet consistency": {
    "a tenant gateway inside the DHCP allocation pool": [
      "DvrLab: distributedRouter.subnets[0].gatewayIp \"10.0.0.254\" is inside the DHCP allocation pool 10.0.0.128-10.0.0.254 that the lab gives subnet \"a\" (the upper half of 10.0.0.0/24), so Neutron refuses the subnet (GatewayConflictWithAllocationPools); use an address below 10.0.0.10, e.g. \"10.0.0.1\" (the default): the probe VMs take .10 upward and DHCP the upper half",
    ],
    "a tenant gateway on the address the default placement gives a VM": [
      "DvrLab: legacyRouter.subnets[0].gatewayIp \"10.0.2.10\" is the address the lab gives VM \"t-legacy-a-com2\" (VMs without fixedIp get .10 upward in their subnet), so Neutron refuses the VM's port or the router interface (IpAddressAlreadyAllocated); use an address below 10.0.2.10, e.g. \"10.0.2.1\" (the default), or give the VMs of subnet \"c\" fixed IPs",
    ],
    "a tenant gateway on an address the lab gives an explicit VM": [
      "DvrLab: distributedRouter.subnets[0].gatewayIp \"198.51.100.11\" is the address the lab gives VM \"t-dvr-a-com1\" (VMs without fixedIp get .10 upward in their subnet), so Neutron refuses the VM's port or the router interface (IpAddressAlreadyAllocated); use an address below 198.51.100.10, e.g. \"198.51.100.1\" (the default), or give the VMs of subnet \"t-dvr-a\" fixed IPs",
    ],
    "VMs without fixed IPs running into the DHCP pool": [
      "DvrLab: vms[10].fixedIp is unset, so the lab gives the VM \"10.0.0.16\" (the next address from .10 in subnet \"t-dvr-a\"), which is inside the DHCP allocation pool 10.0.0.16-10.0.0.30 where Neutron's DHCP port and other ports take addresses; give the VM a fixedIp from 10.0.0.2 to 10.0.0.15 other than the gateway, or use a larger subnet",
    ],
    "an external gateway inside the floating IP pool": [
      "DvrLab: external.gatewayIp \"203.0.113.129\" is inside the floating IP allocation pool 203.0.113.128-203.0.113.254 (the default: the upper half of external.cidr), and Neutron refuses a subnet whose gateway is inside its pool (GatewayConflictWithAllocationPools), so the real external subnet is not like this; describe the external subnet as it is in Neutron: its gateway lies outside its allocation pool",
    ],
    "an external pool that holds the default gateway": [
      "DvrLab: external.allocationPool {\"start\":\"203.0.113.1\",\"end\":\"203.0.113.99\"} contains the external gateway 203.0.113.1 (the default gateway: the first host address of external.cidr), and Neutron refuses a subnet whose gateway is inside its pool (GatewayConflictWithAllocationPools); set external.gatewayIp to the upstream gateway's real address, or describe the pool as it is in Neutron",
    ],
    "an external CIDR too small for the default pool": [
      "DvrLab: external.cidr \"203.0.113.0/29\" is too small for the default floating IP allocation pool (the upper half of a /28 or larger), and the lab needs 5 addresses there (2 router gateways, 2 floating IPs, 1 floating IP agent gateway port); use an external subnet of /28 or larger, or give external.allocationPool",
    ],
    "an external pool too small for the routers' gateways and floating IPs": [
      "DvrLab: external.allocationPool {\"start\":\"203.0.113.100\",\"end\":\"203.0.113.103\"} holds 4 addresses, but the lab needs 5 there (2 router gateways, 2 floating IPs, 1 floating IP agent gateway port), so Neutron fails the rest (IpAddressGenerationFailure); widen the pool to at least 5 addresses",
    ],
    "a /28 external subnet with more floating IPs than its default pool holds": [
      "DvrLab: external.cidr \"203.0.113.0/28\" leaves 7 addresses in the default floating IP allocation pool 203.0.113.8-203.0.113.14, but the lab needs 8 there (2 router gateways, 4 floating IPs, 2 floating IP agent gateway ports), so Neutron fails the rest (IpAddressGenerationFailure); use an external subnet of /27 or larger, or give external.allocationPool",
    ],
  },
  "expectations that depend on agent modes": {
    "VMs only on dvr_snat nodes (no same-node row tells DVR from legacy)": [
      "[DVR-E005] DvrLab: nodes [\"net1:dvr_snat\",\"net2:dvr_snat\",\"com1:dvr (runsVms false)\"] run VMs only on dvr_snat nodes, where legacy and DVR routing look alike, so no same-node row can tell a distributed router from a legacy one; let a dvr or dvr_no_external node run VMs, or suppress DVR-E005 with a reason to run a lab of dvr_snat nodes only",
    ],
  },
  "releases mixed across the nodes of one lab": {
    "a node's own release, overwritten by the lab's": [
      "DvrLab: nodes[1].release \"zed\" is ignored: DvrLab gives every node the lab's release (\"ocata\") and pushes that release's settings; set release on the lab (DvrLabProps) and drop it from the node",
    ],
    "the controller's own release, overwritten by the lab's": [
      "DvrLab: controller.release \"queens\" is ignored: DvrLab gives every node the lab's release (\"pike\") and pushes that release's settings; set release on the lab (DvrLabProps) and drop it from the controller",
    ],
    "the controller's own VNI range, overwritten by the lab's": [
      "DvrLab: controller.vniRange {\"min\":1,\"max\":5000} is ignored: DvrLab gives every node the lab's vniRange ({\"min\":1,\"max\":1000}); set vniRange on the lab (DvrLabProps) and drop it from the controller",
    ],
    "a node's own service manager, overwritten by the lab's": [
      "DvrLab: nodes[1].serviceManager \"kolla\" is ignored: DvrLab gives every node the lab's serviceManager (\"systemd\"); set serviceManager on the lab (DvrLabProps) and drop it from the node",
    ],
    "a node's own external physnet, overwritten by the lab's": [
      "DvrLab: nodes[0].externalPhysnet \"physnet1\" is ignored: DvrLab gives every node the lab's externalPhysnet (\"provider\"); set external.physnet on the lab (DvrLabProps) and drop it from the node",
    ],
    "self-composed: an agent newer than the controller": [
      "com1: release \"pike\" is newer than the release \"ocata\" of the controller ctrl1, and neutron-server cannot serve agents of a newer release (Neutron upgrades the server first and supports agents at most one release older); use \"ocata\" on this node, or upgrade the controller first",
    ],
    "self-composed: an agent two releases older than the controller": [
      "com1: release \"ocata\" is 2 releases older than the release \"queens\" of the controller ctrl1, and Neutron supports agents at most one release older than the server (N-1, during a rolling upgrade); use \"queens\" or \"pike\" on this node",
    ],
  },
  "building blocks used on their own": {
    "TenantVxlanNetwork: a subnet naming a router that does not exist": [
      "Tenant: subnets[2].router \"r3\" names no router in routers, so the subnet, its network and its router interface would not be built; use one of: \"r1\"",
    ],
    "TenantVxlanNetwork: two routers of one name": [
      "Tenant: routers[1].name \"r1\" is already the name of routers[0], so only the first is built; give each router its own name",
    ],
    "TenantVxlanNetwork: two subnets of one name": [
      "Tenant: subnets[1].name \"a\" is already the name of subnets[0], so only the first is built; give every subnet its own name",
    ],
    "TenantVxlanNetwork: overlapping subnets of one router": [
      "Tenant: subnets[1].cidr \"10.1.0.0/23\" overlaps subnets[0].cidr \"10.1.0.0/24\" of the same router \"r1\", so Neutron refuses the second router interface (\"overlaps with cidr ... of subnet\"); give the subnets of one router separate address blocks (subnets of different routers may overlap)",
    ],
    "TenantVxlanNetwork: a gateway inside the allocation pool": [
      "Tenant: subnets[0].gatewayIp \"10.1.0.200\" is inside the allocation pool 10.1.0.128-10.1.0.254, so Neutron refuses the subnet (GatewayConflictWithAllocationPools); use a gateway outside 10.1.0.128-10.1.0.254, or move the pool",
    ],
    "TenantVxlanNetwork: an allocation pool outside the subnet": [
      "Tenant: subnets[0].allocationPool.end \"10.1.9.254\" is outside 10.1.0.0/24; use a host address inside 10.1.0.0/24, e.g. \"10.1.0.1\"",
    ],
    "TenantVxlanNetwork: an external gateway without an external network": [
      "Tenant: routers[0].externalGateway true needs external (the network the gateway is taken from), so the router would be built without a gateway; pass external, or set externalGateway: false",
    ],
    "PinnedVm: an empty host (availability zone \"nova:\")": [
      "Vm: vm.host \"\" is empty, so Nova gets availability_zone \"nova:\" and pins the VM to no host (the scheduler places it anywhere); give the host name of the compute node the VM must run on",
    ],
    "PinnedVm: a host that is not a host name": [
      "Vm: vm.host \"com 1\" is not a valid host name; use RFC 1123 labels (1 to 63 letters, digits or hyphens, no leading or trailing hyphen) separated by dots, exactly as nova-compute and the neutron agents report the host",
    ],
    "PinnedVm: an empty name": [
      "Vm: vm.name \"\" is empty; name the VM (it names the Nova instance and its port)",
    ],
    "PinnedVm: a fixed IP outside its subnet": [
      "Vm: vm.fixedIp \"10.9.0.10\" is outside the subnet's CIDR 10.2.0.0/24, so Neutron refuses the port (InvalidIpForSubnet); use a free host address inside 10.2.0.0/24 other than the gateway",
    ],
    "PinnedVm: the subnet's gateway as fixed IP": [
      "Vm: vm.fixedIp \"10.2.0.1\" is the subnet's gateway, which the router interface owns, so Neutron refuses the port (IpAddressAlreadyAllocated); use a free host address inside 10.2.0.0/24 other than the gateway",
    ],
    "PinnedVm: a floating IP without a pool": [
      "Vm: vm.floatingIp true needs floatingIpPool (the external network's name), so no floating IP would be created; pass floatingIpPool, or set floatingIp: false",
    ],
    "VerifyHook: an empty command": [
      "Verify: command \"\" is empty, so the local-exec runs \"--description-env ...\" as a command and fails at the end of cdktf deploy; leave command unset (the default is \"npx --no-install dvr-lab verify\")",
    ],
    "VerifyHook: a VM access host that is not one of its nodes": [
      "Verify: vmAccess.viaHost \"com9\" is not one of nodes, so the verifier has no SSH access to it and cannot reach the probe VMs; use a node that runs a DHCP agent (\"net1\"), or leave viaHost unset",
    ],
    "VerifyHook: a VM access host without a DHCP agent": [
      "Verify: vmAccess.viaHost \"com1\" runs no DHCP agent, so it has no qdhcp namespace through which the verifier reaches the probe VMs; use a node that runs a DHCP agent (\"net1\"), or leave viaHost unset",
    ],
    "VerifyHook: a host of the description missing from its nodes": [
      "Verify: description.hosts[2].name \"com1\" is not among nodes, so the verifier gets no SSH access to it; pass the node of \"com1\" in nodes",
    ],
  },
  "the verify hook of a lab": {
    "an empty verify command": [
      "DvrLab: verifyCommand \"\" is empty, so the verify hook's local-exec runs \"--description-env ...\" as a command and fails at the end of cdktf deploy; leave verifyCommand unset (the default is \"npx --no-install dvr-lab verify\"), or set verify: false",
    ],
    "a VM access host that is not a node of the lab": [
      "DvrLab: verifyVmAccess.viaHost \"com3\" is not a node of this lab, so the verifier has no SSH access to it and cannot reach the probe VMs; use a node that runs a DHCP agent (\"com1\"), or leave viaHost unset",
    ],
    "the controller as VM access host (no DHCP agent, no qdhcp namespace)": [
      "DvrLab: verifyVmAccess.viaHost \"ctrl1\" runs no DHCP agent, so it has no qdhcp namespace through which the verifier reaches the probe VMs; use a node that runs a DHCP agent (\"com1\"), or leave viaHost unset",
    ],
    "an empty VM login user": [
      "DvrLab: verifyVmAccess.user \"\" is empty; use the VMs' login user (the default is \"cirros\"), or leave user unset",
    ],
  },
};

describe.each(Object.keys(CASES))("%s: rejected at synth with exact messages", (cls) => {
  test.each(Object.keys(CASES[cls]))("%s", (name) => {
    expect(EXPECTED[cls]?.[name]).toBeDefined();
    expect(synthErrors(CASES[cls][name]())).toEqual(EXPECTED[cls][name]);
  });
});

describe.each(Object.keys(ACCEPTED))("%s: accepted where Neutron, Nova and Terraform allow it", (cls) => {
  test.each(Object.keys(ACCEPTED[cls]))("%s", (name) => {
    expect(ACCEPTED[cls][name].why.length).toBeGreaterThan(10);
    expect(synthErrors(ACCEPTED[cls][name].build())).toEqual([]);
  });
});

test("every expected message has a case, and there are at least 40 rejected relations", () => {
  const keys = (r: Record<string, Record<string, unknown>>) => Object.entries(r).flatMap(([c, cases]) => Object.keys(cases).map((n) => `${c} / ${n}`));
  expect(keys(EXPECTED).sort()).toEqual(keys(CASES).sort());
  expect(keys(CASES).length).toBeGreaterThanOrEqual(40);
});

const { DVR_SNAT, DVR, DVR_NO_EXTERNAL } = L3AgentMode;
const descriptionOf = (stack: ReturnType<typeof labStack>): LabDescription => {
  const doc = JSON.parse(Testing.synth(stack, true));
  return JSON.parse(Object.values<any>(doc.output)[0].value);
};
const hops = (d: LabDescription, id: string) =>
  Object.fromEntries(d.rows.find((r) => r.id === id)!.directions.map((x) => [x.direction, x.routedAt.map((h) => `${h.namespace}@${h.host}`)]));

describe("expectations that depend on agent modes: the description", () => {
  const noExternalLab = (over = {}) =>
    labStack({ release: OpenStackRelease.PIKE, external: ext, nodes: [node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR, "192.0.2.12"), node("com3", DVR_NO_EXTERNAL, "192.0.2.13")], ...over });

  test("a floating IP of a VM on a dvr_no_external node is expected centralized: its qrouter, then the dvr_snat node's snat; back through snat only", () => {
    const vms = [
      { name: "d1", host: "com3", subnet: "t-dvr-a", floatingIp: true },
      { name: "d2", host: "com3", subnet: "t-dvr-b" },
      { name: "d3", host: "com1", subnet: "t-dvr-a" },
      { name: "l1", host: "com2", subnet: "t-legacy-a", floatingIp: true },
      { name: "l2", host: "com2", subnet: "t-legacy-b" },
      { name: "l3", host: "com1", subnet: "t-legacy-a" },
    ];
    const d = descriptionOf(noExternalLab({ vms }));
    expect(d.rows.find((r) => r.id === "t-dvr-floating-ip")!.source).toBe("d1");
    expect(hops(d, "t-dvr-floating-ip")).toEqual({ request: ["qrouter@com3", "snat@com1"], reply: ["snat@com1"] });
    // No fip namespace is ever expected on a dvr_no_external node.
    const fipHosts = d.rows.flatMap((r) => r.directions.flatMap((x) => x.routedAt.filter((h) => h.namespace === "fip").map((h) => h.host)));
    expect(fipHosts).not.toContain("com3");
  });

  test("a floating IP of a VM on a dvr node keeps its own node's fip namespace", () => {
    const d = descriptionOf(noExternalLab());
    expect(hops(d, "t-dvr-floating-ip")).toEqual({ request: ["qrouter@com2", "fip@com2"], reply: ["fip@com2", "qrouter@com2"] });
  });

  test("without a dvr node the default same-node pair goes to the dvr_no_external node, and its floating IP is centralized", () => {
    const d = descriptionOf(labStack({ release: OpenStackRelease.PIKE, external: ext, nodes: [node("com1", DVR_SNAT, "192.0.2.11"), node("com3", DVR_NO_EXTERNAL, "192.0.2.13")] }));
    const row = d.rows.find((r) => r.id === "t-dvr-same-node")!;
    expect(d.vms.find((v) => v.name === row.source)!.host).toBe("com3");
    expect(hops(d, "t-dvr-same-node")).toEqual({ request: ["qrouter@com3"], reply: ["qrouter@com3"] });
    expect(hops(d, "t-dvr-floating-ip")).toEqual({ request: ["qrouter@com3", "snat@com1"], reply: ["snat@com1"] });
  });

  test("DVR-W005's fix names the lab's own node that tells DVR from legacy (here a dvr_no_external node)", () => {
    const vms = baselineVms({ 0: { host: "com1" }, 1: { host: "com1" }, 2: { host: "com2" } });
    const stack = labStack({ release: OpenStackRelease.PIKE, nodes: [node("com1", DVR_SNAT, "192.0.2.11"), node("com2", DVR_NO_EXTERNAL, "192.0.2.12")], vms });
    expect(annotations(stack, "warning")).toEqual([
      '[DVR-W005] DvrLab: vms ["t-dvr-a-com2","t-dvr-b-com2"] put the same-node row of router "t-dvr" on the dvr_snat node "com1", where legacy and DVR routing look alike; put the same-node pair on the dvr_no_external node "com2" (the default placement does)',
    ]);
  });

  test("DVR-W005 is not reported where DVR-E005 applies (its fix would name no node)", () => {
    const stack = stackWith((s) =>
      new DvrLab(s, "DvrLab", labProps({ nodes: [node("net1", DVR_SNAT, "192.0.2.10"), node("net2", DVR_SNAT, "192.0.2.13"), node("com1", DVR, "192.0.2.11", { runsVms: false })] })),
    );
    expect(annotations(stack, "warning").filter((m) => m.startsWith("[DVR-W005]"))).toEqual([]);
  });
});
