import {
  agentConfiguration,
  classifyNamespace,
  interfaceWithAddress,
  parseDvrMacFromFlows,
  parseDvrMacFromLog,
  parseNamespaceCapture,
  parseNetnsList,
  parsePingSummary,
  parseSnmpCounter,
  parseOutputPorts,
  parseVxlanCapture,
  parseVxlanPorts,
  parseVxlanRemotes,
  splitSections,
  truthy,
} from "../../lib/verify/parsers";
import { parseCaptureOutput, parseCounters, parseSnapshot } from "../../lib/verify/probes";
import { fixture } from "./fakes";

describe("recorded outputs (tcpdump 4.99.3, iproute2, /proc/net/snmp)", () => {
  test("IpForwDatagrams before/after 2 routed pings: 2 -> 6", () => {
    expect(parseSnmpCounter(fixture("recorded/proc-net-snmp-before.txt"))).toBe(2);
    expect(parseSnmpCounter(fixture("recorded/proc-net-snmp-after.txt"))).toBe(6);
    expect(parseSnmpCounter(fixture("recorded/proc-net-snmp-after.txt"), "Ip", "InReceives")).toBe(6);
    expect(parseSnmpCounter("garbage")).toBeUndefined();
  });

  test("namespace capture on -i any (LINUX_SLL2): interface, direction, ICMP kind, IP length", () => {
    const pkts = parseNamespaceCapture(fixture("recorded/tcpdump-qrouter-any-sll2.txt"));
    expect(pkts).toHaveLength(8);
    expect(pkts[0]).toEqual({
      iface: "qr-5e1c2a7b-3d",
      pktDirection: "In",
      src: "198.51.100.10",
      dst: "198.51.100.74",
      icmp: "request",
      id: 10013,
      seq: 1,
      ipLength: 1139,
    });
    expect(pkts[1]).toMatchObject({ iface: "qr-9a4d6f20-81", pktDirection: "Out", icmp: "request" });
    expect(pkts.filter((p) => p.pktDirection === "Out").map((p) => p.icmp)).toEqual(["request", "reply", "request", "reply"]);
  });

  test("older tcpdump (LINUX_SLL, no interface name) and per-device Ethernet lines", () => {
    const sll = "12:00:00.000001 Out fa:16:3e:b0:00:01 ethertype IPv4 (0x0800), length 1157: 198.51.100.10 > 198.51.100.74: ICMP echo request, id 7, seq 3, length 1119";
    expect(parseNamespaceCapture(sll)[0]).toMatchObject({ pktDirection: "Out", seq: 3, ipLength: 1139 });
    expect(parseNamespaceCapture(sll)[0].iface).toBeUndefined();
    const eth = "12:00:00.000001 fa:16:3e:00:0a:02 > fa:16:3e:a0:00:01, ethertype IPv4 (0x0800), length 1153: 198.51.100.10 > 198.51.100.74: ICMP echo request, id 7, seq 3, length 1119";
    expect(parseNamespaceCapture(eth)[0].pktDirection).toBeUndefined();
  });

  test("VXLAN on the underlay: outer, VNI and inner frame on the next line (EN10MB and SLL2)", () => {
    for (const f of ["recorded/tcpdump-vxlan-en10mb.txt", "recorded/tcpdump-vxlan-any-sll2.txt"]) {
      const frames = parseVxlanCapture(fixture(f));
      expect(frames).toHaveLength(1);
      expect(frames[0]).toMatchObject({
        outerSrc: "192.0.2.11",
        outerDst: "192.0.2.12",
        vni: 1001,
        innerSrcMac: "fa:16:3f:aa:bb:cc",
        innerDstMac: "fa:16:3e:11:22:33",
        src: "198.51.100.10",
        dst: "198.51.100.74",
        icmp: "request",
        ipLength: 1139,
      });
    }
    expect(parseVxlanCapture(fixture("recorded/tcpdump-vxlan-any-sll2.txt"))[0]).toMatchObject({ iface: "vB", pktDirection: "In" });
  });
});

