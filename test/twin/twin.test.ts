/**
 * The lab twin, for real (root only): brings up the reference lab as namespaces on this machine with
 * unmodified neutron, checks agents, router namespaces and VM ports through the real API and the
 * hosts, then tears everything down. Skips with one line when not root or a package/kernel feature
 * is missing.
 */
import { readFileSync } from "fs";
import { spawnSync } from "child_process";
import { AgentInfo, PortInfo } from "../../lib/twin/api";
import { processesIn } from "../../lib/twin/proc";
import { descriptionFromStack } from "../../lib/twin/cli";
import { synthLayout } from "../../lib/twin/lab";
import { TwinTransport } from "../../lib/twin/transport";
import { DEADLOCK_SIGNATURE, defaultStateDir, MAX_AGENT_RESTARTS, Twin } from "../../lib/twin/twin";
import { appendFileSync, existsSync, rmSync } from "fs";
import { join } from "path";
import { describeTwin } from "../lab/support";

const rootLinks = () =>
  spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" })
    .stdout.split("\n")
    .map((l) => l.split(" ").slice(0, 2).join(" "))
    .join("\n");
const rootMounts = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ").slice(4, 5).join(" ")).sort().join("\n");
const rootNetns = () => (existsSync("/run/netns") ? spawnSync("ls", ["/run/netns"], { encoding: "utf8" }).stdout : "");

