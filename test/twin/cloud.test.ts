/**
 * The cloud twin's first slice, for real (root only): Keystone, Glance, Placement and Nova (fake
 * driver, computes com1 and com2) from Debian's Zed packages, brought up ONCE in a namespace of
 * their own, checked with the REAL client (python3-openstackclient with the written clouds.yaml and
 * openrc), then torn down; the teardown must leave no process, namespace or mount behind. Skips
 * when not root or the packages are missing (`npm run setup`); FAILS instead under
 * DVR_LAB_REQUIRE_REAL=1. No duration is asserted (hang guards only); the phases are printed.
 */
import { spawnSync } from "child_process";
import { existsSync, readFileSync, rmSync } from "fs";
import { Cloud, cloudPrerequisitesSync, defaultCloudStateDir } from "../../lib/twin/cloud/cloud";
import { alive, enter, processesIn, run } from "../../lib/twin/proc";
import { describeWhenPossible } from "./support";

function describeCloud(title: string, body: () => void): void {
  describeWhenPossible("the cloud twin", cloudPrerequisitesSync(), title, body);
}

const rootMounts = () => readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter(Boolean);
const rootAddresses = () => spawnSync("ip", ["-o", "addr", "show"], { encoding: "utf8" }).stdout;
/** Namespace inode numbers that an nsfs mount in the root namespace (a bind of /proc/PID/ns/*) holds. */
const nsfsMounts = () => rootMounts().filter((l) => / - nsfs /.test(l));

