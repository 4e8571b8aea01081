/**
 * The twin's faults tolerate problems by their fields (host, agent, kind), not by matching message
 * text: the twin's agent check (lib/twin/twin.ts agentProblems()) returns them as fields, and
 * formatAgentProblem writes them as text once (logs, observations, errors).
 */
import { FAULT_NAMES, formatAgentProblem, planFault, type AgentProblem } from "../lib/twin/faults";
import { seedDescription } from "./verify/fakes";

describe("fault plans tolerate agent problems as fields", () => {
  const d = seedDescription();

  test("which faults tolerate which problems", () => {
    expect(Object.fromEntries(FAULT_NAMES.map((f) => [f, planFault(f, d).tolerated]))).toEqual({
      "legacy-instead-of-dvr": [],
      "l3-agent-down": [{ host: "com2", agent: "L3 agent", kind: "not-alive" }],
      "no-dvr-flows": [{ host: "com2", agent: "Open vSwitch agent", kind: "no-distributed-routing" }],
      "vm-on-wrong-host": [],
      "no-l2pop-server": [],
      "qrouter-redirects": [],
    });
  });

  test("a problem with the same host, agent and kind is tolerated; any other field differing is not", () => {
    const down = planFault("l3-agent-down", d);
    expect(down.tolerates({ host: "com2", agent: "L3 agent", kind: "not-alive" })).toBe(true);
    for (const p of [
      { host: "com1", agent: "L3 agent", kind: "not-alive" },
      { host: "com2", agent: "DHCP agent", kind: "not-alive" },
      { host: "com2", agent: "L3 agent", kind: "missing" },
    ] as AgentProblem[]) expect([p, down.tolerates(p)]).toEqual([p, false]);
  });

  test("formatAgentProblem writes each kind as the twin's agent check does", () => {
    const lines = ([
      { host: "com1", agent: "Metadata agent", kind: "unexpected", expected: "L3 agent, DHCP agent" },
      { host: "com1", agent: "Metadata agent", kind: "unexpected", expected: "" },
      { host: "com1", agent: "DHCP agent", kind: "missing" },
      { host: "com1", agent: "L3 agent", kind: "not-alive" },
      { host: "com1", agent: "L3 agent", kind: "agent-mode", expected: "dvr_snat", actual: "dvr" },
      { host: "com1", agent: "Open vSwitch agent", kind: "no-distributed-routing" },
      { host: "com1", agent: "Open vSwitch agent", kind: "no-l2-population" },
      { host: "com1", agent: "Open vSwitch agent", kind: "tunneling-ip", expected: "192.0.2.11", actual: "undefined" },
    ] as AgentProblem[]).map(formatAgentProblem);
    expect(lines).toEqual([
      "com1: unexpected Metadata agent (the description lists L3 agent, DHCP agent)",
      "com1: unexpected Metadata agent (the description lists no agent)",
      "com1: no DHCP agent",
      "com1: L3 agent not alive",
      "com1: L3 agent mode dvr, expected dvr_snat",
      "com1: OVS agent without enable_distributed_routing",
      "com1: OVS agent without l2_population",
      "com1: OVS agent tunneling_ip undefined, expected 192.0.2.11",
    ]);
  });
});
