import { existsSync, readFileSync } from "fs";
import { join } from "path";
import type { AgentInfo } from "./api";
import type { AgentProblem } from "./agent-problems";
import type { TwinHostPlan } from "./plan";
import { waitFor } from "./proc";

/**
 * The twin's readiness gates: what "up" means for its agents, read from the Neutron API and from
 * the agents' own logs (an agent can report alive before it is ready to serve).
 */

/** Agents per host as the plan expects them, compared with Neutron's agent list; problems as fields (empty = all fine). */
export function agentProblemsOf(hosts: readonly TwinHostPlan[], agents: readonly AgentInfo[]): AgentProblem[] {
  const problems: AgentProblem[] = [];
  for (const h of hosts) {
    for (const a of agents.filter((x) => x.host === h.name && !h.agents.includes(x.agent_type))) {
      problems.push({ host: h.name, agent: a.agent_type, kind: "unexpected", expected: h.agents.join(", ") });
    }
    for (const type of h.agents) {
      const a = agents.find((x) => x.host === h.name && x.agent_type === type);
      if (!a) {
        problems.push({ host: h.name, agent: type, kind: "missing" });
        continue;
      }
      if (!a.alive) problems.push({ host: h.name, agent: type, kind: "not-alive" });
      const c = a.configurations;
      if (type === "L3 agent" && c.agent_mode !== h.role) problems.push({ host: h.name, agent: type, kind: "agent-mode", expected: h.role, actual: String(c.agent_mode) });
      if (type === "Open vSwitch agent") {
        if (c.enable_distributed_routing !== true) problems.push({ host: h.name, agent: type, kind: "no-distributed-routing" });
        if (c.l2_population !== true) problems.push({ host: h.name, agent: type, kind: "no-l2-population" });
        if (h.tunnelIp && c.tunneling_ip !== h.tunnelIp) problems.push({ host: h.name, agent: type, kind: "tunneling-ip", expected: h.tunnelIp, actual: String(c.tunneling_ip) });
      }
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
