import { SYNTH_CASES, THROW_CASES } from "./support/cases";
import { labStack, synthErrors } from "./support/lab";

/**
 * Bad inputs never reach a node. Each case (test/validation/support/cases.ts) builds a small lab with
 * exactly ONE bad input; its test asserts the exact, complete list of errors `Testing.synth(stack,
 * true)` fails with: one message naming the construct path, the prop, the bad value and the fix.
 */
const EXPECTED_AT_SYNTH: Record<string, string> = {
  "malformed CIDR":
    "DvrLab: distributedRouter.subnets[0].cidr \"10.0.0.0/33\" is not an IPv4 CIDR; use a network address and a prefix length from 0 to 32, such as \"10.0.0.0/24\"",
  "CIDR with host bits set":
    "DvrLab: distributedRouter.subnets[1].cidr \"10.0.1.5/24\" has host bits set; use the network address \"10.0.1.0/24\"",
  "CIDR too small for a lab subnet":
    "DvrLab: distributedRouter.subnets[1].cidr \"10.0.1.0/29\" is too small for a lab subnet; use a /27 or larger (the gateway, the probe VMs from .10 and the DHCP pool in the upper half need room)",
  "overlapping subnets of one router":
    "DvrLab: distributedRouter.subnets[1].cidr \"10.0.0.128/25\" overlaps distributedRouter.subnets[0].cidr \"10.0.0.0/24\"; give every subnet its own address block",
  "overlapping subnets of two routers":
    "DvrLab: legacyRouter.subnets[1].cidr \"10.0.0.0/16\" overlaps distributedRouter.subnets[0].cidr \"10.0.0.0/24\"; give every subnet its own address block",
  "external CIDR overlapping a tenant subnet":
    "DvrLab: external.cidr \"198.51.100.0/24\" overlaps distributedRouter.subnets[0].cidr \"198.51.100.0/26\"; tenant subnets and the external network need separate address blocks",
  "gateway outside its subnet":
    "DvrLab: distributedRouter.subnets[0].gatewayIp \"10.0.1.1\" is outside 10.0.0.0/24; use a host address inside 10.0.0.0/24, e.g. \"10.0.0.1\"",
  "gateway = network address":
    "DvrLab: distributedRouter.subnets[0].gatewayIp \"10.0.0.0\" is the network address of 10.0.0.0/24; use a host address such as \"10.0.0.1\"",
  "gateway = broadcast address":
    "DvrLab: distributedRouter.subnets[0].gatewayIp \"10.0.0.255\" is the broadcast address of 10.0.0.0/24; use a host address such as \"10.0.0.1\"",
  "gateway not IPv4":
    "DvrLab: distributedRouter.subnets[0].gatewayIp \"10.0.0.1.1\" is not an IPv4 address; use a host address inside 10.0.0.0/24, e.g. \"10.0.0.1\"",
  "fixed IP outside its subnet":
    "DvrLab: vms[0].fixedIp \"10.9.9.9\" is outside subnet \"t-dvr-a\" (198.51.100.0/26); use an address from 198.51.100.2 to 198.51.100.31 other than the gateway, or leave fixedIp unset",
  "fixed IP = the gateway":
    "DvrLab: vms[0].fixedIp \"198.51.100.1\" is the gateway of subnet \"t-dvr-a\" (198.51.100.0/26), which the router's interface owns; use an address from 198.51.100.2 to 198.51.100.31 other than the gateway, or leave fixedIp unset",
  "fixed IP inside the DHCP pool":
    "DvrLab: vms[0].fixedIp \"198.51.100.40\" is inside the DHCP allocation pool 198.51.100.32-198.51.100.62 of subnet \"t-dvr-a\", so DHCP may hand it to another port; use an address from 198.51.100.2 to 198.51.100.31 other than the gateway, or leave fixedIp unset",
  "fixed IP = broadcast address":
    "DvrLab: vms[0].fixedIp \"198.51.100.63\" is the broadcast address of subnet \"t-dvr-a\" (198.51.100.0/26); use an address from 198.51.100.2 to 198.51.100.31 other than the gateway, or leave fixedIp unset",
  "fixed IP not IPv4":
    "DvrLab: vms[0].fixedIp \"198.51.100\" is not an IPv4 address; use a dotted-quad address inside the VM's subnet, or leave fixedIp unset",
  "duplicate fixed IPs":
    "DvrLab: vms[2].fixedIp \"198.51.100.20\" is already the address of vms[0]; give every VM its own address",
  "duplicate host names":
    "DvrLab/nodes-2: hostName \"com1\" is already the host name of DvrLab/com1; give every node a unique host name (nova and neutron match agents to nodes by host name)",
  "agent node named like the controller":
    "DvrLab/nodes-1: hostName \"ctrl1\" is already the host name of DvrLab/ctrl1; give every node a unique host name (nova and neutron match agents to nodes by host name)",
  "duplicate tunnel IPs":
    "DvrLab/com2: tunnelIp \"192.0.2.11\" is already the tunnel IP of DvrLab/com1; give every node its own VXLAN endpoint address",
  "tunnel IP not IPv4":
    "DvrLab/com2: tunnelIp \"10.0.0.300\" is not an IPv4 address; use a dotted-quad address on the node's tunnel interface",
  "empty host name":
    "DvrLab/nodes-1: hostName \"\" is not a valid host name; use RFC 1123 labels (1 to 63 letters, digits or hyphens, no leading or trailing hyphen) separated by dots, exactly as nova-compute and the neutron agents report the host",
  "invalid host name (RFC 1123)":
    "DvrLab/com_2: hostName \"com_2\" is not a valid host name; use RFC 1123 labels (1 to 63 letters, digits or hyphens, no leading or trailing hyphen) separated by dots, exactly as nova-compute and the neutron agents report the host",
  "host name with a trailing hyphen":
    "DvrLab/ctrl-: hostName \"ctrl-\" is not a valid host name; use RFC 1123 labels (1 to 63 letters, digits or hyphens, no leading or trailing hyphen) separated by dots, exactly as nova-compute and the neutron agents report the host",
  "VM pinned to a host not in the lab":
    "DvrLab: vms[0].host \"com9\" is not a node of this lab; use a node that runs VMs: \"com1\", \"com2\"",
  "VM pinned to the controller":
    "DvrLab: vms[0].host \"ctrl1\" is the controller, which runs no VMs; use a node that runs VMs: \"com1\", \"com2\"",
  "VM pinned to a node with runsVms false":
    "DvrLab: vms[0].host \"net1\" is a node with runsVms false; use a node that runs VMs (\"com1\", \"com2\"), or set runsVms on \"net1\"",
  "VM on an unknown subnet":
    "DvrLab: vms[0].subnet \"t-dvr-c\" is not a subnet of this lab; use one of: \"t-dvr-a\", \"t-dvr-b\", \"t-legacy-a\", \"t-legacy-b\"",
  "duplicate VM names":
    "DvrLab: vms[1].name \"t-dvr-a-com2\" is already the name of vms[0]; give every VM a unique name",
  "floating IP without an external network":
    "DvrLab: vms[0].floatingIp true needs an external network; set external on the lab, or drop floatingIp",
  "no dvr_snat node while a legacy router exists":
    "DvrLab: nodes [\"com1:dvr\",\"com2:dvr\"] has no dvr_snat node to host the legacy router \"t-legacy\"; give one node mode L3AgentMode.DVR_SNAT",
  "no dvr_snat node while a router needs SNAT":
    "DvrLab: nodes [\"com1:dvr\",\"com2:dvr\"] has no dvr_snat node to host the legacy router \"t-legacy\" and the SNAT part of router \"t-dvr\"; give one node mode L3AgentMode.DVR_SNAT",
  "no agent nodes at all":
    "DvrLab: nodes [] is empty; add a node with mode L3AgentMode.DVR_SNAT and at least one with L3AgentMode.DVR",
  "more than one controller in one scope":
    "ctrl2: DvrController is a second controller in stack \"s\" (the first is \"ctrl1\"); a lab has one neutron-server node: remove this one, or compose each lab in its own construct",
  "dvr_no_external before Pike":
    "DvrLab/com2: mode \"dvr_no_external\" is not available in ocata (it came in pike); use L3AgentMode.DVR, or target pike or newer",
  "legacy mode on a compute node":
    "DvrLab/com2: mode \"legacy\" is not a DVR compute-node mode; use L3AgentMode.DVR or L3AgentMode.DVR_NO_EXTERNAL (a dvr_snat node is a DvrSnatNode)",
  "same-node row impossible with the given VMs":
    "DvrLab: vms place no two VMs of different subnets of router \"t-dvr\" on one node, so its same-node row cannot be verified; put VMs of \"t-dvr-a\" and \"t-dvr-b\" on the same dvr node",
  "only one node runs VMs":
    "DvrLab: nodes [\"com1:dvr_snat\",\"com2:dvr\"] runs VMs only on \"com2\", so the cross-node rows cannot be verified; let a second node run VMs (runsVms: true, the default)",
  "router with one subnet":
    "DvrLab: distributedRouter.subnets [\"a\"] has 1 subnet; give the router two subnets (the verification rows route between different subnets of one router)",
  "subnet (and its gateway) claimed by two routers":
    "DvrLab: legacyRouter.subnets[0].name \"b\" is already a subnet of router \"t-dvr\" (distributedRouter.subnets[1]); a subnet's gateway belongs to one router: give this router its own subnet",
  "duplicate subnet names in one router":
    "DvrLab: distributedRouter.subnets[1].name \"a\" is already used by distributedRouter.subnets[0]; give every subnet a unique name",
  "duplicate router names":
    "DvrLab: legacyRouter.name \"r\" is already the name of distributedRouter; give each router its own name",
  "VNI outside vniRange":
    "DvrLab: distributedRouter.subnets[0].vni 200 is outside vniRange 100..199; use a VNI inside vniRange, widen vniRange, or leave vni unset",
  "duplicate VNIs":
    "DvrLab: distributedRouter.subnets[1].vni 7 is already the VNI of distributedRouter.subnets[0]; give every network its own VNI, or leave vni unset",
  "vniRange min > max":
    "DvrLab/ctrl1: vniRange {\"min\":2000,\"max\":1000} has min greater than max; swap them: { min: 1000, max: 2000 }",
  "vniRange beyond 24 bits":
    "DvrLab/ctrl1: vniRange {\"min\":1,\"max\":16777216} is outside 1..16777215; use integer VNIs from 1 to 16777215 (24 bits), e.g. { min: 1, max: 1000 }",
  "vniRange starting at 0":
    "DvrLab/ctrl1: vniRange {\"min\":0,\"max\":10} is outside 1..16777215; use integer VNIs from 1 to 16777215 (24 bits), e.g. { min: 1, max: 1000 }",
  "MTU above 9000":
    "DvrLab: distributedRouter.subnets[0].mtu 9216 is outside 68..9000; use an integer MTU from 68 to 9000, or leave it unset for Neutron's value (1450 on VXLAN over a 1500 underlay)",
  "MTU below 68":
    "DvrLab: distributedRouter.subnets[0].mtu 67 is outside 68..9000; use an integer MTU from 68 to 9000, or leave it unset for Neutron's value (1450 on VXLAN over a 1500 underlay)",
  "empty mechanism drivers":
    "DvrLab/ctrl1: mechanismDrivers [] is empty; use [\"openvswitch\", \"l2population\"] (the default)",
  "ssh port out of range":
    "DvrLab/com1: ssh.port 70000 is not a TCP port; use an integer from 1 to 65535 (default 22)",
  "ssh port 0":
    "DvrLab/ctrl1: ssh.port 0 is not a TCP port; use an integer from 1 to 65535 (default 22)",
  "empty ssh address":
    "DvrLab/ctrl1: ssh.address \"\" is empty; use the IP address or DNS name Terraform reaches the node at",
  "missing host key":
    "DvrLab/ctrl1: ssh.hostKey is not set, so nothing verifies the node's identity; pass the node's SSH host public key (ssh-keyscan output checked out of band), or set ssh.insecureSkipHostKeyCheck: true for a throw-away lab",
  "host key that is not a public key":
    "DvrLab/ctrl1: ssh.hostKey \"SHA256:Zm9vYmFy\" is not an SSH public key; use the \"<type> <base64>\" line of the node's /etc/ssh/ssh_host_ed25519_key.pub (or ssh-keyscan output)",
  "private key from an empty file path":
    "DvrLab/ctrl1: ssh.privateKey \"\" is empty; pass the path of the key file to SshPrivateKey.fromFile(...)",
  "private key in a non-sensitive variable":
    "DvrLab/ctrl1: ssh.privateKey is the variable \"key\", which is not sensitive, so Terraform prints the key in plans and outputs; declare the variable with sensitive: true",
  "empty image name":
    "DvrLab: instances.imageName \"\" is empty; name an existing Glance image (CirrOS is enough)",
  "empty flavor name":
    "DvrLab: instances.flavorName \" \" is empty; name an existing Nova flavor (e.g. \"m1.tiny\")",
  "lab public key that is not a public key":
    "DvrLab: instances.publicKey \"AAAAC3NzaC1lZDI1NTE5\" is not an SSH public key; use the \"<type> <base64> [comment]\" line of a .pub file",
  "invalid lab name":
    "DvrLab: labName \"my lab\" is not a valid lab name; use letters, digits, hyphens and underscores, starting with a letter or digit (it prefixes every OpenStack name of the lab)",
  "external gateway outside the external CIDR":
    "DvrLab: external.gatewayIp \"198.18.0.1\" is outside 203.0.113.0/24; use a host address inside 203.0.113.0/24, e.g. \"203.0.113.1\"",
  "external allocation pool reversed":
    "DvrLab: external.allocationPool {\"start\":\"203.0.113.200\",\"end\":\"203.0.113.100\"} starts after it ends; swap start and end",
  "malformed sshSourceCidr":
    "DvrLab: sshSourceCidr \"192.0.2.0/24/8\" is not an IPv4 CIDR; use a network address and a prefix length from 0 to 32, such as \"10.0.0.0/24\"",
  "empty external physnet":
    "DvrLab: external.physnet \"\" is empty; name the physnet of the flat external network (e.g. \"provider\")",
  "self-composed: duplicate host names":
    "b: hostName \"com1\" is already the host name of a; give every node a unique host name (nova and neutron match agents to nodes by host name)",
  "self-composed: DvrSnatNode mode given to DvrComputeNode":
    "com1: mode \"dvr_snat\" is not a DVR compute-node mode; use L3AgentMode.DVR or L3AgentMode.DVR_NO_EXTERNAL (a dvr_snat node is a DvrSnatNode)",
  "self-composed: dvr_no_external on Ocata":
    "com1: mode \"dvr_no_external\" is not available in ocata (it came in pike); use L3AgentMode.DVR, or target pike or newer",
};

