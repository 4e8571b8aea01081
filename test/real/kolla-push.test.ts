/**
 * UNIT test of dvr_push.py in kolla mode (docker cannot run on the test machine): a FAKE `docker`
 * on PATH (support/fake-docker/docker) records every call and answers `inspect`; files and logs
 * live in a temp dir. It checks the command sequence, the per-service kolla files, the health
 * gate (CRITICAL line, container not running, neutron-server's API URL) and the rollback. It
 * proves nothing about real containers.
 */
import { execFile } from "child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "fs";
import { createServer, Server } from "http";
import { AddressInfo } from "net";
import { tmpdir } from "os";
import { dirname, join } from "path";
import { OpenStackRelease } from "../../lib/model/release";
import { DesiredConfig, desiredConfig } from "../../lib/push/desired-config";
import { ServiceManager } from "../../lib/push/service-manager";

const SCRIPT = join(__dirname, "..", "..", "remote", "dvr_push.py");
const FAKE_DOCKER_DIR = join(__dirname, "support", "fake-docker");

const SEED: Record<string, string> = {
  "neutron.conf": "[DEFAULT]\n# Distributed routers by default\n#router_distributed = false\ncore_plugin = ml2\n",
  "openvswitch_agent.ini": "[agent]\n#l2_population = false\n\n[ovs]\nlocal_ip = 127.0.0.1\n",
  "l3_agent.ini": "[DEFAULT]\n#agent_mode = legacy\ninterface_driver = openvswitch\n",
  "metadata_agent.ini": "[DEFAULT]\n#nova_metadata_host = 127.0.0.1\n",
  "dhcp_agent.ini": "[DEFAULT]\ninterface_driver = openvswitch\n",
  "ml2_conf.ini": "[ml2]\nmechanism_drivers = openvswitch,l2population\n",
};

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

