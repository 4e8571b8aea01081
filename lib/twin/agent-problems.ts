/**
 * The twin's agent check (Twin.agentProblems(): Neutron's agent list against the lab description,
 * by the verifier's own agent checks, lib/twin/readiness.ts) returns problems as fields; formatAgentProblem writes them as text once (logs, errors).
 */

/** What is wrong with one host's agents as the twin's own agent check sees them (Neutron's agent list). */
export type AgentProblemKind =
  /** An agent the description does not list for the host (`expected`: the listed agents). */
  | "unexpected"
  /** A listed agent that is not registered. */
  | "missing"
  | "not-alive"
  /** Registered and alive, but admin_state_up false. */
  | "admin-down"
  /** The L3 agent's agent_mode (`expected`: the host's role, `actual`: the reported mode). */
  | "agent-mode"
  | "no-distributed-routing"
  | "no-l2-population"
  /** The OVS agent's tunneling_ip (`expected`: the host's tunnel IP, `actual`: the reported one). */
  | "tunneling-ip";

/** One problem of the twin's agent check, as fields. */
export interface AgentProblem {
  readonly host: string;
  /** The agent type as Neutron reports it ("L3 agent", "Open vSwitch agent"). */
  readonly agent: string;
  readonly kind: AgentProblemKind;
  readonly expected?: string;
  readonly actual?: string;
}

const SHORT_AGENT: Readonly<Record<string, string>> = { "Open vSwitch agent": "OVS agent" };

/** An agent problem as one line (the text the twin logs and records as a fault's observation). */
export function formatAgentProblem(p: AgentProblem): string {
  const agent = SHORT_AGENT[p.agent] ?? p.agent;
  switch (p.kind) {
    case "unexpected":
      return `${p.host}: unexpected ${p.agent} (the description lists ${p.expected || "no agent"})`;
    case "missing":
      return `${p.host}: no ${p.agent}`;
    case "not-alive":
      return `${p.host}: ${p.agent} not alive`;
    case "admin-down":
      return `${p.host}: ${p.agent} administratively down`;
    case "agent-mode":
      return `${p.host}: ${p.agent} mode ${String(p.actual)}, expected ${p.expected}`;
    case "no-distributed-routing":
      return `${p.host}: ${agent} without enable_distributed_routing`;
    case "no-l2-population":
      return `${p.host}: ${agent} without l2_population`;
    case "tunneling-ip":
      return `${p.host}: ${agent} tunneling_ip ${String(p.actual)}, expected ${p.expected}`;
  }
}
