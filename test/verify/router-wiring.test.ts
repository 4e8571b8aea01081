import type { Resolved } from "../../lib/verify/gate";
import { parseOvsPorts, type HostSnapshot, type OvsPort } from "../../lib/verify/probes";
import { awaitRouterWiring, hopDevices, listRouterPorts, wiring, wiringChecks, type RouterPort } from "../../lib/verify/router-wiring";
import { causeOf } from "../../lib/verify/checks";
import type { NeutronApi } from "../../lib/verify/types";
import { seedDescription } from "./fakes";

const d = seedDescription();
const R = "1b2c3d4e-0000-4000-8000-000000000001";
const EXT = "e0e0e0e0-0000-4000-8000-000000000002";
const resolved: Resolved = {
  routerIds: { r1: R },
  externalNetworkId: EXT,
  subnetIds: { "net-a": "sub-a", "net-b": "sub-b" },
  networkIds: { "net-a": "net-a-id", "net-b": "net-b-id" },
  segmentationIds: {},
  vmPorts: {},
  tunnelIps: {},
};

/** Neutron's view of r1's ports: two distributed interfaces, two csnat ports, the gateway. */
const apiPorts = (status: (id: string) => string = () => "ACTIVE"): Record<string, unknown>[] => [
  { id: "aaaaaaaaaaa-qr-a", device_owner: "network:router_interface_distributed", fixed_ips: [{ subnet_id: "sub-a" }] },
  { id: "bbbbbbbbbbb-qr-b", device_owner: "network:router_interface_distributed", fixed_ips: [{ subnet_id: "sub-b" }] },
  { id: "ccccccccccc-sg-a", device_owner: "network:router_centralized_snat", fixed_ips: [{ subnet_id: "sub-a" }] },
  { id: "ddddddddddd-sg-b", device_owner: "network:router_centralized_snat", fixed_ips: [{ subnet_id: "sub-b" }] },
  { id: "eeeeeeeeeee-qg", device_owner: "network:router_gateway", fixed_ips: [{ subnet_id: "sub-ext" }] },
  { id: "fffffffffff-dhcp", device_owner: "network:dhcp", fixed_ips: [{ subnet_id: "sub-a" }] },
].map((p) => ({ ...p, device_id: R, status: status(String(p.id)) }));

class Api implements Pick<NeutronApi, "portsOfDevice"> {
  public calls = 0;
  constructor(private readonly rounds: ((id: string) => string)[] = [() => "ACTIVE"]) {}
  async portsOfDevice(id: string) {
    const s = this.rounds[Math.min(this.calls++, this.rounds.length - 1)];
    return id === R ? apiPorts(s) : [];
  }
}
const api = (a: Api) => a as unknown as NeutronApi;

const QR = `qrouter-${R}`;
const SNAT = `snat-${R}`;
const FIP = `fip-${EXT}`;
const bound = (name: string, tag = 1): OvsPort => ({ name, tag, netUuid: "net-x" });

/** A host as the agents leave it once done: the namespaces, their links, every OVS port bound. */
function host(name: string, ns: Record<string, string[]>, ovs?: OvsPort[]): HostSnapshot {
  return {
    host: name,
    ok: true,
    namespaces: Object.keys(ns),
    routerNamespaces: Object.keys(ns),
    dvrMacsSeen: [],
    tcpdump: true,
    namespaceState: Object.fromEntries(Object.entries(ns).map(([n, links]) => [n, { links: links.map((l) => ({ name: l, up: true })), forward: [] }])),
    ovsPorts: ovs ?? Object.values(ns).flat().filter((l) => !l.startsWith("qg-") && !l.startsWith("fg-")).map((l) => bound(l)),
  };
}
const com1 = (o: { sgB?: boolean; ovs?: OvsPort[] } = {}) =>
  host("com1", { [QR]: ["qr-aaaaaaaaaaa", "qr-bbbbbbbbbbb"], [SNAT]: ["sg-ccccccccccc", ...(o.sgB === false ? [] : ["sg-ddddddddddd"]), "qg-eeeeeeeeeee"] }, o.ovs);
const com2 = (o: { fip?: boolean } = {}) => host("com2", { [QR]: ["qr-aaaaaaaaaaa", "qr-bbbbbbbbbbb", "rfp-1b2c3d4e-0"], ...(o.fip === false ? {} : { [FIP]: ["fpr-1b2c3d4e-0", "fg-99999999999"] }) });
const snapOf = (...hs: HostSnapshot[]) => new Map(hs.map((h) => [h.host, h]));

async function ports(a = new Api()): Promise<RouterPort[]> {
  return listRouterPorts(api(a), resolved);
}

