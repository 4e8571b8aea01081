/**
 * The checks that name a located break's cause (docs/VERIFY.md "Hop trace"): the router namespaces'
 * links and FORWARD chain, the VMs' ports in the dead VLAN, and how a break gets its hop's cause.
 */
import type { GateCheck } from "../../lib/verify/checks";
import type { Resolved } from "../../lib/verify/gate";
import { parseDeadPorts, parseNamespaceState, parseSnapshot, snapshotScript, type HostSnapshot } from "../../lib/verify/probes";
import { deadVlanChecks, namespaceStateChecks, vmTap, withBreakCause } from "../../lib/verify/run";
import type { DirectionResult, TraceStep } from "../../lib/verify/verdict";
import { causeOf } from "../../lib/verify/checks";
import type { LabDescription } from "../../lib/model/topology";

const R = "0123abcd-0000-0000-0000-000000000000";
const NS = `qrouter-${R}`;
const resolved: Resolved = {
  routerIds: { r1: R },
  subnetIds: {},
  networkIds: {},
  segmentationIds: {},
  vmPorts: { vm1: { id: "5e6f7a8b-9c0d-1111-2222-333333333333", mac: "fa:16:3e:00:00:01", host: "com2" } },
  tunnelIps: {},
};
const d = { vms: [{ name: "vm1", host: "com2", subnet: "a", fixedIp: "198.51.100.10" }], external: undefined } as unknown as LabDescription;

const STATE = [
  `${NS} link 1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00`,
  `${NS} link 14: qr-0b0ec2f7-35: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc fq_codel state UNKNOWN mode DEFAULT group default qlen 1000\\    link/ether fa:16:3e:aa:bb:cc brd ff:ff:ff:ff:ff:ff`,
  `${NS} link 15: qr-aad1b5a9-b0: <BROADCAST,MULTICAST> mtu 1450 qdisc fq_codel state DOWN mode DEFAULT group default qlen 1000\\    link/ether fa:16:3e:aa:bb:cd brd ff:ff:ff:ff:ff:ff`,
  `${NS} link 16: rfp-0123abcd-0@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 3a:1b:00:00:00:01 brd ff:ff:ff:ff:ff:ff link-netns fip-e`,
  `${NS} fw -P FORWARD ACCEPT`,
  `${NS} fw -A FORWARD -j neutron-filter-top`,
  `${NS} fw -A FORWARD -j neutron-l3-agent-FORWARD`,
].join("\n");

function snap(over: Partial<HostSnapshot>): Map<string, HostSnapshot> {
  return new Map([["com2", { host: "com2", ok: true, namespaces: [NS], routerNamespaces: [NS], dvrMacsSeen: [], tcpdump: true, ...over }]]);
}

