import { TerraformStack, TerraformVariable } from "cdktf";
import { DvrComputeNode, DvrController, DvrLab, DvrSnatNode, L3AgentMode, OpenStackRelease, SshPrivateKey } from "../../../lib";
import { baselineVms, FAKE_PRIVATE_KEY, labProps, labStack, node, ssh, stackWith } from "./lab";

/** Two subnets for a router (names a, b unless given). */
export const two = (a: string, b: string, names = ["a", "b"]) => [
  { name: names[0], cidr: a },
  { name: names[1], cidr: b },
];
const ext = { networkName: "public", cidr: "203.0.113.0/24", physnet: "provider" };

/**
 * Bad inputs that fail validation at synth. Each builds a lab (or nodes) with exactly ONE bad input;
 * the expected message lives in the test.
 */
export const SYNTH_CASES: Record<string, () => TerraformStack> = {
  "malformed CIDR": () => labStack({ distributedRouter: { subnets: two("10.0.0.0/33", "10.0.1.0/24") } }),
  "CIDR with host bits set": () => labStack({ distributedRouter: { subnets: two("10.0.0.0/24", "10.0.1.5/24") } }),
  "CIDR too small for a lab subnet": () => labStack({ distributedRouter: { subnets: two("10.0.0.0/24", "10.0.1.0/29") } }),
  "overlapping subnets of one router": () => labStack({ distributedRouter: { subnets: two("10.0.0.0/24", "10.0.0.128/25") } }),
  "overlapping subnets of two routers": () =>
    labStack({ distributedRouter: { subnets: two("10.0.0.0/24", "10.0.1.0/24") }, legacyRouter: { subnets: two("10.0.2.0/24", "10.0.0.0/16", ["c", "d"]) } }),
  "external CIDR overlapping a tenant subnet": () => labStack({ external: { ...ext, cidr: "198.51.100.0/24" } }),
  "gateway outside its subnet": () =>
    labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", gatewayIp: "10.0.1.1" }, { name: "b", cidr: "10.0.1.0/24" }] } }),
  "gateway = network address": () =>
    labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", gatewayIp: "10.0.0.0" }, { name: "b", cidr: "10.0.1.0/24" }] } }),
  "gateway = broadcast address": () =>
    labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", gatewayIp: "10.0.0.255" }, { name: "b", cidr: "10.0.1.0/24" }] } }),
  "gateway not IPv4": () =>
    labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", gatewayIp: "10.0.0.1.1" }, { name: "b", cidr: "10.0.1.0/24" }] } }),
  "fixed IP outside its subnet": () => labStack({ vms: baselineVms({ 0: { fixedIp: "10.9.9.9" } }) }),
  "fixed IP = the gateway": () => labStack({ vms: baselineVms({ 0: { fixedIp: "198.51.100.1" } }) }),
  "fixed IP inside the DHCP pool": () => labStack({ vms: baselineVms({ 0: { fixedIp: "198.51.100.40" } }) }),
  "fixed IP = broadcast address": () => labStack({ vms: baselineVms({ 0: { fixedIp: "198.51.100.63" } }) }),
  "fixed IP not IPv4": () => labStack({ vms: baselineVms({ 0: { fixedIp: "198.51.100" } }) }),
  "duplicate fixed IPs": () => labStack({ vms: baselineVms({ 0: { fixedIp: "198.51.100.20" }, 2: { fixedIp: "198.51.100.20" } }) }),
  "duplicate host names": () =>
    labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com2", L3AgentMode.DVR, "192.0.2.12"), node("com1", L3AgentMode.DVR, "192.0.2.13")] }),
  "agent node named like the controller": () => labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("ctrl1", L3AgentMode.DVR, "192.0.2.12")] }),
  "duplicate tunnel IPs": () => labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com2", L3AgentMode.DVR, "192.0.2.11")] }),
  "tunnel IP not IPv4": () => labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com2", L3AgentMode.DVR, "10.0.0.300")] }),
  "empty host name": () => labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("", L3AgentMode.DVR, "192.0.2.12")] }),
  "invalid host name (RFC 1123)": () => labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com_2", L3AgentMode.DVR, "192.0.2.12")] }),
  "host name with a trailing hyphen": () => labStack({ controller: { hostName: "ctrl-", ssh: ssh() } }),
  "VM pinned to a host not in the lab": () => labStack({ vms: baselineVms({ 0: { host: "com9" } }) }),
  "VM pinned to the controller": () => labStack({ vms: baselineVms({ 0: { host: "ctrl1" } }) }),
  "VM pinned to a node with runsVms false": () =>
    labStack({
      nodes: [node("net1", L3AgentMode.DVR_SNAT, "192.0.2.10", { runsVms: false }), node("com1", L3AgentMode.DVR, "192.0.2.11"), node("com2", L3AgentMode.DVR, "192.0.2.12")],
      vms: baselineVms({ 0: { host: "net1" } }),
    }),
  "VM on an unknown subnet": () => labStack({ vms: baselineVms({ 0: { subnet: "t-dvr-c" } }) }),
  "duplicate VM names": () => labStack({ vms: baselineVms({ 1: { name: "t-dvr-a-com2" } }) }),
  "floating IP without an external network": () => labStack({ vms: baselineVms({ 0: { floatingIp: true } }) }),
  "no dvr_snat node while a legacy router exists": () =>
    labStack({ nodes: [node("com1", L3AgentMode.DVR, "192.0.2.11"), node("com2", L3AgentMode.DVR, "192.0.2.12")] }),
  "no dvr_snat node while a router needs SNAT": () =>
    labStack({ nodes: [node("com1", L3AgentMode.DVR, "192.0.2.11"), node("com2", L3AgentMode.DVR, "192.0.2.12")], external: ext }),
  "no agent nodes at all": () => labStack({ nodes: [] }),
  "more than one controller in one scope": () =>
    stackWith((s) => {
      new DvrController(s, "ctrl1", { hostName: "ctrl1", ssh: ssh() });
      new DvrController(s, "ctrl2", { hostName: "ctrl2", ssh: ssh() });
    }),
  "dvr_no_external before Pike": () =>
    labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com2", L3AgentMode.DVR_NO_EXTERNAL, "192.0.2.12")] }),
  "legacy mode on a compute node": () =>
    labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com2", L3AgentMode.LEGACY, "192.0.2.12")] }),
  "same-node row impossible with the given VMs": () =>
    labStack({
      vms: [
        { name: "d1", host: "com1", subnet: "t-dvr-a" },
        { name: "d2", host: "com2", subnet: "t-dvr-b" },
        { name: "l1", host: "com2", subnet: "t-legacy-a" },
        { name: "l2", host: "com2", subnet: "t-legacy-b" },
        { name: "l3", host: "com1", subnet: "t-legacy-a" },
      ],
    }),
  "only one node runs VMs": () => labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11", { runsVms: false }), node("com2", L3AgentMode.DVR, "192.0.2.12")] }),
  "router with one subnet": () => labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24" }] } }),
  "subnet (and its gateway) claimed by two routers": () =>
    labStack({ distributedRouter: { subnets: two("10.0.0.0/24", "10.0.1.0/24") }, legacyRouter: { subnets: two("10.0.1.0/24", "10.0.2.0/24", ["b", "c"]) } }),
  "duplicate subnet names in one router": () => labStack({ distributedRouter: { subnets: two("10.0.0.0/24", "10.0.1.0/24", ["a", "a"]) } }),
  "duplicate router names": () => labStack({ distributedRouter: { name: "r" }, legacyRouter: { name: "r" } }),
  "VNI outside vniRange": () =>
    labStack({ vniRange: { min: 100, max: 199 }, distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", vni: 200 }, { name: "b", cidr: "10.0.1.0/24" }] } }),
  "duplicate VNIs": () =>
    labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", vni: 7 }, { name: "b", cidr: "10.0.1.0/24", vni: 7 }] } }),
  "vniRange min > max": () => labStack({ vniRange: { min: 2000, max: 1000 } }),
  "vniRange beyond 24 bits": () => labStack({ vniRange: { min: 1, max: 16777216 } }),
  "vniRange starting at 0": () => labStack({ vniRange: { min: 0, max: 10 } }),
  "MTU above 9000": () => labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", mtu: 9216 }, { name: "b", cidr: "10.0.1.0/24" }] } }),
  "MTU below 68": () => labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", mtu: 67 }, { name: "b", cidr: "10.0.1.0/24" }] } }),
  "empty mechanism drivers": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh(), mechanismDrivers: [] } }),
  "ssh port out of range": () => labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11", { ssh: ssh({ port: 70000 }) }), node("com2", L3AgentMode.DVR, "192.0.2.12")] }),
  "ssh port 0": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh({ port: 0 }) } }),
  "empty ssh address": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh({ address: "" }) } }),
  "missing host key": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh({ hostKey: undefined }) } }),
  "host key that is not a public key": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh({ hostKey: "SHA256:Zm9vYmFy" }) } }),
  "private key from an empty file path": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh({ privateKey: SshPrivateKey.fromFile("") }) } }),
  "private key in a non-sensitive variable": () =>
    stackWith((s) => {
      const key = new TerraformVariable(s, "key", { type: "string" });
      new DvrLab(s, "DvrLab", labProps({ controller: { hostName: "ctrl1", ssh: ssh({ privateKey: SshPrivateKey.fromVariable(key) }) } }));
    }),
  "empty image name": () => labStack({ instances: { ...labProps().instances, imageName: "" } }),
  "empty flavor name": () => labStack({ instances: { ...labProps().instances, flavorName: " " } }),
  "lab public key that is not a public key": () => labStack({ instances: { ...labProps().instances, publicKey: "AAAAC3NzaC1lZDI1NTE5" } }),
  "invalid lab name": () => labStack({ labName: "my lab" }),
  "external gateway outside the external CIDR": () => labStack({ external: { ...ext, gatewayIp: "198.18.0.1" } }),
  "external allocation pool reversed": () => labStack({ external: { ...ext, allocationPool: { start: "203.0.113.200", end: "203.0.113.100" } } }),
  "malformed sshSourceCidr": () => labStack({ sshSourceCidr: "192.0.2.0/24/8" }),
  "empty external physnet": () => labStack({ external: { ...ext, physnet: "" } }),
  // Self-composed nodes (no DvrLab): the same checks with the composing construct as the lab.
  "self-composed: duplicate host names": () =>
    stackWith((s) => {
      new DvrSnatNode(s, "a", { hostName: "com1", tunnelIp: "192.0.2.11", ssh: ssh() });
      new DvrComputeNode(s, "b", { hostName: "com1", tunnelIp: "192.0.2.12", ssh: ssh() });
    }),
  "self-composed: DvrSnatNode mode given to DvrComputeNode": () =>
    stackWith((s) => {
      new DvrComputeNode(s, "com1", { hostName: "com1", tunnelIp: "192.0.2.11", ssh: ssh(), mode: L3AgentMode.DVR_SNAT });
    }),
  "self-composed: dvr_no_external on Ocata": () =>
    stackWith((s) => {
      new DvrComputeNode(s, "com1", { hostName: "com1", tunnelIp: "192.0.2.11", ssh: ssh(), mode: L3AgentMode.DVR_NO_EXTERNAL, release: OpenStackRelease.OCATA });
    }),
};

