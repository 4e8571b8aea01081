import { desiredConfig } from "../lib/push/desired-config";
import {
  LabTopology,
  OpenStackRelease,
  releaseSettings,
  ServiceManager,
  TopologySpec,
} from "../lib";

const reference: TopologySpec = {
  name: "ref",
  release: OpenStackRelease.OCATA,
  hosts: [
    { name: "ctrl1", role: "controller" },
    { name: "com1", role: "dvr_snat", tunnelIp: "192.0.2.11" },
    { name: "com2", role: "dvr", tunnelIp: "192.0.2.12" },
  ],
  routers: [
    { name: "dvr", distributed: true, subnets: [{ name: "dvr-a", cidr: "198.51.100.0/26" }, { name: "dvr-b", cidr: "198.51.100.64/26" }] },
    { name: "legacy", distributed: false, subnets: [{ name: "leg-a", cidr: "198.51.100.128/26" }, { name: "leg-b", cidr: "198.51.100.192/26" }] },
  ],
  external: { network: "public", cidr: "203.0.113.0/24", physnet: "provider" },
};

const hops = (t: LabTopology, id: string) =>
  Object.fromEntries(
    t.rows.find((r) => r.id === id)!.directions.map((d) => [d.direction, d.routedAt.map((h) => `${h.namespace}@${h.host}`)]),
  );

describe("topology model: placement and expected routing (docs/DVR.md §2.6)", () => {
  const t = new LabTopology(reference);

  test("places the same-node pair on the dvr node and the cross-node partner on the dvr_snat node", () => {
    expect(t.vms.map((v) => `${v.name}@${v.host} ${v.fixedIp}${v.floatingIp ? " fip" : ""}`)).toEqual([
      "dvr-a-com2@com2 198.51.100.10 fip",
      "dvr-b-com2@com2 198.51.100.74",
      "dvr-a-com1@com1 198.51.100.11",
      "legacy-a-com2@com2 198.51.100.138 fip",
      "legacy-b-com2@com2 198.51.100.202",
      "legacy-a-com1@com1 198.51.100.139",
    ]);
  });

  test("DVR same node: the VMs' own node routes both directions", () => {
    const row = t.rows.find((r) => r.id === "dvr-same-node")!;
    expect([row.source, row.target]).toEqual(["dvr-a-com2", "dvr-b-com2"]);
    expect(hops(t, "dvr-same-node")).toEqual({ request: ["qrouter@com2"], reply: ["qrouter@com2"] });
  });

  test("DVR different nodes: each sender's node routes its direction", () => {
    const row = t.rows.find((r) => r.id === "dvr-cross-node")!;
    expect([row.source, row.target]).toEqual(["dvr-a-com1", "dvr-b-com2"]);
    expect(hops(t, "dvr-cross-node")).toEqual({ request: ["qrouter@com1"], reply: ["qrouter@com2"] });
  });

  test("legacy: the network node (dvr_snat) routes every east-west direction", () => {
    expect(hops(t, "legacy-same-node")).toEqual({ request: ["qrouter@com1"], reply: ["qrouter@com1"] });
    expect(hops(t, "legacy-cross-node")).toEqual({ request: ["qrouter@com1"], reply: ["qrouter@com1"] });
  });

  test("north-south: SNAT via the snat namespace, floating IP on the VM's own node", () => {
    expect(t.rows.find((r) => r.id === "dvr-snat")!.source).toBe("dvr-b-com2");
    expect(hops(t, "dvr-snat")).toEqual({ request: ["qrouter@com2", "snat@com1"], reply: ["snat@com1"] });
    expect(hops(t, "dvr-floating-ip")).toEqual({ request: ["qrouter@com2", "fip@com2"], reply: ["fip@com2", "qrouter@com2"] });
    expect(hops(t, "legacy-snat")).toEqual({ request: ["qrouter@com1"], reply: ["qrouter@com1"] });
  });

  test("no external network: east-west rows only, no floating IPs", () => {
    const noExt = new LabTopology({ ...reference, external: undefined });
    expect(noExt.rows.map((r) => r.kind)).toEqual(["same-node", "cross-node", "same-node", "cross-node"]);
    expect(noExt.vms.some((v) => v.floatingIp)).toBe(false);
  });

  test("upstream layout: no VM on the network node; cross-node pair across the two dvr computes", () => {
    const up = new LabTopology({
      ...reference,
      hosts: [
        { name: "ctrl1", role: "controller" },
        { name: "net1", role: "dvr_snat", tunnelIp: "192.0.2.10", runsVms: false },
        { name: "com1", role: "dvr", tunnelIp: "192.0.2.11" },
        { name: "com2", role: "dvr", tunnelIp: "192.0.2.12" },
      ],
    });
    expect(up.vms.map((v) => v.host)).not.toContain("net1");
    expect(hops(up, "dvr-cross-node")).toEqual({ request: ["qrouter@com2"], reply: ["qrouter@com1"] });
    expect(hops(up, "legacy-cross-node")).toEqual({ request: ["qrouter@net1"], reply: ["qrouter@net1"] });
    expect(up.host("net1")!.agents).toEqual(["Open vSwitch agent", "L3 agent", "Metadata agent", "DHCP agent"]);
  });

  test("subnet defaults: gateway .1 and the upper half as DHCP pool", () => {
    expect(t.subnet("dvr-b")).toMatchObject({ gatewayIp: "198.51.100.65", allocationPool: { start: "198.51.100.96", end: "198.51.100.126" } });
  });
});