describe("hop checks", () => {
  test("the snapshot reads each router namespace's links and FORWARD chain, and br-int's dead-VLAN ports, read-only", () => {
    const script = snapshotScript();
    expect(script).toContain("iptables -S FORWARD");
    expect(script).toContain("ovs-vsctl --bare --columns=name find Port tag=4095");
    const st = parseNamespaceState(STATE + "\nnot a line\n");
    expect(st[NS].links).toEqual([
      { name: "lo", up: true },
      { name: "qr-0b0ec2f7-35", up: true },
      { name: "qr-aad1b5a9-b0", up: false },
      { name: "rfp-0123abcd-0", up: true },
    ]);
    expect(st[NS].forward).toEqual(["-P FORWARD ACCEPT", "-A FORWARD -j neutron-filter-top", "-A FORWARD -j neutron-l3-agent-FORWARD"]);
    expect(parseDeadPorts("tap5e6f7a8b-9c\n\novs-vsctl-rc=0\n")).toEqual(["tap5e6f7a8b-9c"]);
    expect(parseDeadPorts("ovs-vsctl: unix:/run/openvswitch/db.sock: database connection failed\novs-vsctl-rc=1")).toBeUndefined();
    const out = ["### DVRLAB ns-state", STATE, "### DVRLAB dead-ports", "ovs-vsctl-rc=0", "### DVRLAB end"].join("\n");
    expect(parseSnapshot("com2", { code: 0, stdout: out, stderr: "" })).toMatchObject({ deadPorts: [], namespaceState: { [NS]: { forward: expect.any(Array) } } });
    // An older node answer without the sections: nothing claimed.
    expect(parseSnapshot("com2", { code: 0, stdout: "### DVRLAB end\n", stderr: "" })).not.toHaveProperty("deadPorts");
  });

  test("a down routing interface fails namespace-links; lo and a healthy FORWARD chain do not fail anything", () => {
    const checks = namespaceStateChecks(snap({ namespaceState: parseNamespaceState(STATE) }), resolved, d);
    expect(checks.map((c) => [c.id, c.ok, c.actual])).toEqual([
      ["namespace-links", false, "qr-aad1b5a9-b0 administratively down"],
      ["namespace-firewall", true, "FORWARD accepts"],
    ]);
    expect(causeOf(checks[0])).toBe(
      "com2 qrouter of r1 (qrouter-0123abcd…) routes through a down interface: qr-aad1b5a9-b0 administratively down (the L3 agent sets them up; a down one has no route and passes nothing)",
    );
  });

  test("a DROP/REJECT rule in FORWARD itself, or a DROP policy, fails namespace-firewall; Neutron's own chains are not looked into", () => {
    const fw = (lines: string[]) => namespaceStateChecks(snap({ namespaceState: { [NS]: { links: [], forward: lines } } }), resolved, d).find((c) => c.id === "namespace-firewall")!;
    const drop = fw(["-P FORWARD ACCEPT", "-A FORWARD -j DROP", "-A FORWARD -j neutron-filter-top"]);
    expect([drop.ok, causeOf(drop)]).toEqual([false, "com2 qrouter of r1 (qrouter-0123abcd…) drops what it routes: iptables -A FORWARD -j DROP"]);
    expect(fw(["-P FORWARD DROP", "-A FORWARD -j neutron-filter-top"]).actual).toBe("-P FORWARD DROP");
    expect(fw(["-P FORWARD ACCEPT", "-A FORWARD -s 10.0.0.0/8 -p tcp -j REJECT --reject-with icmp-port-unreachable"]).ok).toBe(false);
    expect(fw(["-P FORWARD ACCEPT", "-A FORWARD -j neutron-l3-agent-FORWARD", "-A FORWARD -m mark --mark 0x1 -j ACCEPT"]).ok).toBe(true);
  });

  test("a lab VM's port in the dead VLAN fails port-dead-vlan on the host it is bound to; a foreign dead port does not", () => {
    const tap = vmTap(resolved.vmPorts.vm1.id);
    expect(tap).toBe("tap5e6f7a8b-9c");
    const [dead] = deadVlanChecks(d, snap({ deadPorts: [tap] }), resolved);
    expect([dead.id, dead.ok, causeOf(dead)]).toEqual([
      "port-dead-vlan",
      false,
      "VM vm1 (198.51.100.10): port tap5e6f7a8b-9c on com2's br-int has tag 4095, the OVS agent's dead VLAN (the agent puts a port there when it cannot bind it; OVS forwards nothing to or from it)",
    ]);
    expect(deadVlanChecks(d, snap({ deadPorts: ["tapffffffff-ff"] }), resolved).map((c) => c.ok)).toEqual([true]);
    expect(deadVlanChecks(d, snap({}), resolved)).toEqual([]);
  });

  test("a located break gets the cause of the hop the markers did not get through, else of the last that saw them", () => {
    const [dead] = deadVlanChecks(d, snap({ deadPorts: [vmTap(resolved.vmPorts.vm1.id)] }), resolved);
    const [links] = namespaceStateChecks(snap({ namespaceState: parseNamespaceState(STATE) }), resolved, d);
    const checks: GateCheck[] = [dead, links];
    const router: TraceStep = { at: `com2 qrouter (${NS})`, host: "com2", kind: "namespace", stage: "out", namespace: NS, count: 5 };
    const port: TraceStep = { at: "com2 VM vm1 port tap5e6f7a8b-9c", host: "com2", kind: "vm-port", stage: "received", vm: "vm1", count: 0 };
    const base = (text: string, last: TraceStep, first: TraceStep): DirectionResult => ({
      direction: "request", from: "vm0", to: "vm1", expected: [], observed: [], verdict: "fail", reasons: [text, "other"],
      break: { last, first, text }, evidence: { namespaces: [], underlay: { frames: 0, innerSources: [], vnis: [] } },
    });
    const toVm = withBreakCause(checks, resolved, base("broken between A and B", router, port));
    expect(toVm.reasons).toEqual(["broken between A and B", `cause at that hop: ${causeOf(dead)}`, "other"]);
    // The first point has no failed check: the last one's (the router) is named.
    const fromRouter = withBreakCause(checks, resolved, base("broken at R", { ...router, stage: "in" }, { ...router, count: 0 }));
    expect(fromRouter.reasons[1]).toBe(`cause at that hop: ${causeOf(links)}`);
    // No break, or no check at that hop: unchanged.
    const plain = { ...base("x", router, port), break: undefined };
    expect(withBreakCause(checks, resolved, plain)).toBe(plain);
    expect(withBreakCause([], resolved, base("x", router, port)).reasons).toEqual(["x", "other"]);
  });
});