/** Bad inputs that cannot be synthesized at all: the constructor throws. */
export const THROW_CASES: Record<string, () => unknown> = {
  "unknown release name": () => labStack({ release: "zedd" as any }),
  "private key material passed to SshPrivateKey.fromFile": () =>
    labStack({ controller: { hostName: "ctrl1", ssh: ssh({ privateKey: SshPrivateKey.fromFile(FAKE_PRIVATE_KEY) }) } }),
  "private key as a plain string (JavaScript caller)": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh({ privateKey: FAKE_PRIVATE_KEY as any }) } }),
  "private key variable with a default value": () =>
    stackWith((s) => {
      const key = new TerraformVariable(s, "key", { type: "string", sensitive: true, default: FAKE_PRIVATE_KEY });
      new DvrLab(s, "DvrLab", labProps({ controller: { hostName: "ctrl1", ssh: ssh({ privateKey: SshPrivateKey.fromVariable(key) }) } }));
    }),
  "private key given as the host key": () => labStack({ controller: { hostName: "ctrl1", ssh: ssh({ hostKey: FAKE_PRIVATE_KEY }) } }),
  "private key given as the lab public key": () => labStack({ instances: { ...labProps().instances, publicKey: FAKE_PRIVATE_KEY } }),
  "agent mode as a string (JavaScript caller)": () =>
    labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com2", "dvr" as any, "192.0.2.12")] }),
};