/** Props that cannot be synthesized at all: the constructor throws, so nothing is ever written. */
const EXPECTED_AT_CONSTRUCTION: Record<string, string> = {
  "unknown release name":
    "DvrLab: release \"zedd\" is not a known OpenStack release; use OpenStackRelease.of(name) with one of: ocata, pike, queens, rocky, stein, train, ussuri, victoria, wallaby, xena, yoga, zed, antelope, bobcat, caracal, dalmatian, epoxy, flamingo, gazpacho",
  "private key material passed to SshPrivateKey.fromFile":
    "DvrLab/ctrl1: ssh.privateKey is SshPrivateKey.fromFile(...) with private key material instead of a file path, which would be written into cdk.tf.json; pass the key's file path to SshPrivateKey.fromFile(...) or a sensitive TerraformVariable to SshPrivateKey.fromVariable(...)",
  "private key as a plain string (JavaScript caller)":
    "DvrLab/ctrl1: ssh.privateKey is a literal string, which would be written into cdk.tf.json; pass the key's file path to SshPrivateKey.fromFile(...) or a sensitive TerraformVariable to SshPrivateKey.fromVariable(...)",
  "private key variable with a default value":
    "DvrLab/ctrl1: ssh.privateKey is the variable \"key\" with a default value, which would be written into cdk.tf.json; drop the variable's default and set the key at plan time (TF_VAR_... or a .tfvars file kept out of git)",
  "private key given as the host key":
    "DvrLab/ctrl1: ssh.hostKey holds private key material, which would be written into cdk.tf.json; use the node's host PUBLIC key (the line of /etc/ssh/ssh_host_ed25519_key.pub, or ssh-keyscan output checked out of band)",
  "private key given as the lab public key":
    "DvrLab: instances.publicKey holds private key material, which would be written into cdk.tf.json; use the \"<type> <base64> [comment]\" line of a .pub file (the public half of the key pair)",
  "agent mode as a string (JavaScript caller)":
    "DvrLab/com2: mode \"dvr\" is not an L3AgentMode; use L3AgentMode.DVR_SNAT, L3AgentMode.DVR or L3AgentMode.DVR_NO_EXTERNAL",
};

describe("the valid baseline", () => {
  test("synthesizes without errors (so every failure below comes from its one bad input)", () => {
    expect(synthErrors(labStack())).toEqual([]);
  });
});

describe("bad input fails Testing.synth(stack, true) with one exact message", () => {
  test.each(Object.keys(SYNTH_CASES))("%s", (name) => {
    expect(EXPECTED_AT_SYNTH[name]).toBeDefined();
    expect(synthErrors(SYNTH_CASES[name]())).toEqual([EXPECTED_AT_SYNTH[name]]);
  });
});

describe("props that cannot be synthesized throw in the constructor", () => {
  test.each(Object.keys(THROW_CASES))("%s", (name) => {
    expect(EXPECTED_AT_CONSTRUCTION[name]).toBeDefined();
    let message: string | undefined;
    try {
      THROW_CASES[name]();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(EXPECTED_AT_CONSTRUCTION[name]);
  });
});

test("every expected message has a case (no stale expectations)", () => {
  expect(Object.keys(EXPECTED_AT_SYNTH).sort()).toEqual(Object.keys(SYNTH_CASES).sort());
  expect(Object.keys(EXPECTED_AT_CONSTRUCTION).sort()).toEqual(Object.keys(THROW_CASES).sort());
});