describe("dvr_push.py, kolla mode, with a FAKE docker (unit)", () => {
  let dir: string;
  let dockerLog: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dvr-lab-kolla-"));
    dockerLog = join(dir, "docker.log");
    writeFileSync(dockerLog, "");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The kolla document of a node, with its /etc/kolla and /var/log/kolla paths moved under `dir`. */
  function kollaDoc(role: "dvr_snat" | "controller", extra: Partial<Parameters<typeof desiredConfig>[0]> = {}): DesiredConfig {
    const doc = desiredConfig({
      node: role === "controller" ? "ctrl1" : "com1",
      role,
      release: OpenStackRelease.ZED,
      serviceManager: ServiceManager.KOLLA,
      tunnelIp: "192.0.2.11",
      metadataHost: "ctrl1",
      dhcpAgent: true,
      externalPhysnet: "provider",
      settleSeconds: 1,
      apiTimeoutSeconds: 5,
      ...extra,
    });
    const files = doc.files.map((f) => ({ ...f, path: join(dir, f.path) }));
    const services = doc.services.map((s) => ({ ...s, log: join(dir, s.log) }));
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      writeFileSync(f.path, SEED[f.file]);
    }
    for (const s of services) {
      mkdirSync(dirname(s.log), { recursive: true });
      writeFileSync(s.log, "2026-01-01 00:00:00.000 1 INFO neutron [-] old run\n");
    }
    return { ...doc, files, services };
  }

  function runPush(doc: unknown, env: Record<string, string> = {}): Promise<Run> {
    const path = join(dir, "desired.json");
    writeFileSync(path, JSON.stringify(doc));
    return new Promise((resolve) => {
      execFile(
        "python3",
        [SCRIPT, path],
        { env: { ...process.env, PATH: `${FAKE_DOCKER_DIR}:${process.env.PATH}`, FAKE_DOCKER_LOG: dockerLog, FAKE_DOCKER_LOGDIR: join(dir, "var", "log", "kolla", "neutron"), ...env }, timeout: 60_000 },
        (err, stdout, stderr) => resolve({ status: err ? ((err as any).code ?? -1) : 0, stdout, stderr }),
      );
    });
  }

  const dockerCalls = () => readFileSync(dockerLog, "utf8").split("\n").filter(Boolean).map((l) => l.replace(/^\S+ /, ""));
  const restarts = () => dockerCalls().filter((c) => c.startsWith("restart "));
  const backups = () => readdirSync(join(dir, "etc", "kolla"), { recursive: true }).map(String).filter((n) => /\.dvr-lab-.*\.bak$/.test(n));

  test("agent node: per-container files, restarts in order (OVS, L3, metadata, DHCP), each gated on docker inspect", async () => {
    const doc = kollaDoc("dvr_snat");
    expect(doc.files.every((f) => f.services.length === 1)).toBe(true); // kolla: one copy per container
    const r = await runPush(doc);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    const units = ["neutron_openvswitch_agent", "neutron_l3_agent", "neutron_metadata_agent", "neutron_dhcp_agent"];
    expect(restarts()).toEqual(units.map((u) => `restart ${u}`));
    const calls = dockerCalls();
    for (const u of units) {
      const i = calls.indexOf(`restart ${u}`);
      expect(calls[i + 1]).toBe(`inspect -f {{.State.Running}} ${u}`);
    }
    expect(readFileSync(join(dir, "etc/kolla/neutron-l3-agent/l3_agent.ini"), "utf8")).toBe(
      "[DEFAULT]\n#agent_mode = legacy\nagent_mode = dvr_snat\ninterface_driver = openvswitch\n",
    );
    expect(readFileSync(join(dir, "etc/kolla/neutron-openvswitch-agent/neutron.conf"), "utf8")).toContain("#router_distributed = false\nrouter_distributed = True\n");
    // dhcp_agent.ini already had its key: no backup for it.
    expect(backups().some((b) => b.includes("dhcp_agent.ini"))).toBe(false);
    expect(backups().some((b) => b.includes("neutron-dhcp-agent/neutron.conf"))).toBe(true);

    // Idempotent.
    writeFileSync(dockerLog, "");
    const again = await runPush(doc);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("  no change");
    expect(dockerCalls()).toEqual([]);
  });

  test("a config file that is a symlink stays a symlink; its target is edited and backed up", async () => {
    const doc = kollaDoc("dvr_snat");
    const l3ini = join(dir, "etc/kolla/neutron-l3-agent/l3_agent.ini");
    const real = join(dir, "l3_agent.real.ini");
    renameSync(l3ini, real);
    symlinkSync(real, l3ini);
    const r = await runPush(doc);
    expect(r.status).toBe(0);
    expect(lstatSync(l3ini).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toContain("agent_mode = dvr_snat\n");
    expect(readdirSync(dir).some((n) => n.startsWith("l3_agent.real.ini.dvr-lab-"))).toBe(true);
  });

  test("only the containers that read a changed file restart", async () => {
    const doc = kollaDoc("dvr_snat");
    expect((await runPush(doc)).status).toBe(0);
    writeFileSync(dockerLog, "");
    const changed = JSON.parse(JSON.stringify(doc));
    for (const f of changed.files) for (const s of f.settings) if (s.key === "agent_mode") s.value = "dvr";
    const r = await runPush(changed);
    expect(r.status).toBe(0);
    expect(restarts()).toEqual(["restart neutron_l3_agent"]);
    expect(r.stdout).toMatch(/l3_agent\.ini \[DEFAULT\] agent_mode: dvr_snat -> dvr/);
  });

  test("a CRITICAL line after the restart: restore, restart again, one clear error naming the key and the log line", async () => {
    const doc = kollaDoc("dvr_snat");
    const before = new Map(doc.files.map((f) => [f.path, readFileSync(f.path)]));
    const l3log = doc.services.find((s) => s.name === "neutron-l3-agent")!.log;
    const r = await runPush(doc, { FAKE_DOCKER_CRITICAL: `neutron_l3_agent=${l3log}` });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    const l3ini = join(dir, "etc/kolla/neutron-l3-agent/l3_agent.ini");
    const l3conf = join(dir, "etc/kolla/neutron-l3-agent/neutron.conf");
    expect(lines[0]).toBe(
      `dvr-lab push com1: neutron-l3-agent failed after setting ${l3conf} [DEFAULT] router_distributed = True, ${l3ini} [DEFAULT] agent_mode = dvr_snat: ` +
        `${readFileSync(l3log, "utf8").split("\n").find((l) => l.includes(" CRITICAL "))}; restored previous files`,
    );
    for (const [p, b] of before) expect([p, readFileSync(p).equals(b)]).toEqual([p, true]);
    expect(restarts()).toEqual([
      "restart neutron_openvswitch_agent",
      "restart neutron_l3_agent",
      "restart neutron_openvswitch_agent",
      "restart neutron_l3_agent",
    ]);
  });

  test("a container that is not running after the restart fails the push the same way", async () => {
    const doc = kollaDoc("dvr_snat");
    const r = await runPush(doc, { FAKE_DOCKER_DEAD: "neutron_openvswitch_agent" });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^dvr-lab push com1: neutron-openvswitch-agent failed after setting .*\[ovs\] local_ip = 192\.0\.2\.11.*: process not running after restart \(no CRITICAL line in .*\); restored previous files; restart on the previous files also failed: neutron-openvswitch-agent FAILED: .*$/,
    );
    expect(restarts()).toEqual(["restart neutron_openvswitch_agent", "restart neutron_openvswitch_agent"]);
  });

  describe("controller: neutron-server first, and the push waits for its API", () => {
    let server: Server;
    let hits: number[];
    let port: number;
    beforeEach(async () => {
      hits = [];
      server = createServer((_req, res) => {
        hits.push(Date.now());
        res.statusCode = 401; // any HTTP answer counts: keystone would say 401
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    test("waits until the health URL answers (401 is an answer)", async () => {
      const doc = kollaDoc("controller", { apiUrl: `http://127.0.0.1:${port}/` });
      const started = Date.now();
      const r = await runPush(doc);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
      expect(restarts()).toEqual(["restart neutron_server"]);
      expect(hits.length).toBeGreaterThan(0);
      expect(hits[0]).toBeGreaterThanOrEqual(started);
    });

    test("an API that never answers fails the push after apiTimeoutSeconds and rolls back", async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server = createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const doc = kollaDoc("controller", { apiUrl: `http://127.0.0.1:${port}/`, apiTimeoutSeconds: 2 }); // nothing listens there now
      const before = new Map(doc.files.map((f) => [f.path, readFileSync(f.path)]));
      const r = await runPush(doc);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toMatch(new RegExp(`^dvr-lab push ctrl1: neutron-server failed after setting .*: http://127\\.0\\.0\\.1:${port}/ did not answer within 2s; restored previous files`));
      for (const [p, b] of before) expect(readFileSync(p).equals(b)).toBe(true);
      expect(existsSync(doc.files[0].path)).toBe(true);
    });
  });
});
