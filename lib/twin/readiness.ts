import { existsSync, readFileSync } from "fs";
import { join } from "path";
import type { LabDescription } from "../model/topology";
import { agentChecks } from "../verify/gate";
import type { CheckId } from "../verify/checks";
import type { AgentInfo } from "./api";
import type { AgentProblem, AgentProblemKind } from "./agent-problems";
import { waitFor } from "./proc";

/**
 * The twin's readiness gates: what "up" means for its agents, read from the Neutron API and from
 * the agents' own logs (an agent can report alive before it is ready to serve).
 */

/** A failed gate check of an agent, as the twin's problem kind. */
const PROBLEM_OF: Partial<Record<CheckId, AgentProblemKind>> = {
  "agent-present": "missing",
  "agent-alive": "not-alive",
  "agent-admin-up": "admin-down",
  "l3-agent-mode": "agent-mode",
  "ovs-distributed-routing": "no-distributed-routing",
  "ovs-l2-population": "no-l2-population",
  "ovs-tunneling-ip": "tunneling-ip",
};

/**
 * Neutron's agent list against the description, as problems (empty = all fine): the verifier's own
 * agent checks (lib/verify/gate.ts agentChecks), plus any agent registered on a host that the
 * description does not list for it.
 */
export function agentProblemsOf(description: Pick<LabDescription, "hosts">, agents: readonly AgentInfo[]): AgentProblem[] {
  const rows = agents as unknown as readonly Record<string, unknown>[];
  const failed = agentChecks(description, rows).checks.filter((c) => !c.ok);
  const problems: AgentProblem[] = [];
  for (const h of description.hosts) {
    for (const a of agents.filter((x) => x.host === h.name && !h.agents.includes(x.agent_type))) {
      problems.push({ host: h.name, agent: a.agent_type, kind: "unexpected", expected: h.agents.join(", ") });
    }
    for (const c of failed) {
      const kind = PROBLEM_OF[c.id];
      if (!kind || c.target.kind !== "agent" || c.target.host !== h.name) continue;
      const expected = kind === "agent-mode" || kind === "tunneling-ip" ? (c.setting?.expected ?? c.expected) : undefined;
      const actual = kind === "agent-mode" || kind === "tunneling-ip" ? (c.setting ? String(c.setting.actual) : c.actual) : undefined;
      problems.push({ host: h.name, agent: c.target.agent, kind, ...(expected !== undefined ? { expected } : {}), ...(actual !== undefined ? { actual } : {}) });
    }
  }
  return problems;
}

/** A service's log (the host's /var/log/neutron/<service>.log) from its last start ("Logging enabled!") on. */
export function logSinceStart(hostDir: string, service: string): string {
  const f = join(hostDir, "log", `${service}.log`);
  const text = existsSync(f) ? readFileSync(f, "utf8") : "";
  return text.slice(Math.max(0, text.lastIndexOf("Logging enabled!")));
}

/**
 * Why the L3 agent log `text` is not idle at `now`, or undefined when it is: for every router the
 * last of "Starting router update for R" / "Finished a router update (or delete) for R" is a
 * Finished, and the last one finished at least 5 s ago.
 */
export function l3Busy(text: string, now: number): string | undefined {
  const pending = new Set<string>();
  let last = 0;
  for (const line of text.split("\n")) {
    // Per router, the last event counts: a failed update (traceback) logs no "Finished" and is
    // retried under a new update_id.
    const m = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) .*(Starting router update|Finished a router (?:update|delete)) for ([0-9a-f-]+)/.exec(line);
    if (!m) continue;
    if (m[2].startsWith("Starting")) pending.add(m[3]);
    else pending.delete(m[3]);
    last = new Date(m[1].replace(" ", "T")).getTime();
  }
  if (pending.size) return `${pending.size} router update(s) in progress`;
  if (now - last < 5000) return `last router update finished ${((now - last) / 1000).toFixed(1)} s ago`;
  return undefined;
}

/** Waits until no L3 agent (their logs) has a router update in progress (l3Busy); `heal` runs each poll. */
export async function waitL3Idle(logs: readonly string[], timeoutMs: number, heal: () => Promise<void>): Promise<void> {
  let why = "";
  try {
    await waitFor(
      "L3 agents idle",
      timeoutMs,
      async () => {
        await heal();
        for (const f of logs) {
          const busy = l3Busy(existsSync(f) ? readFileSync(f, "utf8") : "", Date.now());
          if (busy) {
            why = `${f}: ${busy}`;
            return false;
          }
        }
        return true;
      },
      500,
    );
  } catch {
    throw new Error(`dvr-lab twin: L3 agents still busy after ${timeoutMs / 1000} s (${why})`);
  }
}

/**
 * A DHCP agent reports alive before it consumes notifications ("DHCP agent started" comes after
 * its first sync and RPC consumer): a port created in between never gets its DHCP ack and stays
 * DOWN (DHCP provisioning block). Waits for that line of each DHCP agent since its start.
 */
export async function waitDhcpSynced(hosts: readonly { name: string; dir: string }[], heal: () => Promise<void>): Promise<void> {
  await Promise.all(
    hosts.map((h) =>
      waitFor(
        `the DHCP agent on ${h.name} to finish its first sync`,
        90000,
        async () => {
          await heal(); // the DHCP agent starts privsep daemons too
          return logSinceStart(h.dir, "neutron-dhcp-agent").includes("DHCP agent started");
        },
        300,
      ).catch((e: Error) => {
        const tail = logSinceStart(h.dir, "neutron-dhcp-agent").trim().split("\n").slice(-5).join("\n    ");
        throw new Error(`${e.message}; its log since its start ends:\n    ${tail || "(empty)"}`);
      }),
    ),
  );
}
