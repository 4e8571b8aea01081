/**
 * The cloud twin for real (root only): the synthesized reference lab on the twin with Keystone,
 * Glance, Placement and Nova (fake driver) on its controller, Neutron with Keystone auth, the VMs
 * Nova instances plugged by the hypervisor stand-in. ONE bring-up; checked with the REAL client
 * (python3-openstackclient) from the operator's namespace (the twin's outer namespace, on the
 * management network), with the verifier in Keystone mode, and torn down: nothing may be left.
 * Skips when not root or the packages are missing (`npm run setup`); FAILS instead under
 * DVR_LAB_REQUIRE_REAL=1. No duration is asserted (hang guards only); the phases are printed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { describeWhenPossible } from "./support";
import { cloudPrerequisitesSync } from "../../lib/twin/cloud/cloud";
import { descriptionFromStack } from "../../lib/model/description-reader";
import { synthLayout, twinVerifierDeps } from "../../lib/twin/lab";
import { alive, enter, processesIn, run, waitFor } from "../../lib/twin/proc";
import { TwinTransport } from "../../lib/twin/transport";
import { defaultStateDir, Twin, TWIN_KEY_PAIR, twinPrerequisitesSync } from "../../lib/twin/twin";
import { verify } from "../../lib/verify/run";
import type { LabDescription } from "../../lib/model/topology";

function describeCloudTwin(title: string, body: () => void): void {
  describeWhenPossible("the cloud twin", [...twinPrerequisitesSync(), ...cloudPrerequisitesSync()], title, body);
}

/** The seed's own check, literally (the columns it names). */
const SEED_CHECK = ["network", "agent", "list", "-c", "Host", "-c", "Agent Type", "-c", "Alive", "-c", "State"];

describeCloudTwin("cloud twin: the reference lab with Keystone, Glance, Placement and Nova (real client)", () => {
  const name = `cloudlab-${process.pid}`;
  const stateDir = defaultStateDir(name);
  const progress: string[] = [];
  let twin: Twin | undefined;
  let upError: Error | undefined;
  let description: LabDescription;

  const up = (): Twin => {
    if (!twin) throw new Error(`the cloud twin did not come up: ${upError?.message ?? "(no error)"}\n${progress.slice(-30).join("\n")}`);
    return twin;
  };

  /** The real client in the operator's namespace; JSON output unless `table`. */
  const client = async (args: string[]): Promise<string> => {
    const r = await run(up().openstack(args), { timeoutMs: 180000 });
    if (r.code !== 0) throw new Error(`openstack ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-5).join("\n")}`);
    return r.stdout;
  };
  const openstack = async <T = unknown>(...args: string[]): Promise<T> => JSON.parse(await client([...args, "-f", "json"])) as T;

  beforeAll(async () => {
    const stack = synthLayout("reference");
    description = descriptionFromStack(stack);
    try {
      twin = await Twin.up({ description, stack, name, stateDir, cloud: true, log: (l) => progress.push(l) });
    } catch (e) {
      upError = e as Error;
    }
    // eslint-disable-next-line no-console
    console.log(`cloud twin bring-up:\n${progress.join("\n")}`);
  }, 12 * 60 * 1000); // hang guard, not a timing assertion

  afterAll(async () => {
    const t = Twin.attach(stateDir);
    if (t) await t.down().catch(() => undefined);
    if (existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
  }, 60000);

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

  test("every VM of the description is a Nova instance, ACTIVE on its host, its port bound there by Nova and plugged", async () => {
    const servers = await openstack<{ Name: string; Status: string; Host: string; ID: string }[]>("server", "list", "--long", "-c", "Name", "-c", "Status", "-c", "Host", "-c", "ID");
    const want = description.vms.map((v) => `${v.name} ACTIVE ${v.host}`).sort();
    expect(servers.map((s) => `${s.Name} ${s.Status} ${s.Host}`).sort()).toEqual(want);
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
    const used = new Set(description.vms.map((v) => v.fixedIp));
    const base = dvrB.cidr.split("/")[0].split(".").map(Number);
    const ip = [base[0], base[1], base[2], base[3] + 40].join(".");
    expect(used.has(ip)).toBe(false);
    const server = await openstack<{ id: string; status: string; "OS-EXT-SRV-ATTR:host": string }>(
      "server", "create", "--availability-zone", "nova:com2", "--flavor", "m1.tiny", "--image", "cirros", "--key-name", TWIN_KEY_PAIR,
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
    const hops = await tt.runInVm(from.name, ["ip", "route", "get", ip]);
    expect(hops.stdout).toContain(`via ${description.subnets.find((s) => s.name === from.subnet)!.gatewayIp}`);
    // SSH with the instance's key pair (the operator's key), the VM's host key verified. (The
    // known_hosts file under the state dir: the hosts mount their own tmpfs over /tmp.)
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
    const ovs = await tw.sh("com2", `ovs-vsctl list-ports br-int`);
    expect(ovs.split("\n")).not.toContain(vm.tap);
  }, 600000);

  test("the verifier in Keystone mode (OS_* of the operator, real Keystone, network endpoint from the catalog): gate, structure and every row pass", async () => {
    const tw = up();
    const dir = mkdtempSync(join(tmpdir(), "dvr-lab-cloud-verify-"));
    const v = twinVerifierDeps(tw, dir, () => undefined);
    try {
      expect(v.neutronMode).toMatch(/^keystone http:\/\/192\.0\.2\.\d+:5000\/v3/);
      const report = await verify(description, v.deps, {});
      const bad = report.rows.flatMap((r) => r.directions.filter((d) => d.verdict !== "pass").map((d) => `${r.id} ${d.direction} ${d.verdict}: ${d.reasons?.[0] ?? ""}`));
      expect({ gate: report.gate.ok, bad }).toEqual({ gate: true, bad: [] });
      expect(report.verdict).toBe("pass");
    } finally {
      await v.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600000);

  test("twin status names each VM's instance, host, port, IP and state, and the OS_* variables", async () => {
    const text = await up().status();
    expect(text).toMatch(/OS_AUTH_URL=http:\/\/192\.0\.2\.\d+:5000\/v3/);
    expect(text).not.toContain(JSON.parse(readFileSync(join(up().state.cloud!.stateDir, "state.json"), "utf8")).plan.passwords.admin);
    for (const vm of description.vms) expect(text).toMatch(new RegExp(`${vm.name} +instance [0-9a-f-]{36} +host ${vm.host}`));
  }, 120000);

  test("teardown leaves no process or namespace behind", async () => {
    const tw = up();
    const ids = new Set(tw.state.namespaces);
    const cloudPids = Object.values(JSON.parse(readFileSync(join(tw.state.cloud!.stateDir, "state.json"), "utf8")).services as Record<string, number>);
    const r = await tw.down();
    expect(r.leftovers).toEqual([]);
    expect(processesIn(ids)).toEqual([]);
    expect(cloudPids.filter((p) => alive(p))).toEqual([]);
    expect(existsSync(stateDir)).toBe(false);
    twin = undefined;
    upError = new Error("torn down by the teardown test");
  }, 120000);
});
