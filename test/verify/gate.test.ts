import { runGate } from "../../lib/verify/gate";
import { FakeNeutron, seedDescription } from "./fakes";

const failed = (r: Awaited<ReturnType<typeof runGate>>) => r.checks.filter((c) => !c.ok).map((c) => `${c.id}: ${c.subject}: ${c.actual}`);

describe("control-plane gate", () => {
  test("recorded seed lab passes and resolves the ids the data plane needs", async () => {
    const r = await runGate(seedDescription(), new FakeNeutron());
    expect(failed(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.resolved.routerIds).toEqual({ r1: "0b7e3c1a-5d2f-4e8a-9c61-2f4d8e7a1b90" });
    expect(r.resolved.externalNetworkId).toBe("5c1f7e2a-93d4-4b8e-a1c6-7d2e9f3b4a10");
    expect(r.resolved.segmentationIds).toEqual({ "net-a": 1001, "net-b": 1002 });
    expect(r.resolved.vmPorts["r1-a-com1"]).toEqual({ id: "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e03", mac: "fa:16:3e:00:0a:01", host: "com1" });
    expect(r.resolved.tunnelIps).toEqual({ com1: "192.0.2.11", com2: "192.0.2.12" });
    const ids = new Set(r.checks.map((c) => c.id));
    for (const id of ["agent-alive", "agent-admin-up", "l3-agent-mode", "ovs-l2-population", "ovs-distributed-routing", "router-distributed", "vm-port-bound"]) expect(ids).toContain(id);
  });

  test("OSC form: `configuration` with string booleans is read the same way", async () => {
    const r = await runGate(seedDescription(), new FakeNeutron("agents-osc-configuration.json", (kind, objs) =>
      // OSC also prints alive as ":-)" and admin state as "UP"; the API gives booleans. Map for this test.
      kind === "agents" ? objs.map((a) => ({ ...a, alive: a.alive === ":-)", admin_state_up: a.admin_state_up === "UP" })) : objs,
    ));
    expect(failed(r)).toEqual([]);
  });

  test("wrong agent mode, l2pop off, dead agent, missing agent", async () => {
    const r = await runGate(
      seedDescription(),
      new FakeNeutron("agents.json", (kind, objs) => {
        if (kind !== "agents") return objs;
        return objs
          .filter((a) => !(a.host === "com2" && a.agent_type === "Metadata agent"))
          .map((a) => {
            const c = a.configurations as Record<string, unknown>;
            if (a.host === "com2" && a.agent_type === "L3 agent") return { ...a, configurations: { ...c, agent_mode: "dvr_snat" } };
            if (a.host === "com1" && a.agent_type === "Open vSwitch agent") return { ...a, configurations: { ...c, l2_population: "False" } };
            if (a.host === "com1" && a.agent_type === "DHCP agent") return { ...a, alive: false };
            return a;
          });
      }),
    );
    expect(r.ok).toBe(false);
    expect(failed(r)).toEqual([
      "agent-alive: DHCP agent on com1: false",
      "ovs-l2-population: Open vSwitch agent on com1: l2_population=False",
      "l3-agent-mode: L3 agent on com2: agent_mode=dvr_snat",
      "agent-present: Metadata agent on com2: absent",
    ].sort((a, b) => r.checks.findIndex((c) => a.startsWith(`${c.id}: ${c.subject}`)) - r.checks.findIndex((c) => b.startsWith(`${c.id}: ${c.subject}`))));
  });

  test("router not distributed, distributed flag hidden (non-admin), VM bound elsewhere", async () => {
    const legacy = await runGate(seedDescription(), new FakeNeutron("agents.json", (kind, objs) =>
      kind === "routers" ? objs.map((r) => ({ ...r, distributed: false })) : kind === "ports" ? objs.map((p) => (p.id === "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e02" ? { ...p, "binding:host_id": "com1" } : p)) : objs,
    ));
    expect(failed(legacy)).toEqual(["router-distributed: router r1: distributed=false", "vm-port-bound: VM r1-b-com2 (198.51.100.74): binding:host_id=com1"]);
    const hidden = await runGate(seedDescription(), new FakeNeutron("agents.json", (kind, objs) =>
      kind === "routers" ? objs.map(({ distributed: _d, ...r }) => r) : objs,
    ));
    expect(failed(hidden)).toEqual(["router-distributed: router r1: distributed not visible (admin credentials needed)"]);
  });

  test("API down: one failed check, no throw", async () => {
    const api = new FakeNeutron();
    api.listAgents = async () => {
      throw new Error("neutron GET /agents: HTTP 503");
    };
    const r = await runGate(seedDescription(), api);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/503/);
  });
});
