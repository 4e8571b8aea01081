/**
 * The twin's readiness gates as pure functions (lib/twin/readiness.ts): the agent check against
 * the plan, and the L3 agent log's "idle" reading.
 */
import { agentProblemsOf, l3Busy } from "../lib/twin/readiness";
import type { AgentInfo } from "../lib/twin/api";
import type { HostModel } from "../lib/model/topology";

const host = (name: string, role: string, agents: string[], tunnelIp?: string) => ({ name, role, agents, ...(tunnelIp ? { tunnelIp } : {}) }) as unknown as HostModel;
const agent = (h: string, type: string, alive: boolean, configurations: Record<string, unknown> = {}, adminUp = true) =>
  ({ host: h, agent_type: type, alive, admin_state_up: adminUp, configurations }) as unknown as AgentInfo;

describe("agentProblemsOf (the verifier's agent checks, plus unexpected agents)", () => {
  const d = { hosts: [host("com1", "dvr_snat", ["L3 agent", "Open vSwitch agent"], "192.0.2.11")] };
  const ovsOk = { enable_distributed_routing: true, l2_population: true, tunneling_ip: "192.0.2.11" };

  test("every expected agent alive with the modes the plan says: no problem", () => {
    expect(agentProblemsOf(d, [agent("com1", "L3 agent", true, { agent_mode: "dvr_snat" }), agent("com1", "Open vSwitch agent", true, ovsOk)])).toEqual([]);
  });

  test("an agent administratively down is named", () => {
    expect(agentProblemsOf(d, [agent("com1", "L3 agent", true, { agent_mode: "dvr_snat" }, false), agent("com1", "Open vSwitch agent", true, ovsOk)])).toEqual([
      { host: "com1", agent: "L3 agent", kind: "admin-down" },
    ]);
  });

  test("missing, dead, wrong mode, no DVR/l2pop, wrong tunnel IP and unexpected agents are named as fields", () => {
    expect(
      agentProblemsOf(d, [
        agent("com1", "L3 agent", false, { agent_mode: "legacy" }),
        agent("com1", "DHCP agent", true),
        agent("com2", "L3 agent", true, { agent_mode: "dvr" }), // another host: not this plan's
      ]),
    ).toEqual([
      { host: "com1", agent: "DHCP agent", kind: "unexpected", expected: "L3 agent, Open vSwitch agent" },
      { host: "com1", agent: "L3 agent", kind: "not-alive" },
      { host: "com1", agent: "L3 agent", kind: "agent-mode", expected: "dvr_snat", actual: "legacy" },
      { host: "com1", agent: "Open vSwitch agent", kind: "missing" },
    ]);
    expect(agentProblemsOf(d, [agent("com1", "L3 agent", true, { agent_mode: "dvr_snat" }), agent("com1", "Open vSwitch agent", true, { tunneling_ip: "10.0.0.1" })])).toEqual([
      { host: "com1", agent: "Open vSwitch agent", kind: "no-l2-population" },
      { host: "com1", agent: "Open vSwitch agent", kind: "no-distributed-routing" },
      { host: "com1", agent: "Open vSwitch agent", kind: "tunneling-ip", expected: "192.0.2.11", actual: "10.0.0.1" },
    ]);
  });
});

describe("l3Busy", () => {
  const line = (t: string, what: string, id: string) => `2026-12-03 07:00:${t} 123 INFO neutron.agent.l3.agent [-] ${what} for ${id}, action None, priority 1, update_id x`;
  const at = (t: string) => new Date(`2026-12-03T07:00:${t}`).getTime();

  test("a router whose last event is a Starting is in progress; a failed update retried counts by its last event", () => {
    const log = [line("01.000000", "Starting router update", "aa11"), line("02.000000", "Finished a router update", "aa11"), line("03.000000", "Starting router update", "bb22")].join("\n");
    expect(l3Busy(log, at("30.000"))).toBe("1 router update(s) in progress");
  });

  test("idle only 5 s after the last Finished", () => {
    const log = [line("01.000000", "Starting router update", "aa11"), line("02.000000", "Finished a router update", "aa11")].join("\n");
    expect(l3Busy(log, at("04.000"))).toBe("last router update finished 2.0 s ago");
    expect(l3Busy(log, at("07.500"))).toBeUndefined();
    expect(l3Busy("", at("07.500"))).toBeUndefined();
  });
});
