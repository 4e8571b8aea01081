/**
 * The OVS datapath's explanation of a located break (lib/verify/ofproto.ts): which packet is
 * traced where for each kind of break, the read-only script, and the parse of a REAL answer
 * (fixtures/ofproto/com1.txt: the script run on a twin's com1, Open vSwitch 3.1, netdev datapath).
 */
import { readFileSync } from "fs";
import { join } from "path";
import type { LabDescription } from "../../lib/model/topology";
import type { Resolved } from "../../lib/verify/gate";
import { datapathOutputs, ofprotoReason, ofprotoRequest, ofprotoScript, parseDpifPorts, parseOfprotoOutput, withOfproto, type OfprotoRequest } from "../../lib/verify/ofproto";
import type { DirectionResult, TraceStep } from "../../lib/verify/verdict";

const d = JSON.parse(readFileSync(join(__dirname, "fixtures", "description.json"), "utf8")) as LabDescription;
const resolved: Resolved = {
  routerIds: { r1: "0123abcd-0000-0000-0000-000000000000" },
  subnetIds: { "net-a": "sa", "net-b": "sb" },
  networkIds: {},
  segmentationIds: { "net-a": 145, "net-b": 146 },
  vmPorts: {
    "r1-a-com2": { id: "aaaaaaaa-0000-0000-0000-000000000001", mac: "fa:16:3e:00:00:a2", host: "com2" },
    "r1-b-com2": { id: "bbbbbbbb-0000-0000-0000-000000000002", mac: "fa:16:3e:00:00:b2", host: "com2" },
    "r1-a-com1": { id: "aaaaaaaa-0000-0000-0000-000000000003", mac: "fa:16:3e:00:00:a1", host: "com1" },
  },
  tunnelIps: { com1: "192.0.2.11", com2: "192.0.2.12" },
};
const gatewayPorts = { "net-a": { id: "9a000000-0000-0000-0000-00000000000a", mac: "fa:16:3e:99:00:0a" }, "net-b": { id: "9b000000-0000-0000-0000-00000000000b", mac: "fa:16:3e:99:00:0b" } };
const NS = "qrouter-0123abcd-0000-0000-0000-000000000000";

const port = (host: string, vm: string, stage: "sent" | "received"): TraceStep => ({ at: `${host} VM ${vm} port`, host, kind: "vm-port", stage, vm, count: 0 });
const router = (host: string, stage: "in" | "out"): TraceStep => ({ at: `${host} qrouter`, host, kind: "namespace", stage, namespace: NS, count: 0 });
const wire = (host: string, peer: string, stage: "sent" | "received"): TraceStep => ({ at: `underlay`, host, peer, kind: "underlay", stage, count: 0 });
const dir = (from: string, to: string, last: TraceStep, first: TraceStep): Pick<DirectionResult, "from" | "to" | "break"> => ({ from, to, break: { last, first, text: "broken …" } });
const inputs = { description: d, resolved, gatewayPorts };