describe("router wiring: what each routing hop needs", () => {
  test("router ports from Neutron: qr-/sg-/qg- devices named as the L3 agent names them; a DHCP port on the router is not one", async () => {
    expect((await ports()).map((p) => [p.device, p.owner.replace("network:", ""), p.subnetIds.join()])).toEqual([
      ["qr-aaaaaaaaaaa", "router_interface_distributed", "sub-a"],
      ["qr-bbbbbbbbbbb", "router_interface_distributed", "sub-b"],
      ["sg-ccccccccccc", "router_centralized_snat", "sub-a"],
      ["sg-ddddddddddd", "router_centralized_snat", "sub-b"],
      ["qg-eeeeeeeeeee", "router_gateway", "sub-ext"],
    ]);
  });

  test("each hop of the rows with the devices it routes through (the seed lab: same-node, cross-node, snat, floating IP)", async () => {
    const hops = hopDevices(d, resolved, await ports());
    expect(hops.map((h) => [h.host, h.namespaceKind, h.devices.join(" ")])).toEqual([
      // cross-node request a-com1 -> b-com2 is routed by com1's qrouter: both subnets' qr-
      ["com1", "qrouter", "qr-aaaaaaaaaaa qr-bbbbbbbbbbb"],
      // SNAT of r1-b-com2: the csnat port on its subnet, and the gateway; not net-a's sg-
      ["com1", "snat", "qg-eeeeeeeeeee sg-ddddddddddd"],
      ["com2", "fip", ""],
      ["com2", "qrouter", "qr-aaaaaaaaaaa qr-bbbbbbbbbbb"],
    ]);
  });
});

describe("router wiring: judged from the host snapshots", () => {
  test("every hop wired: nothing missing, and the checks pass", async () => {
    const w = wiring(d, resolved, await ports(), snapOf(com1(), com2()));
    expect(w.filter((x) => x.missing)).toEqual([]);
    expect(w).toHaveLength(7);
    expect(wiringChecks(w).every((c) => c.ok && c.id === "router-wiring")).toBe(true);
  });

  test("the csnat port not plugged yet (the twin's slow dvr_snat update): missing at com1's snat namespace, with a cause naming it", async () => {
    const w = wiring(d, resolved, await ports(), snapOf(com1({ sgB: false }), com2()));
    expect(w.filter((x) => x.missing).map((x) => [x.host, x.namespaceKind, x.device, x.missing])).toEqual([
      ["com1", "snat", "sg-ddddddddddd", `sg-ddddddddddd not in ${SNAT} on com1 yet (the L3 agent has not plugged it)`],
    ]);
    const failed = wiringChecks(w).filter((c) => !c.ok);
    expect(failed[0].target).toEqual({ kind: "router-namespace", host: "com1", namespaceKind: "snat", owner: "r1", namespace: SNAT });
    expect(causeOf(failed[0])).toMatch(/^com1 snat of r1 \(snat-1b2c3d4e…\) was not wired when the data plane was measured: sg-ddddddddddd not in /);
  });

  test("an OVS port not bound yet: in the dead VLAN, without a tag, or without the agent's net_uuid; a veth-named (tap…) port counts as the device's", async () => {
    const p = await ports();
    const ovs = (sg: OvsPort) => [bound("qr-aaaaaaaaaaa"), bound("tapbbbbbbbbbbb"), bound("tapccccccccccc"), sg];
    const missing = (sg: OvsPort) => wiring(d, resolved, p, snapOf(com1({ ovs: ovs(sg) }), com2())).filter((x) => x.missing).map((x) => x.missing);
    expect(missing(bound("tapddddddddddd"))).toEqual([]);
    expect(missing(bound("tapddddddddddd", 4095))).toEqual(["tapddddddddddd on com1's br-int not bound by the OVS agent yet (tag 4095)"]);
    expect(missing({ name: "sg-ddddddddddd" })).toEqual(["sg-ddddddddddd on com1's br-int not bound by the OVS agent yet (tag none, no net_uuid)"]);
    expect(missing({ name: "sg-ddddddddddd", tag: 3 })).toEqual(["sg-ddddddddddd on com1's br-int not bound by the OVS agent yet (tag 3, no net_uuid)"]);
    expect(missing(bound("tapzzzzzzzzzzz"))).toEqual(["sg-ddddddddddd has no OVS port on com1 yet"]);
  });

  test("Neutron not showing a router port ACTIVE yet; a namespace not there yet; a host whose snapshot failed is not judged here", async () => {
    const p = await ports(new Api([(id) => (id.startsWith("ddd") ? "DOWN" : "ACTIVE")]));
    expect(wiring(d, resolved, p, snapOf(com1(), com2())).filter((x) => x.missing).map((x) => x.missing)).toEqual(["Neutron shows port sg-ddddddddddd DOWN"]);
    const noFip = wiring(d, resolved, p.map((x) => ({ ...x, status: "ACTIVE" })), snapOf(com1(), com2({ fip: false })));
    expect(noFip.filter((x) => x.missing).map((x) => x.missing)).toEqual([`namespace ${FIP} not on com2 yet`]);
    expect(wiring(d, resolved, p, snapOf({ ...com1(), ok: false }, com2())).every((x) => x.host === "com2")).toBe(true);
  });

  test("a snapshot from before this probe (no OVS port list, no link list) judges only what it has", async () => {
    const old = { ...com1({ sgB: false }), ovsPorts: undefined, namespaceState: undefined };
    expect(wiring(d, resolved, await ports(), snapOf(old, com2())).filter((x) => x.missing)).toEqual([]);
  });
});

