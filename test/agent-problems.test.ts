/**
 * The twin's agent check returns problems as fields (lib/twin/twin.ts agentProblems());
 * formatAgentProblem writes them as text once (logs, errors).
 */
import { formatAgentProblem, type AgentProblem } from "../lib/twin/agent-problems";

describe("agent problems as fields", () => {
  test("formatAgentProblem writes each kind as the twin's agent check does", () => {
    const lines = ([
      { host: "com1", agent: "Metadata agent", kind: "unexpected", expected: "L3 agent, DHCP agent" },
      { host: "com1", agent: "Metadata agent", kind: "unexpected", expected: "" },
      { host: "com1", agent: "DHCP agent", kind: "missing" },
      { host: "com1", agent: "L3 agent", kind: "not-alive" },
      { host: "com1", agent: "L3 agent", kind: "admin-down" },
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
      "com1: L3 agent administratively down",
      "com1: L3 agent mode dvr, expected dvr_snat",
      "com1: OVS agent without enable_distributed_routing",
      "com1: OVS agent without l2_population",
      "com1: OVS agent tunneling_ip undefined, expected 192.0.2.11",
    ]);
  });
});
