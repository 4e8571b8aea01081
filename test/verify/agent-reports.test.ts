/**
 * The gate judges fresh agent state (lib/verify/agent-reports.ts): before it, the verifier waits for
 * every alive expected agent's next state report, so that a configuration an agent reported before
 * a push restarted it is not judged.
 */
import { awaitAgentReports } from "../../lib/verify/agent-reports";
import { verify } from "../../lib/verify/run";
import { QdhcpSshVmExecutor } from "../../lib/verify/vm-executor";
import type { NeutronApi } from "../../lib/verify/types";
import { FakeNeutron, ReplayTransport, seedDescription } from "./fakes";

const d = seedDescription();
const noSleep = async () => undefined;
const ovs = (host: string, heartbeat: string | undefined, extra: Record<string, unknown> = {}) => ({
  host,
  agent_type: "Open vSwitch agent",
  alive: true,
  ...(heartbeat ? { heartbeat_timestamp: heartbeat } : {}),
  configurations: { enable_distributed_routing: heartbeat === "t0" ? true : false },
  ...extra,
});

/** An API whose agent lists come from `lists` in turn (the last one repeats); a string throws. */
function api(lists: (Record<string, unknown>[] | string)[]): NeutronApi & { n: number } {
  const a = {
    n: 0,
    async listAgents() {
      const l = lists[Math.min(a.n++, lists.length - 1)];
      if (typeof l === "string") throw new Error(l);
      return l;
    },
  };
  return a as unknown as NeutronApi & { n: number };
}

describe("waiting for the agents' next state report", () => {
  test("an agent restarted by the push: the gate gets the list after its new report, with the new configuration", async () => {
    const a = api([[ovs("com2", "t0")], [ovs("com2", "t0")], [ovs("com2", "t1")]]);
    const lines: string[] = [];
    const w = await awaitAgentReports(d, a, { seconds: 40, sleep: noSleep, log: (l) => lines.push(l) });
    expect(w.polls).toBe(2);
    expect(w.stale).toEqual([]);
    expect(w.agents[0].configurations).toEqual({ enable_distributed_routing: false });
    expect(lines).toEqual([
      "gate: waiting for 1 agents' next state report (up to 40 s), so that their configuration is the one they run with now",
      "gate: every agent reported (2 polls)",
    ]);
  });

  test("not waited for: a dead agent, an agent the description does not expect, a record without heartbeat; 0 s waits for none", async () => {
    const lists = [[ovs("com2", "t0", { alive: false }), ovs("other", "t0"), ovs("com1", undefined)]];
    expect(await awaitAgentReports(d, api(lists), { seconds: 40, sleep: noSleep })).toMatchObject({ polls: 0, stale: [] });
    expect(await awaitAgentReports(d, api([[ovs("com2", "t0")]]), { seconds: 0, sleep: noSleep })).toMatchObject({ polls: 0, stale: [] });
  });

  test("an agent that never reports is named stale after the wait; a failing later poll ends it with the last good list", async () => {
    const slept: number[] = [];
    const w = await awaitAgentReports(d, api([[ovs("com2", "t0")]]), { seconds: 3, pollMs: 1000, sleep: async (ms) => void slept.push(ms) });
    expect(w).toMatchObject({ polls: 3, stale: [{ host: "com2", agent: "Open vSwitch agent", heartbeat: "t0" }] });
    expect(slept).toEqual([1000, 1000, 1000]);
    const f = await awaitAgentReports(d, api([[ovs("com2", "t0")], "HTTP 503"]), { seconds: 40, sleep: noSleep });
    expect(f).toMatchObject({ polls: 1, stale: [{ host: "com2" }] });
    expect(f.agents).toEqual([ovs("com2", "t0")]);
    await expect(awaitAgentReports(d, api(["HTTP 503"]), { seconds: 40, sleep: noSleep })).rejects.toThrow("HTTP 503");
  });

  test("verify(): a frozen agent list ends in a note naming the agent, and the gate judges the last list", async () => {
    const frozen = new FakeNeutron();
    const base = frozen.listAgents.bind(frozen);
    const first = await base();
    frozen.listAgents = async () => first; // nobody reports
    const rep = await verify(d, { transport: new ReplayTransport(), neutron: frozen, vm: new QdhcpSshVmExecutor({ keyFileOnNode: "/root/.ssh/lab_vm" }), sleep: noSleep, now: () => new Date("2026-01-01T00:00:00Z") }, { agentReportWaitSeconds: 2 });
    const notes = rep.notes.filter((n) => /sent no state report/.test(n));
    expect(notes).toHaveLength(7); // every agent of com1 (4) and com2 (3)
    for (const n of notes) expect(n).toMatch(/^(Open vSwitch|L3|Metadata|DHCP) agent on com[12] sent no state report within 2 s \(last heartbeat .+\): the gate judged the configuration it reported then\.$/);
  });
});