describeCloud("cloud twin (Keystone, Glance, Placement, Nova; real client)", () => {
  const name = `cloudtest-${process.pid}`;
  const stateDir = defaultCloudStateDir(name);
  const progress: string[] = [];
  let cloud: Cloud | undefined;
  let upError: Error | undefined;

  const up = (): Cloud => {
    if (!cloud) throw new Error(`the cloud did not come up: ${upError?.message ?? "(no error)"}\n${progress.slice(-25).join("\n")}`);
    return cloud;
  };

  /** The real client with the written clouds.yaml, JSON output. */
  const openstack = async <T = unknown>(...args: string[]): Promise<T> => {
    const r = await run(up().openstack([...args, "-f", "json"]), { timeoutMs: 120000 });
    if (r.code !== 0) throw new Error(`openstack ${args.join(" ")} failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-5).join("\n")}`);
    return JSON.parse(r.stdout) as T;
  };

  beforeAll(async () => {
    try {
      cloud = await Cloud.up({ name, stateDir, log: (l) => progress.push(l) });
    } catch (e) {
      upError = e as Error;
    }
    // eslint-disable-next-line no-console
    console.log(`cloud twin bring-up:\n${progress.join("\n")}`);
  }, 8 * 60 * 1000); // hang guard, not a timing assertion

  afterAll(async () => {
    // Safety net when a test failed before the teardown test (or the bring-up failed half-way).
    const c = Cloud.attach(stateDir);
    if (c) {
      const r = await c.down();
      expect(r.leftovers).toEqual([]);
    }
    if (existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
  }, 60000);

  test("comes up with every phase recorded", () => {
    const c = up();
    expect(c.state.phase).toBe("up");
    const names = c.state.phases.map((p) => p.name);
    for (const phase of ["mariadb", "keystone up", "catalog, project service, service users", "nova-api up", "hosts discovered (cell1 host mappings)"]) {
      expect(names).toContain(phase);
    }
    // eslint-disable-next-line no-console
    console.log(
      [
        `cloud up in ${c.state.upSeconds} s, migrations ${c.state.migrations?.cached ? "restored from the cache" : "run (and cached)"}`,
        ...c.phaseLines(),
        `memory: ${c.memoryLine()}`,
      ].join("\n"),
    );
  });

  test("openstack token issue (clouds.yaml and openrc)", async () => {
    const t = await openstack<{ id: string; project_id: string; expires: string }>("token", "issue");
    expect(t.id).toMatch(/^g[A-Za-z0-9_-]{100,}/); // a fernet token
    // openrc: sourced by bash, then the same client with only the OS_* variables it exports.
    const c = up();
    const r = await run(
      [
        ...enter(c.state.namespace!.pid, { n: true }),
        "/usr/bin/env",
        "-i",
        "PATH=/usr/bin:/bin",
        `HOME=${c.clientEnv().HOME}`,
        "/bin/bash",
        "-c",
        '. "$1" && exec /usr/bin/openstack token issue -f json',
        "openrc",
        `${stateDir}/openrc`,
      ],
      { timeoutMs: 120000 },
    );
    expect({ code: r.code, stderr: r.code ? r.stderr.trim().slice(-800) : "" }).toEqual({ code: 0, stderr: "" });
    expect((JSON.parse(r.stdout) as { project_id: string }).project_id).toBe(t.project_id);
  }, 240000);

  test("catalog has identity, network, compute, image and placement", async () => {
    const list = await openstack<{ Name: string; Type: string; Endpoints: unknown }[]>("catalog", "list");
    expect(list.map((e) => e.Type).sort()).toEqual(["compute", "identity", "image", "network", "placement"]);
  }, 120000);

  test("image cirros is active (raw, bare)", async () => {
    const img = await openstack<{ status: string; disk_format: string; container_format: string; visibility: string }>("image", "show", "cirros");
    expect(img).toMatchObject({ status: "active", disk_format: "raw", container_format: "bare", visibility: "public" });
  }, 120000);

  test("flavor m1.tiny", async () => {
    const f = await openstack<{ name: string; ram: number; vcpus: number; disk: number }>("flavor", "show", "m1.tiny");
    expect(f).toMatchObject({ name: "m1.tiny", ram: 512, vcpus: 1, disk: 1 });
  }, 120000);

  test("compute services: conductor, scheduler, nova-compute on com1 and com2, all up", async () => {
    const list = await openstack<{ Binary: string; Host: string; State: string; Status: string }[]>("compute", "service", "list");
    const seen = list.map((s) => `${s.Binary} ${s.Host} ${s.State} ${s.Status}`).sort();
    expect(seen).toEqual(["nova-compute com1 up enabled", "nova-compute com2 up enabled", "nova-conductor ctrl1 up enabled", "nova-scheduler ctrl1 up enabled"]);
  }, 120000);

  test("hypervisors com1 and com2", async () => {
    const list = await openstack<{ "Hypervisor Hostname": string; State: string }[]>("hypervisor", "list");
    expect(list.map((h) => `${h["Hypervisor Hostname"]} ${h.State}`).sort()).toEqual(["com1 up", "com2 up"]);
  }, 120000);

  test("teardown leaves no process, namespace or mount behind", async () => {
    const c = up();
    const ns = c.state.namespace!;
    const ids = new Set(ns.namespaces);
    const pids = Object.values(c.state.services);
    const inodes = ns.namespaces.map((id) => /\[(\d+)\]/.exec(id)![1]);
    const r = await c.down();
    // eslint-disable-next-line no-console
    console.log(`cloud twin down: ${r.seconds.toFixed(1)} s, ${r.killed} processes`);
    expect(r.leftovers).toEqual([]);
    expect(processesIn(ids)).toEqual([]);
    expect([ns.pid, ...pids].filter((p) => alive(p))).toEqual([]);
    // Nothing in the root namespace holds the namespaces (an nsfs bind) or mounts under the state dir.
    expect(nsfsMounts().filter((l) => inodes.some((i) => l.includes(`[${i}]`)))).toEqual([]);
    expect(rootMounts().filter((l) => l.includes(stateDir) || l.includes("cloud-mysql") || l.includes("cloud-rabbit"))).toEqual([]);
    expect(rootAddresses()).not.toContain(`${c.state.plan.ip}/`);
    expect(existsSync(stateDir)).toBe(false);
  }, 120000);
});