describe("node structure", () => {
  test("ip netns list with and without ids", () => {
    expect(parseNetnsList("qrouter-abc (id: 1)\nsnat-abc\n\nfip-x (id: 0)\n")).toEqual(["qrouter-abc", "snat-abc", "fip-x"]);
    expect(classifyNamespace("qrouter-abc")).toEqual({ kind: "qrouter", id: "abc" });
    expect(classifyNamespace("qdhcp-abc")).toBeUndefined();
  });

  test("DVR MAC from br-tun table=1 mod_dl_src, and from the agent log", () => {
    const snap = fixture("seed/com1/snapshot.txt");
    const flows = splitSections(snap).find((s) => s.kind === "br-tun-table1")!.body;
    expect(parseDvrMacFromFlows(flows)).toEqual(["fa:16:3f:1b:6e:01"]);
    expect(parseDvrMacFromFlows(" cookie=0x1, table=1, n_packets=0, priority=0 actions=resubmit(,2)")).toEqual([]);
    expect(parseDvrMacFromLog("... L2 Agent operating in DVR Mode with MAC FA:16:3F:00:00:09\n")).toBe("fa:16:3f:00:00:09");
  });

  test("snapshot script output", () => {
    const s = parseSnapshot("com1", { code: 0, stdout: fixture("seed/com1/snapshot.txt"), stderr: "" }, "192.0.2.11");
    expect(s).toMatchObject({ ok: true, dvrMac: "fa:16:3f:1b:6e:01", dvrMacSource: "br-tun table=1", tunnelInterface: "eth1", tcpdump: true });
    expect(s.routerNamespaces).toEqual(["snat-0b7e3c1a-5d2f-4e8a-9c61-2f4d8e7a1b90", "qrouter-0b7e3c1a-5d2f-4e8a-9c61-2f4d8e7a1b90"]);
    const cut = parseSnapshot("com1", { code: 255, stdout: "", stderr: "Host key verification failed." }, "192.0.2.11");
    expect(cut.ok).toBe(false);
    expect(cut.error).toMatch(/Host key verification failed/);
  });

  test("VXLAN ports with their OpenFlow port numbers, and the ports br-tun flows output to", () => {
    const dpif = [
      "    vxlan-c000020c 2/4: (vxlan: key=flow, local_ip=192.0.2.11, remote_ip=192.0.2.12)",
      '    vxlan-c000020d 5/4: (vxlan: key=flow, local_ip="192.0.2.11", remote_ip="192.0.2.13")',
      "ovs-appctl-rc=0",
    ].join("\n");
    expect(parseVxlanPorts(dpif)).toEqual([
      { name: "vxlan-c000020c", ofport: 2, remote: "192.0.2.12" },
      { name: "vxlan-c000020d", ofport: 5, remote: "192.0.2.13" },
    ]);
    expect(parseVxlanRemotes(dpif)).toEqual(["192.0.2.12", "192.0.2.13"]);
    expect(parseVxlanPorts("ovs-appctl: cannot connect\novs-appctl-rc=1")).toBeUndefined();
    expect(parseOutputPorts("output:2\noutput:12\noutput:2\novs-ofctl-rc=0")).toEqual([2, 12]);
    expect(parseOutputPorts("ovs-ofctl-rc=0")).toEqual([]);
  });

  test("interface holding the tunnel IP", () => {
    expect(interfaceWithAddress("5: br-phy    inet 192.0.2.12/24 scope global br-phy\\ valid_lft forever", "192.0.2.12")).toBe("br-phy");
    expect(interfaceWithAddress("7: vB@if8    inet 192.0.2.12/24 scope global vB", "192.0.2.12")).toBe("vB");
  });

  test("counter and capture sections", () => {
    const c = parseCounters({ code: 0, stdout: fixture("seed/com2/counters-after.txt"), stderr: "" });
    expect([...c.values()]).toEqual([418, 107]);
    const cap = parseCaptureOutput({ code: 0, stdout: fixture("seed/com2/capture.txt"), stderr: "" });
    expect(cap.complete).toBe(true);
    expect(cap.namespaces.get("qrouter-0b7e3c1a-5d2f-4e8a-9c61-2f4d8e7a1b90")!.started).toBe(true);
    expect(cap.underlay!.frames.length).toBe(20);
  });
});

describe("API and ping values", () => {
  test("agent configurations in both forms, booleans as bools or strings", () => {
    expect(agentConfiguration({ configurations: { l2_population: true } })).toEqual({ l2_population: true });
    expect(agentConfiguration({ configuration: { l2_population: "True" } })).toEqual({ l2_population: "True" });
    expect(agentConfiguration({ configuration: '{"agent_mode": "dvr"}' })).toEqual({ agent_mode: "dvr" });
    expect(agentConfiguration({ configuration: "agent_mode='dvr_snat', l2_population='True'" })).toEqual({ agent_mode: "dvr_snat", l2_population: "True" });
    expect(agentConfiguration({})).toEqual({});
    expect([true, "True", "true", "yes", 1].map(truthy)).toEqual([true, true, true, true, true]);
    expect([false, "False", "", undefined, 0].map(truthy)).toEqual([false, false, false, false, false]);
  });

  test("ping summaries: iputils and BusyBox", () => {
    expect(parsePingSummary("2 packets transmitted, 2 received, 0% packet loss, time 1029ms")).toEqual({ transmitted: 2, received: 2 });
    expect(parsePingSummary("5 packets transmitted, 3 packets received, 40% packet loss")).toEqual({ transmitted: 5, received: 3 });
    expect(parsePingSummary("ssh: connect to host 198.51.100.10 port 22: No route to host")).toBeUndefined();
  });
});