describeTwin("lab twin (reference lab, real neutron)", () => {
  const name = `twintest-${process.pid}`;
  // The synthesized reference example: its ConfigPush resources configure the twin's nodes.
  const stack = synthLayout("reference");
  const description = descriptionFromStack(stack);
  let twin: Twin;
  let stateDir: string | undefined;
  const before = { links: "", mounts: "", netns: "" };

  beforeAll(async () => {
    before.links = rootLinks();
    before.mounts = rootMounts();
    before.netns = rootNetns();
    stateDir = defaultStateDir(name);
    twin = await Twin.up({ description, stack, name, convergeTimeoutSeconds: 90 });
  }, 10 * 60 * 1000); // hang guard, not a timing assertion (figures: npm run bench -- --twin)

  afterAll(async () => {
    // Safety net if a test failed before the teardown test: kill by PID, remove the state dir.
    const t = stateDir ? Twin.attach(stateDir) : undefined;
    if (t) await t.down().catch(() => undefined);
    if (stateDir && existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
  }, 60000);

  test("bring-up reaches a converged data plane", () => {
    expect(twin.state.phase).toBe("up");
    expect(twin.state.timings["data plane converged"]).toBeDefined();
  });

  test("agents are alive with the modes the stack asked for (via the API)", async () => {
    expect(await twin.agentProblems()).toEqual([]);
    const { agents } = await twin.api().call<{ agents: AgentInfo[] }>("GET", "/agents");
    const l3 = (host: string) => agents.find((a) => a.host === host && a.agent_type === "L3 agent");
    expect(l3("com1")?.alive).toBe(true);
    expect(l3("com1")?.configurations.agent_mode).toBe("dvr_snat");
    expect(l3("com2")?.alive).toBe(true);
    expect(l3("com2")?.configurations.agent_mode).toBe("dvr");
    // Exactly the agents the description lists (agentProblems also reports unexpected ones).
    const expected = description.hosts.flatMap((h) => h.agents.map((a) => `${h.name} ${a}`)).sort();
    expect(agents.map((a) => `${a.host} ${a.agent_type}`).sort()).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(["com1 DHCP agent", "com2 DHCP agent"]));
    for (const host of ["com1", "com2"]) {
      const ovs = agents.find((a) => a.host === host && a.agent_type === "Open vSwitch agent");
      expect(ovs?.alive).toBe(true);
      expect(ovs?.configurations.enable_distributed_routing).toBe(true);
      expect(ovs?.configurations.l2_population).toBe(true);
    }
  });

  test("router namespaces per host", async () => {
    const ns = await twin.namespacesPerHost();
    const dvr = twin.state.neutron.routers[description.routers.find((r) => r.distributed)!.name];
    const legacy = twin.state.neutron.routers[description.routers.find((r) => !r.distributed)!.name];
    expect([dvr, legacy].every((id) => typeof id === "string")).toBe(true);
    expect(ns.com1).toEqual(expect.arrayContaining([`qrouter-${dvr}`, `snat-${dvr}`, `qrouter-${legacy}`]));
    expect(ns.com2).toContain(`qrouter-${dvr}`);
    expect(ns.com2).not.toContain(`snat-${dvr}`);
    expect(ns.com2).not.toContain(`qrouter-${legacy}`);
  });

  test("VM ports are ACTIVE and bound to their hosts; VMs answer through the transport", async () => {
    const { ports } = await twin.api().call<{ ports: PortInfo[] }>("GET", "/ports?device_owner=compute:nova");
    expect(Object.keys(twin.state.vms).sort()).toEqual(description.vms.map((v) => v.name).sort());
    for (const vm of description.vms) {
      const p = ports.find((x) => x.id === twin.state.vms[vm.name].portId);
      expect(p?.status).toBe("ACTIVE");
      expect(p?.["binding:host_id"]).toBe(vm.host);
      expect(p?.fixed_ips[0].ip_address).toBe(vm.fixedIp);
    }
    const t = new TwinTransport(twin.state.stateDir);
    const dvrSubnets = description.routers.find((r) => r.distributed)!.subnets;
    const [a, b] = description.vms.filter((v) => dvrSubnets.includes(v.subnet));
    const r = await t.runInVm(a.name, ["ping", "-c", "1", "-W", "2", b.fixedIp]);
    expect(r.code).toBe(0);
    const h = await t.run("com2", ["hostname"]);
    expect(h.stdout.trim()).toBe("com2");
  });

  test("a VM's ICMP redirect (its qrouter redirecting, as during router set-up) is cleared and recorded", async () => {
    const t = new TwinTransport(twin.state.stateDir);
    const row = description.rows.find((r) => r.kind === "snat" && r.distributed)!;
    const vm = description.vms.find((v) => v.name === row.source)!;
    const gw = description.subnets.find((s) => s.name === vm.subnet)!.gatewayIp;
    const qrouter = `qrouter-${twin.state.neutron.routers[row.router]}`;
    const target = description.external!.probeTarget;
    const route = async () => (await t.runInVm(vm.name, ["ip", "-4", "route", "get", target])).stdout;
    const sysctl = (v: number) => t.run(vm.host, ["ip", "netns", "exec", qrouter, "sysctl", "-qw", `net.ipv4.conf.all.send_redirects=${v}`]);
    expect(await route()).toContain(`via ${gw} `);
    expect((await sysctl(1)).code).toBe(0);
    try {
      await t.runInVm(vm.name, ["ping", "-c", "6", "-i", "0.3", "-W", "1", target]);
    } finally {
      expect((await sysctl(0)).code).toBe(0);
    }
    const redirected = await route();
    expect(redirected).toMatch(/redirected/);
    expect(redirected).not.toContain(`via ${gw} `);
    const prior = (twin.state.repairs ?? []).length;
    await twin.clearVmRedirects();
    expect(twin.state.repairs?.slice(prior)).toEqual([expect.stringMatching(new RegExp(`^VM ${vm.name} held an ICMP redirect \\(.*redirected.*\\); route cache flushed$`))]);
    expect(await route()).toContain(`via ${gw} `);
    await twin.clearVmRedirects(); // nothing left to clear
    expect(twin.state.repairs).toHaveLength(prior + 1);
  }, 60000);

  test("an agent whose log shows the eventlet/privsep deadlock is restarted (at most MAX_AGENT_RESTARTS times), then a hang fails", async () => {
    // The hang itself cannot be produced at will (seen in 1 of 12 loaded bring-ups, once in CI); its log
    // signature can: appended to com1's metadata agent log (the least disruptive agent to restart).
    const log = join(twin.state.stateDir, "hosts", "com1", "log", "neutron-metadata-agent.log");
    const starts = () => readFileSync(log, "utf8").split("Logging enabled!").length - 1;
    const before = starts();
    expect(before).toBeGreaterThan(0);
    // The bring-up may already have repaired a real hang (seen in CI: com1's L3 agent).
    const prior = [...(twin.state.repairs ?? [])];
    // eslint-disable-next-line no-console
    if (prior.length) console.warn(`dvr-lab: the twin's bring-up repaired: ${prior.join("; ")}`);
    await twin.healHungAgents(); // an up twin: nothing (more) to do
    expect(twin.state.repairs ?? []).toEqual(prior);
    const hang = (t: string) => appendFileSync(log, `2026-01-01 00:00:0${t} 1 WARNING oslo.privsep.daemon [-] privsep log: ${DEADLOCK_SIGNATURE}\n`);
    const line = `neutron-metadata-agent on com1 restarted: its log shows the eventlet/privsep start-up deadlock ("${DEADLOCK_SIGNATURE}")`;
    const waitStarts = async (n: number) => {
      const deadline = Date.now() + 60000;
      while (starts() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      expect(starts()).toBe(n); // really restarted: a new process logged its start
    };
    for (let i = 1; i <= MAX_AGENT_RESTARTS; i++) {
      hang(String(i));
      await twin.healHungAgents();
      expect(twin.state.repairs).toEqual([...prior, ...Array(i).fill(line)]);
      await waitStarts(before + i);
      await twin.healHungAgents(); // the signature is from before that start: nothing to do
      expect(twin.state.repairs).toHaveLength(prior.length + i);
    }
    hang("9");
    await expect(twin.healHungAgents()).rejects.toThrow(
      `dvr-lab twin: neutron-metadata-agent on com1 hung again after ${MAX_AGENT_RESTARTS} restarts (its log: "${DEADLOCK_SIGNATURE}")`,
    );
  }, 120000);

  test("teardown leaves no process, namespace, link or mount", async () => {
    const namespaces = new Set(twin.state.namespaces);
    const stateDir = twin.state.stateDir;
    const r = await twin.down();
    expect(r.leftovers).toEqual([]);
    expect(processesIn(namespaces)).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    // The machine is shared (other jobs add and remove root links/mounts meanwhile): check that
    // nothing the twin names exists in the root namespace, and that nothing new appeared that is ours.
    const ours = /^\d+: (br-mgmt|br-und|br-prov|xh|[mux]\d+|eth[0-2]@|tap[0-9a-f]{8}-)/;
    const newLinks = rootLinks().split("\n").filter((l) => !before.links.split("\n").includes(l));
    expect(newLinks.filter((l) => ours.test(l))).toEqual([]);
    expect(rootMounts().split("\n").filter((m) => m.includes(stateDir) || m.includes("/.twin/"))).toEqual([]);
    expect(rootMounts().split("\n").filter((m) => !before.mounts.split("\n").includes(m))).toEqual([]);
    expect(rootNetns()).toBe(before.netns);
  }, 120000);
});