describe("ofproto/trace at a break", () => {
  test("between a router and the VM's port on its host: the router's frame to the VM's MAC, from the router's port on the VM's subnet", () => {
    const q = ofprotoRequest("r1-same-node/request", dir("r1-a-com2", "r1-b-com2", router("com2", "out"), port("com2", "r1-b-com2", "received")), inputs)!;
    expect(q).toEqual({
      key: "r1-same-node/request",
      host: "com2",
      bridge: "br-int",
      entry: { kind: "port", portId: gatewayPorts["net-b"].id, label: "the router's port on net-b" },
      target: { kind: "port", portId: resolved.vmPorts["r1-b-com2"].id, label: "VM r1-b-com2's port" },
      dlSrc: "fa:16:3e:99:00:0b",
      dlDst: "fa:16:3e:00:00:b2",
      nwSrc: "198.51.100.10",
      nwDst: "198.51.100.74",
    });
  });

  test("between the source VM's port and its router: the VM's frame to its gateway MAC, from its tap", () => {
    const q = ofprotoRequest("k", dir("r1-a-com2", "r1-b-com2", port("com2", "r1-a-com2", "sent"), router("com2", "in")), inputs)!;
    expect(q).toMatchObject({ host: "com2", bridge: "br-int", entry: { portId: resolved.vmPorts["r1-a-com2"].id }, target: { portId: gatewayPorts["net-a"].id }, dlSrc: "fa:16:3e:00:00:a2", dlDst: "fa:16:3e:99:00:0a" });
  });

  test("between a router and the tunnel: the target is the VXLAN port to the peer", () => {
    const q = ofprotoRequest("k", dir("r1-a-com1", "r1-b-com2", router("com1", "out"), wire("com1", "com2", "sent")), inputs)!;
    expect(q).toMatchObject({ host: "com1", bridge: "br-int", target: { kind: "tunnel", remoteIp: "192.0.2.12", label: "the VXLAN tunnel to com2 (192.0.2.12)" } });
  });

  test("between the receiving underlay and the VM: the VXLAN frame on br-tun with the target network's VNI and the inner source MAC the capture saw", () => {
    const q = ofprotoRequest("k", dir("r1-a-com1", "r1-b-com2", wire("com2", "com1", "received"), port("com2", "r1-b-com2", "received")), { ...inputs, innerSource: "fa:16:3f:00:00:11" })!;
    expect(q).toMatchObject({ host: "com2", bridge: "br-tun", entry: { kind: "tunnel", remoteIp: "192.0.2.11", localIp: "192.0.2.12", vni: 146 }, dlSrc: "fa:16:3f:00:00:11", dlDst: "fa:16:3e:00:00:b2" });
    // Without an observed inner source MAC there is no honest frame to trace.
    expect(ofprotoRequest("k", dir("r1-a-com1", "r1-b-com2", wire("com2", "com1", "received"), port("com2", "r1-b-com2", "received")), inputs)).toBeUndefined();
  });

  test("no trace where OVS is not the place in question: inside a namespace, on the wire, towards an external address, an unknown router port", () => {
    expect(ofprotoRequest("k", dir("r1-a-com2", "r1-b-com2", router("com2", "in"), router("com2", "out")), inputs)).toBeUndefined();
    expect(ofprotoRequest("k", dir("r1-a-com1", "r1-b-com2", wire("com1", "com2", "sent"), wire("com2", "com1", "received")), inputs)).toBeUndefined();
    expect(ofprotoRequest("k", dir("r1-a-com2", "external", port("com2", "r1-a-com2", "sent"), router("com2", "in")), inputs)).toBeUndefined();
    expect(ofprotoRequest("k", dir("r1-a-com2", "r1-b-com2", router("com2", "out"), port("com2", "r1-b-com2", "received")), { ...inputs, gatewayPorts: {} })).toBeUndefined();
    expect(ofprotoRequest("k", { from: "r1-a-com2", to: "r1-b-com2" }, inputs)).toBeUndefined();
  });

  test("the script is read-only: ovs-vsctl find, ovs-appctl ofproto/trace and dpif/show, nothing else; the OVS prefix applies", () => {
    const q = ofprotoRequest("k", dir("r1-a-com1", "r1-b-com2", wire("com2", "com1", "received"), port("com2", "r1-b-com2", "received")), { ...inputs, innerSource: "fa:16:3f:00:00:11" })!;
    const s = ofprotoScript([q], ["docker", "exec", "openvswitch_vswitchd"]);
    expect(s.startsWith("# dvr-lab:ofproto-trace\n")).toBe(true);
    for (const m of s.matchAll(/ovs-vsctl((?: --\S+)*) (\S+)/g)) expect(m[2]).toBe("find");
    expect([...s.matchAll(/ovs-appctl (\S+)/g)].map((m) => m[1]).sort()).toEqual(["dpif/show", "ofproto/trace"]);
    expect(s).toContain("docker exec openvswitch_vswitchd ovs-vsctl --bare --columns=name find Interface type=vxlan options:remote_ip=192.0.2.11");
    expect(s).toContain('docker exec openvswitch_vswitchd ovs-appctl ofproto/trace br-tun "in_port=$in,tun_id=146,tun_src=192.0.2.11,tun_dst=192.0.2.12,dl_src=fa:16:3f:00:00:11,dl_dst=fa:16:3e:00:00:b2,');
  });

  test("datapath outputs are the top-level port numbers; dpif/show maps names to them", () => {
    expect(datapathOutputs("push_vlan(vid=3,pcp=0),5,set(eth(src=fa:16:3f:90:ce:5c)),pop_vlan,clone(tnl_push(tnl_port(7),header(size=50),out_port(2)),1),13")).toEqual([5, 13]);
    expect(datapathOutputs("drop")).toEqual([]);
    expect(parseDpifPorts("  br-int:\n    br-int 65534/5: (tap)\n    patch-tun 2/none: (patch: peer=patch-int)\n    tap9ea86d9d-14 8/13: (system)\n")).toEqual(new Map([["br-int", 5], ["tap9ea86d9d-14", 13]]));
  });

  test("a real answer: delivered to the router's port, not sent into the tunnel, delivered from the tunnel by br-int's DVR table, an interface not found", () => {
    const reqs = JSON.parse(readFileSync(join(__dirname, "fixtures", "ofproto", "requests.json"), "utf8")) as OfprotoRequest[];
    const stdout = readFileSync(join(__dirname, "fixtures", "ofproto", "com1.txt"), "utf8");
    const [toRouter, toTunnel, fromTunnel, missing] = parseOfprotoOutput(reqs, { code: 0, stdout, stderr: "" });
    expect(toRouter).toMatchObject({ datapathActions: "9", reachesTarget: true, entry: "VM a's port tapf598e999-6f", target: "the router's port on a tap4d0e390a-0a" });
    expect(toTunnel).toMatchObject({ datapathActions: "13", reachesTarget: false, target: "the VXLAN tunnel to com2 (192.0.2.12) vxlan-c000020c" });
    expect(fromTunnel).toMatchObject({ bridge: "br-tun", datapathActions: "13", reachesTarget: true });
    expect(fromTunnel.lines).toContain("60. dl_vlan=3,dl_dst=fa:16:3e:4f:99:47, priority 20, cookie 0xc3c132e512df0181");
    expect(missing).toMatchObject({ error: "no OVS interface for VM x's port on com1" });
    expect(missing).not.toHaveProperty("reachesTarget");
    expect(ofprotoReason(toTunnel)).toBe(
      "ofproto/trace on com1 br-int (from the router's port on b tapcdea72f7-22: in_port=tapcdea72f7-22,dl_src=fa:16:3e:15:2a:b9,dl_dst=fa:16:3e:4f:99:47,dl_type=0x0800,nw_src=198.51.100.10,nw_dst=198.51.100.74,nw_proto=1,nw_ttl=64,icmp_type=8,icmp_code=0): OVS does not output it to the VXLAN tunnel to com2 (192.0.2.12) vxlan-c000020c; Datapath actions: 13",
    );
    expect(ofprotoReason(missing)).toMatch(/: no trace \(no OVS interface for VM x's port on com1\)$/);
  });

  test("a failed node command leaves a 'no trace' line, never a claim", () => {
    const reqs = JSON.parse(readFileSync(join(__dirname, "fixtures", "ofproto", "requests.json"), "utf8")) as OfprotoRequest[];
    const [r] = parseOfprotoOutput(reqs.slice(0, 1), { code: 255, stdout: "", stderr: "ssh: connect to host 192.0.2.5 port 22: Connection refused" });
    expect(r).toMatchObject({ error: "exit 255: ssh: connect to host 192.0.2.5 port 22: Connection refused", lines: [] });
    expect(r).not.toHaveProperty("datapathActions");
  });

  test("the reason goes after the break and its causes; the result is a field of the direction", () => {
    const r = { reasons: ["x", "broken …", "cause at that hop: c", "later"], break: { text: "broken …" } } as unknown as DirectionResult;
    const o = { key: "k", host: "com2", bridge: "br-int", flow: "f", entry: "e", target: "t", datapathActions: "drop", reachesTarget: false, lines: [] };
    const out = withOfproto(r, o);
    expect(out.reasons).toEqual(["x", "broken …", "cause at that hop: c", "ofproto/trace on com2 br-int (from e: f): OVS does not output it to t; Datapath actions: drop", "later"]);
    expect(out.ofproto).toBe(o);
  });
});