describe("router wiring: the wait", () => {
  const clock = () => {
    let t = 0;
    return { now: () => t, sleep: async (ms: number) => void (t += ms) };
  };

  test("waits until the csnat port is plugged and bound, snapshot by snapshot, and logs what it waits for", async () => {
    const rounds = [com1({ sgB: false }), com1({ sgB: false }), com1()];
    let n = 0;
    const lines: string[] = [];
    const c = clock();
    const w = await awaitRouterWiring(d, api(new Api()), resolved, async () => [rounds[Math.min(n++, 2)], com2()], { seconds: 90, ...c, log: (l) => lines.push(l) });
    expect(w.polls).toBe(2);
    expect(w.waitedMs).toBe(4000);
    expect(w.devices.filter((x) => x.missing)).toEqual([]);
    expect(w.snapshots[0].namespaceState?.[SNAT].links.map((l) => l.name)).toContain("sg-ddddddddddd");
    expect(lines[0]).toMatch(/^router wiring: waiting \(up to 90 s\) for 1 of 7: sg-ddddddddddd not in snat-/);
    expect(lines[lines.length - 1]).toBe("router wiring: every hop wired after 4 s");
  });

  test("bounded: what is still missing after the wait is returned (the caller fails it as a check); 0 s takes one snapshot", async () => {
    const c = clock();
    const lines: string[] = [];
    let snaps = 0;
    const never = async () => (snaps++, [com1({ sgB: false }), com2()]);
    const w = await awaitRouterWiring(d, api(new Api()), resolved, never, { seconds: 10, ...c, log: (l) => lines.push(l) });
    expect([w.polls, snaps, w.waitedMs]).toEqual([5, 6, 10000]);
    expect(w.devices.filter((x) => x.missing).map((x) => x.device)).toEqual(["sg-ddddddddddd"]);
    expect(lines[lines.length - 1]).toBe("router wiring: 1 of 7 hop devices still not wired after 10 s");
    snaps = 0;
    const z = await awaitRouterWiring(d, api(new Api()), resolved, never, { seconds: 0, ...clock() });
    expect([z.polls, snaps]).toEqual([0, 1]);
  });

  test("a failed router port list ends the port part: the namespaces are still judged", async () => {
    const failing = { portsOfDevice: async () => Promise.reject(new Error("HTTP 503")) } as unknown as NeutronApi;
    const lines: string[] = [];
    const w = await awaitRouterWiring(d, failing, resolved, async () => [com1({ sgB: false }), com2()], { seconds: 10, ...clock(), log: (l) => lines.push(l) });
    expect(w.polls).toBe(0);
    expect(w.devices.every((x) => !x.device)).toBe(true);
    expect(lines[0]).toBe("router wiring: router ports not listed (HTTP 503); judging the namespaces only");
  });
});

describe("parseOvsPorts", () => {
  test("ovs-vsctl's JSON table: tags, empty sets and other_config maps", () => {
    const table = {
      data: [
        ["tapddddddddddd", 3, ["map", [["net_uuid", "n1"], ["network_type", "vxlan"], ["tag", "3"]]]],
        ["sg-ccccccccccc", 4095, ["map", []]],
        ["br-int", ["set", []], ["map", []]],
      ],
      headings: ["name", "tag", "other_config"],
    };
    expect(parseOvsPorts(`${JSON.stringify(table)}\novs-vsctl-rc=0\n`)).toEqual([
      { name: "tapddddddddddd", tag: 3, netUuid: "n1" },
      { name: "sg-ccccccccccc", tag: 4095 },
      { name: "br-int" },
    ]);
    expect(parseOvsPorts("ovs-vsctl: database connection failed\novs-vsctl-rc=1\n")).toBeUndefined();
    expect(parseOvsPorts("not json\novs-vsctl-rc=0\n")).toBeUndefined();
  });
});