describe("release table (docs/DVR.md §3.2)", () => {
  test.each([
    ["ocata", { firewallDriver: "iptables_hybrid", setEmptyExternalNetworkBridge: true, metadataHostOption: "nova_metadata_ip", interfaceDriverRequired: true, vmsOnSnatNodeUnsupported: false }],
    ["pike", { firewallDriver: undefined, setEmptyExternalNetworkBridge: true, metadataHostOption: "nova_metadata_host" }],
    ["stein", { setEmptyExternalNetworkBridge: false, arpResponderForced: false }],
    ["train", { arpResponderForced: true }],
    ["wallaby", { vmsOnSnatNodeUnsupported: false }],
    ["xena", { vmsOnSnatNodeUnsupported: true }],
    ["dalmatian", { interfaceDriverRequired: true, tenantNetworkTypesOption: "tenant_network_types" }],
    ["epoxy", { interfaceDriverRequired: false }],
    ["gazpacho", { tenantNetworkTypesOption: "project_network_types" }],
  ])("%s", (name, expected) => {
    expect(releaseSettings(OpenStackRelease.of(name))).toMatchObject(expected);
  });

  test("unknown release names are rejected with the list of known ones", () => {
    expect(() => OpenStackRelease.of("octata")).toThrow(/unknown OpenStack release "octata"; use one of: ocata, pike/);
  });
});

describe("push document per role and release", () => {
  const keys = (d: ReturnType<typeof desiredConfig>) => d.files.flatMap((f) => f.settings.map((s) => `${f.file} [${s.section}] ${s.key}=${s.value}`));

  test("Ocata dvr_snat node: firewall, empty external_network_bridge, nova_metadata_ip", () => {
    const d = desiredConfig({ node: "com1", role: "dvr_snat", release: OpenStackRelease.OCATA, serviceManager: ServiceManager.SYSTEMD, tunnelIp: "192.0.2.11", metadataHost: "ctrl1", externalPhysnet: "provider", dhcpAgent: true });
    expect(keys(d)).toEqual([
      "neutron.conf [DEFAULT] router_distributed=True",
      "openvswitch_agent.ini [ovs] local_ip=192.0.2.11",
      "openvswitch_agent.ini [ovs] bridge_mappings=provider:br-ex",
      "openvswitch_agent.ini [agent] tunnel_types=vxlan",
      "openvswitch_agent.ini [agent] l2_population=True",
      "openvswitch_agent.ini [agent] enable_distributed_routing=True",
      "openvswitch_agent.ini [securitygroup] firewall_driver=iptables_hybrid",
      "l3_agent.ini [DEFAULT] agent_mode=dvr_snat",
      "l3_agent.ini [DEFAULT] interface_driver=openvswitch",
      "l3_agent.ini [DEFAULT] external_network_bridge=",
      "metadata_agent.ini [DEFAULT] nova_metadata_ip=ctrl1",
      "dhcp_agent.ini [DEFAULT] interface_driver=openvswitch",
    ]);
    expect(d.files.find((f) => f.file === "neutron.conf")!.services).toEqual([
      "neutron-openvswitch-agent",
      "neutron-l3-agent",
      "neutron-metadata-agent",
      "neutron-dhcp-agent",
    ]);
  });

  test("Zed dvr node: no firewall override, no external_network_bridge, nova_metadata_host", () => {
    const d = desiredConfig({ node: "com2", role: "dvr", release: OpenStackRelease.ZED, serviceManager: ServiceManager.SYSTEMD, tunnelIp: "192.0.2.12", metadataHost: "ctrl1" });
    const k = keys(d);
    expect(k).toContain("metadata_agent.ini [DEFAULT] nova_metadata_host=ctrl1");
    expect(k.some((x) => x.includes("firewall_driver") || x.includes("external_network_bridge"))).toBe(false);
  });

  test("2026.1 controller writes project_network_types", () => {
    const d = desiredConfig({ node: "ctrl1", role: "controller", release: OpenStackRelease.GAZPACHO, serviceManager: ServiceManager.SYSTEMD });
    expect(keys(d)).toContain("ml2_conf.ini [ml2] project_network_types=vxlan");
  });

  test("kolla: one copy of each file per container, docker container names, kolla logs", () => {
    const d = desiredConfig({ node: "com2", role: "dvr", release: OpenStackRelease.ZED, serviceManager: ServiceManager.KOLLA, tunnelIp: "192.0.2.12" });
    expect(d.files.map((f) => f.path)).toEqual([
      "/etc/kolla/neutron-openvswitch-agent/neutron.conf",
      "/etc/kolla/neutron-openvswitch-agent/openvswitch_agent.ini",
      "/etc/kolla/neutron-l3-agent/neutron.conf",
      "/etc/kolla/neutron-l3-agent/l3_agent.ini",
      "/etc/kolla/neutron-metadata-agent/neutron.conf",
    ]);
    expect(d.services.map((s) => s.unit)).toEqual(["neutron_openvswitch_agent", "neutron_l3_agent", "neutron_metadata_agent"]);
    expect(d.services[0].log).toBe("/var/log/kolla/neutron/neutron-openvswitch-agent.log");
  });

  test("paths are overridable per node", () => {
    const d = desiredConfig({
      node: "com2",
      role: "dvr",
      release: OpenStackRelease.OCATA,
      serviceManager: ServiceManager.SYSTEMD,
      paths: { files: { "neutron-openvswitch-agent": { "openvswitch_agent.ini": "/etc/neutron/plugins/ml2/ml2_conf.ini" } }, units: { "neutron-l3-agent": "openstack-neutron-l3-agent" } },
    });
    expect(d.files.map((f) => f.path)).toContain("/etc/neutron/plugins/ml2/ml2_conf.ini");
    expect(d.services.find((s) => s.name === "neutron-l3-agent")!.unit).toBe("openstack-neutron-l3-agent");
  });
});
