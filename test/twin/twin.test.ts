/**
 * `dvr-lab twin up` for real (root only): the reference lab deployed on the twin cloud by REAL
 * Terraform (runDeploy with leaveUp, what `twin up` runs) and left up; then, on that ONE lab:
 * agents, router namespaces, VM ports through the API and the hosts; the seed's own check and the
 * cloud's services with the REAL client (python3-openstackclient) from the operator's namespace;
 * an instance created and deleted by hand; the twin's own repairs; `twin status`; and the teardown,
 * which must leave nothing. Skips when not root or the packages or the Terraform toolchain are
 * missing (`npm run setup`); FAILS instead under DVR_LAB_REQUIRE_REAL=1. No duration is asserted.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { spawnSync } from "child_process";
import { join } from "path";
import type { LabDescription } from "../../lib/model/topology";
import { packageRoot } from "../../lib/push/remote-script";
import { AgentInfo, PortInfo } from "../../lib/twin/api";
import { DeployResult, runDeploy } from "../../lib/twin/deploy";
import { synthLayoutInto } from "../../lib/twin/lab";
import { alive, enter, processesIn, waitFor } from "../../lib/twin/proc";
import { run } from "../../lib/common/process";
import { TwinTransport } from "../../lib/twin/transport";
import { DEADLOCK_SIGNATURE, defaultStateDir, MAX_AGENT_RESTARTS, Twin } from "../../lib/twin/twin";
import { describeTwin } from "../lab/support";

const rootLinks = () =>
  spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" })
    .stdout.split("\n")
    .map((l) => l.split(" ").slice(0, 2).join(" "))
    .join("\n");
const rootMounts = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" ").slice(4, 5).join(" ")).sort().join("\n");
const rootNetns = () => (existsSync("/run/netns") ? spawnSync("ls", ["/run/netns"], { encoding: "utf8" }).stdout : "");

/** The seed's own check, literally (the columns it names). */
const SEED_CHECK = ["network", "agent", "list", "-c", "Host", "-c", "Agent Type", "-c", "Alive", "-c", "State"];

