/**
 * The twin's one repair during a bring-up: an agent whose log shows the eventlet/oslo.privsep race
 * is restarted. Since the agent hosts run every privsep daemon with one worker thread (site-config
 * PRIVSEP_SECTIONS, docs/TWIN.md "Why one privsep worker thread") the race should not occur; this
 * stays as the guard that turns a recurrence into a named restart (recorded in the twin's state as a
 * repair) or, the third time, a named failure, never a silent hang.
 */

/** What an agent's log shows when its privsep daemon hit the eventlet race and stopped answering. */
export const DEADLOCK_SIGNATURE = "greenlet.error: cannot switch to a different thread";

/** Restarts of one agent for that race per bring-up before the bring-up fails. */
export const MAX_AGENT_RESTARTS = 2;

export interface AgentHealerDeps {
  /** The agents to watch: host and service (neutron-*-agent). */
  readonly agents: () => readonly { readonly host: string; readonly service: string }[];
  /** The service's log since its last start. */
  readonly logSinceStart: (host: string, service: string) => string;
  readonly restart: (host: string, service: string) => Promise<void>;
  /** Records a repair (the twin logs it and keeps it in its state). */
  readonly repaired: (line: string) => void;
  readonly now?: () => number;
}

export class AgentHealer {
  private readonly restarts = new Map<string, number>();
  private last = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: AgentHealerDeps) {}

  /**
   * Restarts every agent whose log since its start shows DEADLOCK_SIGNATURE (seen before the fix in
   * 1 of 12 bring-ups on a loaded machine: com1's L3 agent never processed a router while it still
   * reported alive). At most MAX_AGENT_RESTARTS per agent, then it throws, naming agent and host.
   */
  public async heal(): Promise<void> {
    for (const { host, service } of this.deps.agents()) {
      if (!this.deps.logSinceStart(host, service).includes(DEADLOCK_SIGNATURE)) continue;
      const key = `${host}/${service}`;
      const n = this.restarts.get(key) ?? 0;
      if (n >= MAX_AGENT_RESTARTS) throw new Error(`dvr-lab twin: ${service} on ${host} hung again after ${n} restarts (its log: "${DEADLOCK_SIGNATURE}")`);
      this.restarts.set(key, n + 1);
      await this.deps.restart(host, service);
      this.deps.repaired(`${service} on ${host} restarted: its log shows the eventlet/privsep start-up deadlock ("${DEADLOCK_SIGNATURE}")`);
    }
  }

  /** heal(), at most every 3 s (the bring-up's polling loops call it). */
  public async maybeHeal(): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    if (now - this.last < 3000) return;
    this.last = now;
    await this.heal();
  }
}
