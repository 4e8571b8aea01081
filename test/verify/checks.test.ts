/**
 * Checks are data: the gate and the structure checks say what they checked with fields (agent,
 * host, router, VM, the setting and both values) and the text is written from those fields by
 * lib/verify/checks.ts alone. No report reads a check's text back.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { causeOf, failLine, formatTarget, gateCheck } from "../../lib/verify/checks";
import { runGate } from "../../lib/verify/gate";
import { forwardingChecks, redirectChecks, tunnelChecks } from "../../lib/verify/run";
import type { HostSnapshot } from "../../lib/verify/probes";
import { FakeNeutron, seedDescription } from "./fakes";

const broken = () =>
  new FakeNeutron("agents.json", (kind, objs) => {
    if (kind === "routers") return objs.map((r) => ({ ...r, distributed: false }));
    if (kind === "ports") return objs.map((p) => (p.id === "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e02" ? { ...p, "binding:host_id": "com1" } : p));
    if (kind !== "agents") return objs;
    return objs
      .filter((a) => !(a.host === "com2" && a.agent_type === "Metadata agent"))
      .map((a) => {
        const c = a.configurations as Record<string, unknown>;
        if (a.host === "com2" && a.agent_type === "L3 agent") return { ...a, configurations: { ...c, agent_mode: "dvr_snat" } };
        if (a.host === "com1" && a.agent_type === "Open vSwitch agent") return { ...a, configurations: { ...c, l2_population: false } };
        if (a.host === "com1" && a.agent_type === "DHCP agent") return { ...a, alive: false };
        return a;
      });
  });

describe("gate checks carry fields", () => {
  test("each failed check names its target and the compared setting as fields; the causes are written from them", async () => {
    const r = await runGate(seedDescription(), broken());
    const failed = r.checks.filter((c) => !c.ok);
    expect(failed.map(({ id, target, setting }) => ({ id, target, setting }))).toEqual([
      { id: "ovs-l2-population", target: { kind: "agent", agent: "Open vSwitch agent", host: "com1" }, setting: { key: "l2_population", expected: "True", actual: "false" } },
      { id: "agent-alive", target: { kind: "agent", agent: "DHCP agent", host: "com1" }, setting: undefined },
      { id: "l3-agent-mode", target: { kind: "agent", agent: "L3 agent", host: "com2" }, setting: { key: "agent_mode", expected: "dvr", actual: "dvr_snat" } },
      { id: "agent-present", target: { kind: "agent", agent: "Metadata agent", host: "com2" }, setting: undefined },
      { id: "router-distributed", target: { kind: "router", router: "r1" }, setting: { key: "distributed", expected: "true", actual: "false" } },
      { id: "vm-port-bound", target: { kind: "vm", vm: "r1-b-com2", fixedIp: "198.51.100.74" }, setting: { key: "binding:host_id", expected: "com2", actual: "com1" } },
    ]);
    expect(failed.map(causeOf)).toEqual([
      "com1 OVS agent l2_population=False, expected l2_population=True",
      "no DHCP agent alive on com1",
      "com2 L3 agent agent_mode=dvr_snat, expected agent_mode=dvr",
      "no Metadata agent registered on com2",
      "router r1 is distributed=false, the description says distributed=true",
      "VM r1-b-com2 (198.51.100.74) bound to com1, expected com2",
    ]);
    // the text columns are the fields, formatted once
    for (const c of failed) expect(c.subject).toBe(formatTarget(c.target));
    expect(failed.map(failLine)[0]).toBe("FAIL ovs-l2-population Open vSwitch agent on com1: expected l2_population=True, got l2_population=false");
  });

  test("a setting the agent does not report, and the distributed flag a non-admin cannot see", async () => {
    const r = await runGate(seedDescription(), new FakeNeutron("agents.json", (kind, objs) => {
      if (kind === "routers") return objs.map(({ distributed: _d, ...x }) => x);
      if (kind !== "agents") return objs;
      return objs.map((a) => (a.host === "com2" && a.agent_type === "L3 agent" ? { ...a, configurations: {} } : a));
    }));
    const mode = r.checks.find((c) => c.id === "l3-agent-mode" && c.target.kind === "agent" && c.target.host === "com2")!;
    expect([mode.ok, mode.setting, mode.actual, causeOf(mode)]).toEqual([false, { key: "agent_mode", expected: "dvr" }, "agent_mode=(not reported)", "com2 L3 agent agent_mode=(not reported), expected agent_mode=dvr"]);
    const dist = r.checks.find((c) => c.id === "router-distributed")!;
    expect([dist.setting, dist.actual]).toEqual([{ key: "distributed", expected: "true" }, "distributed not visible (admin credentials needed)"]);
  });

  test("an API failure names the request or the object it was looking up", async () => {
    const api = new FakeNeutron();
    api.routersByName = async () => {
      throw new Error("HTTP 500");
    };
    const r = await runGate(seedDescription(), api);
    expect(r.checks.filter((c) => c.id === "api").map((c) => [c.target, c.subject, c.actual])).toEqual([[{ kind: "router", router: "r1" }, "router r1", "HTTP 500"]]);
  });
});

describe("structure checks carry fields", () => {
  const snapshot = (host: string, over: Partial<HostSnapshot>): HostSnapshot => ({ host, ok: true, routerNamespaces: [], namespaces: [], dvrMacsSeen: [], ...over }) as HostSnapshot;

  test("a redirecting qrouter: host, router and namespace as fields, the setting's values as reported", () => {
    const d = seedDescription();
    const ns = "qrouter-0b7e3c1a-5d2f-4e8a-9c61-2f4d8e7a1b90";
    const snap = new Map([
      ["com1", snapshot("com1", { sendRedirects: { [ns]: false } })],
      ["com2", snapshot("com2", { sendRedirects: { [ns]: true } })],
    ]);
    const checks = redirectChecks(d, snap, { routerIds: { r1: ns.slice(8) } } as never);
    expect(checks.map((c) => [c.ok, c.target, c.setting])).toEqual([
      [true, { kind: "qrouter", host: "com1", router: "r1", namespace: ns }, { key: "net.ipv4.conf.all.send_redirects", expected: "0", actual: "0" }],
      [false, { kind: "qrouter", host: "com2", router: "r1", namespace: ns }, { key: "net.ipv4.conf.all.send_redirects", expected: "0", actual: "1" }],
    ]);
    expect(checks[1].actual).toMatch(/^net\.ipv4\.conf\.all\.send_redirects=1: it sends ICMP redirects, so its VMs' SNAT traffic/);
  });

  test("a missing VXLAN tunnel names both hosts as fields", () => {
    const d = seedDescription();
    const snap = new Map([
      ["com1", snapshot("com1", { tunnelRemotes: [] })],
      ["com2", snapshot("com2", { tunnelRemotes: ["192.0.2.11"] })],
    ]);
    const { checks } = tunnelChecks(d, snap, (h) => ({ com1: "192.0.2.11", com2: "192.0.2.12" })[h]);
    const bad = checks.filter((c) => !c.ok);
    expect(bad.map((c) => c.target)).toEqual([{ kind: "tunnel", host: "com1", peer: "com2" }]);
    expect(causeOf(bad[0])).toBe("no VXLAN tunnel com1 -> com2: no VXLAN port to 192.0.2.12 in br-tun (tunnel ports to: none)");
  });

  test("a VXLAN port that no br-tun flow outputs to is no tunnel in use (l2population sent no entry): a cause naming both hosts", () => {
    const d = seedDescription();
    const port = (remote: string, ofport: number) => ({ name: `vxlan-${remote.split(".").map((x) => Number(x).toString(16).padStart(2, "0")).join("")}`, ofport, remote });
    const snap = new Map([
      ["com1", snapshot("com1", { tunnelRemotes: ["192.0.2.12"], tunnelPorts: [port("192.0.2.12", 2)], tunOutputPorts: [1] })],
      ["com2", snapshot("com2", { tunnelRemotes: ["192.0.2.11"], tunnelPorts: [port("192.0.2.11", 3)], tunOutputPorts: [1, 3] })],
    ]);
    const { checks, missing } = tunnelChecks(d, snap, (h) => ({ com1: "192.0.2.11", com2: "192.0.2.12" })[h]);
    const bad = checks.filter((c) => !c.ok);
    expect(bad.map((c) => c.target)).toEqual([{ kind: "tunnel", host: "com1", peer: "com2" }]);
    expect(causeOf(bad[0])).toBe(
      "no VXLAN tunnel com1 -> com2: VXLAN port vxlan-c000020c to 192.0.2.12 (ofport 2) exists, but no br-tun flow outputs to it: the agent on com1 has no forwarding entry for com2 (l2population sent none)",
    );
    expect(checks.find((c) => c.ok)?.actual).toBe("VXLAN port to 192.0.2.11, used by br-tun flows");
    expect([...missing.values()]).toEqual(["no VXLAN tunnel from com1 to com2 (192.0.2.12) in use: br-tun on com1 has the port vxlan-c000020c but no flow that outputs to it"]);
  });

  test("a router namespace with forwarding off forwards nothing: one check per namespace, the cause names it", () => {
    const d = seedDescription();
    const snap = new Map([
      ["com1", snapshot("com1", { ipForward: { "qrouter-R1": true, "snat-R1": true, "fip-EXT": true } })],
      ["com2", snapshot("com2", { ipForward: { "qrouter-R1": false } })],
    ]);
    const checks = forwardingChecks(snap, { routerIds: { r1: "R1" }, externalNetworkId: "EXT" } as never, d);
    expect(checks.map((c) => [c.ok, c.subject])).toEqual([
      [true, "com1 qrouter of r1 (qrouter-R1…)"],
      [true, "com1 snat of r1 (snat-R1…)"],
      [true, `com1 fip of ${d.external!.network} (fip-EXT…)`],
      [false, "com2 qrouter of r1 (qrouter-R1…)"],
    ]);
    expect(causeOf(checks[3])).toBe("com2 qrouter of r1 (qrouter-R1…) forwards nothing: net.ipv4.ip_forward=0 in the namespace");
    expect(checks[3].target).toEqual({ kind: "router-namespace", host: "com2", namespaceKind: "qrouter", owner: "r1", namespace: "qrouter-R1" });
  });

  test("gateCheck writes expected and actual from the setting unless a text is given", () => {
    const c = gateCheck({ id: "ovs-distributed-routing", target: { kind: "agent", agent: "Open vSwitch agent", host: "com9" }, ok: false, setting: { key: "enable_distributed_routing", expected: "True", actual: "False" } });
    expect([c.subject, c.expected, c.actual]).toEqual(["Open vSwitch agent on com9", "enable_distributed_routing=True", "enable_distributed_routing=False"]);
  });
});

test("no regex recovers a check's fields from its text (lib/verify/report.ts, lib/verify/checks.ts)", () => {
  for (const f of ["report.ts", "checks.ts"]) {
    const src = fs.readFileSync(path.join(__dirname, "../../lib/verify", f), "utf8");
    expect([f, src.match(/\.(subject|expected|actual)\.(replace|match|split)\(|\.exec\(c\.(subject|expected|actual)\)/g)]).toEqual([f, null]);
  }
});