describeTwin("twin up: the reference lab deployed by real Terraform and left up (real Neutron, Keystone, Nova, client)", () => {
  const name = `twintest-${process.pid}`;
  const stateDir = defaultStateDir(name);
  const progress: string[] = [];
  const before = { links: "", mounts: "", netns: "" };
  let deploy: DeployResult | undefined;
  let twin: Twin | undefined;
  let description: LabDescription;

  const up = (): Twin => {
    if (!twin) throw new Error(`the lab is not up: ${deploy?.error ?? "(no deploy result)"}\n${progress.slice(-30).join("\n")}`);
    return twin;
  };
  /** The real client in the operator's namespace; JSON output unless `table`. */
  const client = async (args: string[]): Promise<string> => {
    const r = await run(up().openstack(args), { timeoutMs: 180000 });
    if (r.code !== 0) throw new Error(`openstack ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-5).join("\n")}`);
    return r.stdout;
  };
  const openstack = async <T = unknown>(...args: string[]): Promise<T> => JSON.parse(await client([...args, "-f", "json"])) as T;
  const routerIds = async (): Promise<Record<string, string>> => {
    const { routers } = await up().api().call<{ routers: { name: string; id: string }[] }>("GET", "/routers");
    return Object.fromEntries(routers.map((r) => [r.name, r.id]));
  };

  beforeAll(async () => {
    before.links = rootLinks();
    before.mounts = rootMounts();
    before.netns = rootNetns();
    const stackDir = synthLayoutInto("reference", join(packageRoot(), "cdktf.out"));
    deploy = await runDeploy({ stackDir, name, stateDir, leaveUp: true, log: (l) => progress.push(l) });
    description = deploy.description;
    twin = deploy.error ? undefined : Twin.attach(stateDir);
    // eslint-disable-next-line no-console
    console.log(`twin up (deploy, left up):\n${progress.filter((l) => !/^\s+apply:\s+\|/.test(l)).join("\n")}`);
  }, 20 * 60 * 1000); // hang guard, not a timing assertion

  afterAll(async () => {
    // Safety net if a test failed before the teardown test: kill by PID, remove the state dir.
    const t = Twin.attach(stateDir);
    if (t) await t.down().catch(() => undefined);
    if (existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
  }, 60000);

  test("terraform applied the stack, its VerifyHook passed, and the lab is left up (no plan, no destroy, no teardown)", () => {
    expect({ exit: deploy?.exitCode, error: deploy?.error }).toEqual({ exit: 0, error: undefined });
    expect(deploy?.phases.map((p) => p.name)).toEqual(["twin up", "init", "apply"]);
    expect(deploy?.applied).toBe(42);
    expect(deploy?.report?.verdict).toBe("pass");
    expect(up().state.phase).toBe("up");
  });

  test("agents are alive with the modes the push set (via the API)", async () => {
    const tw = up();
    expect(await tw.agentProblems()).toEqual([]);
    const { agents } = await tw.api().call<{ agents: AgentInfo[] }>("GET", "/agents");
    const l3 = (host: string) => agents.find((a) => a.host === host && a.agent_type === "L3 agent");
    expect([l3("com1")?.alive, l3("com1")?.configurations.agent_mode]).toEqual([true, "dvr_snat"]);
    expect([l3("com2")?.alive, l3("com2")?.configurations.agent_mode]).toEqual([true, "dvr"]);
    // Exactly the agents the description lists (agentProblems also reports unexpected ones).
    const expected = description.hosts.flatMap((h) => h.agents.map((a) => `${h.name} ${a}`)).sort();
    expect(agents.map((a) => `${a.host} ${a.agent_type}`).sort()).toEqual(expected);
    for (const host of ["com1", "com2"]) {
      const ovs = agents.find((a) => a.host === host && a.agent_type === "Open vSwitch agent");
      expect([ovs?.alive, ovs?.configurations.enable_distributed_routing, ovs?.configurations.l2_population]).toEqual([true, true, true]);
    }
  });

  test("router namespaces per host", async () => {
    const ns = await up().namespacesPerHost();
    const ids = await routerIds();
    const dvr = ids[description.routers.find((r) => r.distributed)!.name];
    const legacy = ids[description.routers.find((r) => !r.distributed)!.name];
    expect([dvr, legacy].every((id) => typeof id === "string")).toBe(true);
    expect(ns.com1).toEqual(expect.arrayContaining([`qrouter-${dvr}`, `snat-${dvr}`, `qrouter-${legacy}`]));
    expect(ns.com2).toContain(`qrouter-${dvr}`);
    expect(ns.com2).not.toContain(`snat-${dvr}`);
    expect(ns.com2).not.toContain(`qrouter-${legacy}`);
  });

  test("VM ports are ACTIVE and bound to their hosts; VMs answer through the transport", async () => {
    const tw = up();
    const { ports } = await tw.api().call<{ ports: PortInfo[] }>("GET", "/ports?device_owner=compute:nova");
    expect(Object.keys(tw.state.vms).sort()).toEqual(description.vms.map((v) => v.name).sort());
    for (const vm of description.vms) {
      const p = ports.find((x) => x.id === tw.state.vms[vm.name].portId);
      expect([vm.name, p?.status, p?.["binding:host_id"], p?.fixed_ips[0].ip_address]).toEqual([vm.name, "ACTIVE", vm.host, vm.fixedIp]);
    }
    const t = new TwinTransport(tw.state.stateDir);
    const dvrSubnets = description.routers.find((r) => r.distributed)!.subnets;
    const [a, b] = description.vms.filter((v) => dvrSubnets.includes(v.subnet));
    expect((await t.runInVm(a.name, ["ping", "-c", "1", "-W", "2", b.fixedIp])).code).toBe(0);
    expect((await t.run("com2", ["hostname"])).stdout.trim()).toBe("com2");
  });

  test("the seed's check: openstack network agent list shows L3, Open vSwitch, DHCP and metadata agents alive and UP on com1 and com2", async () => {
    const table = await client(SEED_CHECK);
    // eslint-disable-next-line no-console
    console.log(`$ openstack ${SEED_CHECK.map((a) => (/ /.test(a) ? `'${a}'` : a)).join(" ")}\n${table}`);
    const rows = table
      .split("\n")
      .filter((l) => /^\| /.test(l))
      .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
    expect(rows[0]).toEqual(["Agent Type", "Host", "Alive", "State"]);
    const seen = rows.slice(1).map(([type, host, aliveCol, state]) => `${host} ${type} ${aliveCol} ${state}`).sort();
    const expected = ["com1", "com2"].flatMap((h) => ["DHCP agent", "L3 agent", "Metadata agent", "Open vSwitch agent"].map((a) => `${h} ${a} :-) UP`)).sort();
    expect(seen).toEqual(expected);
  }, 240000);

  test("Keystone: a fernet token; the catalog has identity, network, compute, image and placement; openrc works", async () => {
    const t = await openstack<{ id: string; project_id: string }>("token", "issue");
    expect(t.id).toMatch(/^g[A-Za-z0-9_-]{100,}/);
    const list = await openstack<{ Type: string }[]>("catalog", "list");
    expect(list.map((e) => e.Type).sort()).toEqual(["compute", "identity", "image", "network", "placement"]);
    const tw = up();
    const r = await run(
      [...enter(tw.state.outer!.pid, { n: true }), "/usr/bin/env", "-i", "PATH=/usr/bin:/bin", `HOME=${stateDir}`, "/bin/bash", "-c", '. "$1" && exec /usr/bin/openstack token issue -f json', "openrc", join(tw.state.cloud!.stateDir, "openrc")],
      { timeoutMs: 120000 },
    );
    expect({ code: r.code, stderr: r.code ? r.stderr.trim().slice(-800) : "" }).toEqual({ code: 0, stderr: "" });
    expect((JSON.parse(r.stdout) as { project_id: string }).project_id).toBe(t.project_id);
  }, 300000);

  test("Nova: conductor, scheduler and a compute per VM host up; hypervisors com1 and com2; image and flavor", async () => {
    const services = await openstack<{ Binary: string; Host: string; State: string; Status: string }[]>("compute", "service", "list");
    expect(services.map((s) => `${s.Binary} ${s.Host} ${s.State} ${s.Status}`).sort()).toEqual([
      "nova-compute com1 up enabled",
      "nova-compute com2 up enabled",
      "nova-conductor ctrl1 up enabled",
      "nova-scheduler ctrl1 up enabled",
    ]);
    const hv = await openstack<{ "Hypervisor Hostname": string; State: string }[]>("hypervisor", "list");
    expect(hv.map((h) => `${h["Hypervisor Hostname"]} ${h.State}`).sort()).toEqual(["com1 up", "com2 up"]);
    expect(await openstack("image", "show", "cirros")).toMatchObject({ status: "active", disk_format: "raw" });
    expect(await openstack("flavor", "show", "m1.tiny")).toMatchObject({ ram: 512, vcpus: 1, disk: 1 });
  }, 300000);

  test("every VM of the description is a Nova instance Terraform created, ACTIVE on its host, its port bound there by Nova and plugged", async () => {
    const servers = await openstack<{ Name: string; Status: string; Host: string; ID: string }[]>("server", "list", "--long", "-c", "Name", "-c", "Status", "-c", "Host", "-c", "ID");
    expect(servers.map((s) => `${s.Name} ${s.Status} ${s.Host}`).sort()).toEqual(description.vms.map((v) => `${v.name} ACTIVE ${v.host}`).sort());
    const tw = up();
    for (const s of servers) {
      const vm = tw.state.vms[s.Name];
      expect(vm?.instanceId).toBe(s.ID);
      const port = await openstack<{ device_id: string; device_owner: string; binding_host_id: string; status: string }>("port", "show", vm!.portId);
      expect(port).toMatchObject({ device_id: s.ID, device_owner: "compute:nova", binding_host_id: s.Host, status: "ACTIVE" });
    }
  }, 300000);

  test("openstack server create --availability-zone nova:com2: plugged by the stand-in, answers ping from com1 through the DVR router and SSH with its key pair; server delete unplugs it", async () => {
    const tw = up();
    const dvrB = description.subnets.find((s) => s.name.endsWith("dvr-b"))!;
    const from = description.vms.find((v) => v.subnet.endsWith("dvr-a") && v.host === "com1")!;
    const base = dvrB.cidr.split("/")[0].split(".").map(Number);
    const ip = [base[0], base[1], base[2], base[3] + 40].join(".");
    expect(description.vms.some((v) => v.fixedIp === ip)).toBe(false);
    // The stack's key pair (the lab key: the operator's key on the twin).
    const [keyPair] = await openstack<{ Name: string }[]>("keypair", "list");
    const server = await openstack<{ id: string; status: string; "OS-EXT-SRV-ATTR:host": string }>(
      "server", "create", "--availability-zone", "nova:com2", "--flavor", "m1.tiny", "--image", "cirros", "--key-name", keyPair.Name,
      "--nic", `net-id=${dvrB.name},v4-fixed-ip=${ip}`, "--wait", "cli-extra",
    );
    expect(server).toMatchObject({ status: "ACTIVE", "OS-EXT-SRV-ATTR:host": "com2" });
    const standIn = tw.hypervisor();
    await waitFor("the stand-in to plug cli-extra", 60000, async () => (await standIn.sync(), !!tw.state.vms["cli-extra"]), 500);
    const vm = tw.state.vms["cli-extra"]!;
    expect(vm).toMatchObject({ host: "com2", ip, instanceId: server.id });
    await waitFor("its port ACTIVE", 90000, async () => (await openstack<{ status: string }>("port", "show", vm.portId)).status === "ACTIVE", 1000);
    const tt = new TwinTransport(tw.state);
    await waitFor("a ping from com1 through the DVR router", 60000, async () => (await tt.runInVm(from.name, ["ping", "-c", "1", "-W", "2", ip])).code === 0, 500);
    expect((await tt.runInVm(from.name, ["ip", "route", "get", ip])).stdout).toContain(`via ${description.subnets.find((s) => s.name === from.subnet)!.gatewayIp}`);
    // SSH with the instance's key pair, the VM's host key verified. (The known_hosts file under the
    // state dir: the hosts mount their own tmpfs over /tmp.)
    const dir = mkdtempSync(join(stateDir, "test-ssh-"));
    try {
      writeFileSync(join(dir, "known_hosts"), `${ip} ${vm.sshd!.hostKey}\n`);
      const ssh = await tt.runInVm(from.name, [
        "ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${join(dir, "known_hosts")}`, "-o", "ConnectTimeout=15",
        "-i", join(stateDir, "operator_ed25519"), `cirros@${ip}`, "ip", "-o", "-4", "addr", "show", "dev", "eth0",
      ], { timeoutMs: 60000 });
      expect({ code: ssh.code, stderr: ssh.code ? ssh.stderr : "" }).toEqual({ code: 0, stderr: "" });
      expect(ssh.stdout).toContain(`inet ${ip}/`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await client(["server", "delete", "--wait", server.id]);
    await waitFor("the stand-in to unplug cli-extra", 60000, async () => (await standIn.sync(), !tw.state.vms["cli-extra"]), 500);
    expect(alive(vm.pid)).toBe(false);
    expect(alive(vm.sshd!.pid)).toBe(false);
    expect((await tw.sh("com2", "ovs-vsctl list-ports br-int")).split("\n")).not.toContain(vm.tap);
  }, 600000);

  test("a VM's ICMP redirect (its qrouter redirecting, as during router set-up) is cleared and recorded", async () => {
    const tw = up();
    const t = new TwinTransport(tw.state.stateDir);
    const row = description.rows.find((r) => r.kind === "snat" && r.distributed)!;
    const vm = description.vms.find((v) => v.name === row.source)!;
    const gw = description.subnets.find((s) => s.name === vm.subnet)!.gatewayIp;
    const qrouter = `qrouter-${(await routerIds())[row.router]}`;
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
    const prior = (tw.state.repairs ?? []).length;
    await tw.clearVmRedirects();
    expect(tw.state.repairs?.slice(prior)).toEqual([expect.stringMatching(new RegExp(`^VM ${vm.name} held an ICMP redirect \\(.*redirected.*\\); route cache flushed$`))]);
    expect(await route()).toContain(`via ${gw} `);
    await tw.clearVmRedirects(); // nothing left to clear
    expect(tw.state.repairs).toHaveLength(prior + 1);
  }, 60000);

  test("an agent whose log shows the eventlet/privsep deadlock is restarted (at most MAX_AGENT_RESTARTS times), then a hang fails", async () => {
    const tw = up();
    // The hang itself cannot be produced at will (seen in 1 of 12 loaded bring-ups, once in CI); its log
    // signature can: appended to com1's metadata agent log (the least disruptive agent to restart).
    const log = join(tw.state.stateDir, "hosts", "com1", "log", "neutron-metadata-agent.log");
    const starts = () => readFileSync(log, "utf8").split("Logging enabled!").length - 1;
    const first = starts();
    expect(first).toBeGreaterThan(0);
    // The bring-up may already have repaired a real hang (seen in CI: com1's L3 agent).
    const prior = [...(tw.state.repairs ?? [])];
    await tw.healHungAgents(); // an up twin: nothing (more) to do
    expect(tw.state.repairs ?? []).toEqual(prior);
    const hang = (t: string) => appendFileSync(log, `2026-01-01 00:00:0${t} 1 WARNING oslo.privsep.daemon [-] privsep log: ${DEADLOCK_SIGNATURE}\n`);
    const line = `neutron-metadata-agent on com1 restarted: its log shows the eventlet/privsep start-up deadlock ("${DEADLOCK_SIGNATURE}")`;
    const waitStarts = async (n: number) => {
      const deadline = Date.now() + 60000;
      while (starts() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
      expect(starts()).toBe(n); // really restarted: a new process logged its start
    };
    for (let i = 1; i <= MAX_AGENT_RESTARTS; i++) {
      hang(String(i));
      await tw.healHungAgents();
      expect(tw.state.repairs).toEqual([...prior, ...Array(i).fill(line)]);
      await waitStarts(first + i);
      await tw.healHungAgents(); // the signature is from before that start: nothing to do
      expect(tw.state.repairs).toHaveLength(prior.length + i);
    }
    hang("9");
    await expect(tw.healHungAgents()).rejects.toThrow(`dvr-lab twin: neutron-metadata-agent on com1 hung again after ${MAX_AGENT_RESTARTS} restarts (its log: "${DEADLOCK_SIGNATURE}")`);
  }, 120000);

  test("twin status names each VM's instance, host, port, IP and state, and the OS_* variables (no password)", async () => {
    const text = await up().status();
    expect(text).toMatch(/OS_AUTH_URL=http:\/\/192\.0\.2\.\d+:5000\/v3/);
    expect(text).not.toContain(JSON.parse(readFileSync(join(up().state.cloud!.stateDir, "state.json"), "utf8")).plan.passwords.admin);
    for (const vm of description.vms) expect(text).toMatch(new RegExp(`${vm.name} +instance [0-9a-f-]{36} +host ${vm.host}`));
  }, 120000);

  test("teardown (twin down) leaves no process, namespace, link or mount", async () => {
    const tw = up();
    const namespaces = new Set(tw.state.namespaces);
    const cloudPids = Object.values(JSON.parse(readFileSync(join(tw.state.cloud!.stateDir, "state.json"), "utf8")).services as Record<string, number>);
    const r = await tw.down();
    twin = undefined;
    expect(r.leftovers).toEqual([]);
    expect(processesIn(namespaces)).toEqual([]);
    expect(cloudPids.filter((p) => alive(p))).toEqual([]);
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
