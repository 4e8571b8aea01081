/**
 * The gate must judge the configuration each agent runs with NOW. Neutron shows an agent's
 * configuration as its last state report carried it: right after a push restarted an agent, the
 * record still holds what the previous process reported until the new process's first report
 * (Debian's units are Type=simple, so `systemctl restart` returns before that; the VerifyHook runs
 * right after the pushes). Measured on the twin: the `no-dvr-flows` fault's re-push restarted com2's
 * OVS agent with enable_distributed_routing = False, and the hook's gate still read `true`.
 *
 * So before the gate, the verifier waits until every ALIVE agent the description expects has
 * reported since the verifier began (its `heartbeat_timestamp` changed). A dead agent is not waited
 * for (the gate fails it anyway), nor one whose record shows no heartbeat. Costs at most one
 * `report_interval` (Neutron's default 30 s; the twin's 10 s).
 */
import type { LabDescription } from "../model/topology";
import { truthy } from "./parsers";
import type { NeutronApi } from "./types";

export interface AgentReportWait {
  /** The agent list of the last poll (what the gate judges). */
  readonly agents: Record<string, unknown>[];
  /** Alive expected agents that did not report within the wait: host, agent type, heartbeat seen. */
  readonly stale: { readonly host: string; readonly agent: string; readonly heartbeat: string }[];
  /** Polls made after the first list. */
  readonly polls: number;
}

export interface AgentReportOptions {
  /** Longest wait (s); 0: judge the first list as it is. */
  readonly seconds: number;
  /** Between two polls (ms). @default 1000 */
  readonly pollMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
}

const key = (a: Record<string, unknown>) => `${String(a.host)}/${String(a.agent_type)}`;

/** Waits for fresh state reports (above). Throws what listAgents throws on the FIRST list only; a later failed poll ends the wait with the last good list. */
export async function awaitAgentReports(d: LabDescription, api: NeutronApi, o: AgentReportOptions): Promise<AgentReportWait> {
  const first = await api.listAgents();
  const expected = new Set(d.hosts.flatMap((h) => h.agents.map((t) => `${h.name}/${t}`)));
  const waiting = new Map<string, string>();
  for (const a of first) {
    const hb = a.heartbeat_timestamp;
    if (expected.has(key(a)) && (a.alive === true || truthy(a.alive)) && typeof hb === "string" && hb) waiting.set(key(a), hb);
  }
  const pollMs = o.pollMs ?? 1000;
  const maxPolls = Math.ceil((o.seconds * 1000) / pollMs);
  let agents = first;
  let polls = 0;
  if (waiting.size && maxPolls > 0) o.log?.(`gate: waiting for ${waiting.size} agents' next state report (up to ${o.seconds} s), so that their configuration is the one they run with now`);
  while (waiting.size && polls < maxPolls) {
    await o.sleep(pollMs);
    polls++;
    try {
      agents = await api.listAgents();
    } catch (e) {
      o.log?.(`gate: agent list failed while waiting for state reports (${(e as Error).message}); judging the last one`);
      break;
    }
    for (const a of agents) if (waiting.has(key(a)) && a.heartbeat_timestamp !== waiting.get(key(a))) waiting.delete(key(a));
  }
  if (polls) o.log?.(`gate: ${waiting.size ? `${waiting.size} agents did not report within ${o.seconds} s` : "every agent reported"} (${polls} polls)`);
  // Not waiting (0 s) is the caller's choice: nothing to call stale then.
  const stale = [...(maxPolls > 0 ? waiting : [])].map(([k, heartbeat]) => {
    const [host, agent] = k.split("/");
    return { host, agent, heartbeat };
  });
  return { agents, stale, polls };
}
