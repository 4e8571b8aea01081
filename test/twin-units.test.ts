/**
 * The twin's pure code, without root (the unit project): its plan of the reference lab, its site
 * settings (Keystone auth), the INI helpers, and the curl response parser its REST clients share.
 */
import { descriptionFromStack } from "../lib/model/description-reader";
import { splitCurlResponse } from "../lib/twin/curl-response";
import { verifyHookAddresses } from "../lib/twin/deploy";
import { synthLayout } from "../lib/twin/lab";
import { planTwin } from "../lib/twin/plan";
import { baseSettings, renderIni, setIniKeys, transportUrl, type KeystoneSite } from "../lib/twin/site-config";
import { sshdConfig } from "../lib/twin/ssh";
import { hostFiles } from "../lib/twin/units";
import { AgentHealer, DEADLOCK_SIGNATURE, MAX_AGENT_RESTARTS } from "../lib/twin/repairs";

const stack = synthLayout("reference");
const plan = planTwin(descriptionFromStack(stack));
const host = (name: string) => plan.hosts.find((h) => h.name === name)!;
const value = (settings: readonly { section: string; key: string; value: string }[] | undefined, section: string, key: string) =>
  settings?.filter((s) => s.section === section && s.key === key).map((s) => s.value);

describe("the twin's plan of the reference lab", () => {
  test("hosts, roles, VM hosts and addresses, only TEST-NET", () => {
    expect(plan.hosts.map((h) => `${h.name} ${h.role} ${h.runsVms ? "vms" : "-"} ${h.ovs ? "ovs" : "-"}`)).toEqual(["ctrl1 controller - -", "com1 dvr_snat vms ovs", "com2 dvr vms ovs"]);
    for (const h of plan.hosts) expect(h.mgmtIp).toMatch(/^192\.0\.2\./);
    expect(new Set(plan.hosts.map((h) => h.mgmtIp)).size).toBe(3);
    expect(host("com1").tunnelIp).toBe("192.0.2.11");
    expect(host("com1").services).toEqual(expect.arrayContaining(["neutron-openvswitch-agent", "neutron-l3-agent", "neutron-dhcp-agent", "neutron-metadata-agent"]));
  });
});

describe("site settings", () => {
  const keystone: KeystoneSite = { authUrl: "http://192.0.2.193:5000", region: "RegionOne", neutronPassword: "n-secret", novaPassword: "v-secret" };

  test("the controller authenticates with Keystone (region RegionOne, not Debian's regionOne) and notifies Nova; agents get no passwords", () => {
    const s = baseSettings(plan, host("ctrl1"), keystone)["neutron.conf"];
    expect(value(s, "DEFAULT", "auth_strategy")).toEqual(["keystone"]);
    expect(value(s, "DEFAULT", "notify_nova_on_port_status_changes")).toEqual(["True"]);
    expect(value(s, "DEFAULT", "notify_nova_on_port_data_changes")).toEqual(["True"]);
    expect(value(s, "DEFAULT", "transport_url")).toEqual([transportUrl(plan)]);
    expect(value(s, "keystone_authtoken", "region_name")).toEqual(["RegionOne"]);
    expect(value(s, "keystone_authtoken", "username")).toEqual(["neutron"]);
    expect(value(s, "keystone_authtoken", "password")).toEqual(["n-secret"]);
    expect(value(s, "nova", "username")).toEqual(["nova"]);
    expect(value(s, "nova", "password")).toEqual(["v-secret"]);
    expect(value(s, "nova", "region_name")).toEqual(["RegionOne"]);
    const agent = baseSettings(plan, host("com1"), keystone)["neutron.conf"]!;
    expect(JSON.stringify(agent)).not.toMatch(/secret/);
    expect(value(agent, "DEFAULT", "notify_nova_on_port_status_changes")).toEqual(["False"]);
  });

  test("agent hosts run every neutron privsep daemon with one worker thread (the eventlet race); the controller gets none", () => {
    const agent = baseSettings(plan, host("com1"), keystone)["neutron.conf"]!;
    for (const sec of ["privsep", "privsep_dhcp_release", "privsep_ovs_vsctl", "privsep_namespace", "privsep_conntrack", "privsep_link"]) {
      expect(value(agent, sec, "thread_pool_size")).toEqual(["1"]);
    }
    const ctrl = baseSettings(plan, host("ctrl1"), keystone)["neutron.conf"]!;
    expect(ctrl.filter((x) => x.section.startsWith("privsep"))).toEqual([]);
  });

  test("setIniKeys sets in place, adds to an existing section or a new one, keeps comments; renderIni groups by section", () => {
    const text = "[DEFAULT]\n# region_name = x\nhost = a\n\n[keystone_authtoken]\nregion_name = regionOne\n";
    const out = setIniKeys(text, [
      { section: "keystone_authtoken", key: "region_name", value: "RegionOne" },
      { section: "DEFAULT", key: "debug", value: "" },
      { section: "nova", key: "username", value: "nova" },
    ]);
    expect(out).toBe("[DEFAULT]\ndebug =\n# region_name = x\nhost = a\n\n[keystone_authtoken]\nregion_name = RegionOne\n\n[nova]\nusername = nova\n");
    expect(renderIni([{ section: "a", key: "x", value: "1" }, { section: "b", key: "y", value: "" }, { section: "a", key: "z", value: "2" }])).toBe("[a]\nx = 1\nz = 2\n\n[b]\ny =\n");
  });

  test("sshdConfig: key-only root login on one address; sftp only when asked", () => {
    const c = sshdConfig({ listen: "198.51.100.10", hostKey: "/k", authorizedKeys: "/a", pidFile: "/p" });
    expect(c).toContain("ListenAddress 198.51.100.10\n");
    expect(c).toContain("PasswordAuthentication no\n");
    expect(c).not.toContain("sftp");
    expect(sshdConfig({ listen: "x", hostKey: "/k", authorizedKeys: "/a", pidFile: "/p", sftp: true })).toContain("Subsystem sftp internal-sftp\n");
  });
});

describe("curl -D - -w '\\n%{http_code}' responses", () => {
  test("an interim 100 Continue, then the final headers, the body and the status", () => {
    const out = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nX-Subject-Token: gAAA\r\nContent-Type: application/json\r\n\r\n{\"ok\":true}\n201";
    expect(splitCurlResponse(out)).toEqual({ status: 201, headers: { "x-subject-token": "gAAA", "content-type": "application/json" }, body: '{"ok":true}' });
  });

  test("no headers (a body only) and an empty body", () => {
    expect(splitCurlResponse("plain\n404")).toEqual({ status: 404, headers: {}, body: "plain" });
    expect(splitCurlResponse("HTTP/1.1 204 No Content\r\nA: b\r\n\r\n\n204")).toEqual({ status: 204, headers: { a: "b" }, body: "" });
  });
});

test("the real deploy finds the stack's VerifyHook (the resource it re-runs with -replace, whose output it echoes)", () => {
  expect(verifyHookAddresses(stack)).toEqual(["terraform_data.DvrLab_Verify_AEE833A5"]);
  expect(verifyHookAddresses({ resource: {} })).toEqual([]);
});

describe("the files a twin host's services need (lib/twin/units.ts)", () => {
  const names = (files: ReturnType<typeof hostFiles>) => files.map((f) => f.path.replace("/s/hosts/", ""));

  test("the controller: sshd, MariaDB, RabbitMQ (config on its management address), neutron-server; unit scripts executable", () => {
    const files = hostFiles(host("ctrl1"), "/s/hosts/ctrl1", "/s");
    expect(names(files)).toEqual(["ctrl1/sshd_config", "ctrl1/units/ssh.sh", "ctrl1/units/mariadb.sh", "ctrl1/rabbit/rabbitmq.conf", "ctrl1/rabbit/enabled_plugins", "ctrl1/units/rabbitmq-server.sh", "ctrl1/units/neutron-server.sh"]);
    for (const f of files) expect(f.mode).toBe(f.path.includes("/units/") ? 0o755 : undefined);
    const sshd = files.find((f) => f.path.endsWith("sshd_config"))!.text;
    expect(sshd).toContain(`ListenAddress ${host("ctrl1").mgmtIp}`);
    expect(sshd).toContain("AuthorizedKeysFile /s/authorized_keys");
    expect(files.find((f) => f.path.endsWith("rabbitmq.conf"))!.text).toBe(`loopback_users = none\nlisteners.tcp.default = ${host("ctrl1").mgmtIp}:5672\n`);
    expect(files.find((f) => f.path.endsWith("mariadb.sh"))!.text).toContain("--bind-address=127.0.0.1");
  });

  test("an agent host: sshd, OVS (ovsdb-server, ovs-vswitchd) and one unit per neutron service it runs", () => {
    const h = host("com1");
    const files = hostFiles(h, "/s/hosts/com1", "/s");
    expect(names(files)).toEqual(["com1/sshd_config", "com1/units/ssh.sh", "com1/units/ovsdb-server.sh", "com1/units/ovs-vswitchd.sh", ...h.services.map((x) => `com1/units/${x}.sh`)]);
    expect(files.find((f) => f.path.endsWith("ovsdb-server.sh"))!.text).toContain("ovsdb-tool create /run/openvswitch/conf.db");
  });
});

describe("the twin's repair of the privsep race (lib/twin/repairs.ts)", () => {
  test("an agent whose log since its start shows the race is restarted and the repair recorded, at most MAX_AGENT_RESTARTS times, then a named failure", async () => {
    const logs: Record<string, string> = { "com1/neutron-l3-agent": "started\n", "com2/neutron-l3-agent": "started\n" };
    const restarts: string[] = [];
    const repairs: string[] = [];
    let t = 0;
    const healer = new AgentHealer({
      agents: () => [{ host: "com1", service: "neutron-l3-agent" }, { host: "com2", service: "neutron-l3-agent" }],
      logSinceStart: (h, s) => logs[`${h}/${s}`],
      restart: async (h, s) => {
        restarts.push(`${h}/${s}`);
        logs[`${h}/${s}`] = "started again\n"; // a restart begins a new log section
      },
      repaired: (l) => repairs.push(l),
      now: () => t,
    });
    await healer.heal();
    expect(restarts).toEqual([]);
    for (let i = 1; i <= MAX_AGENT_RESTARTS; i++) {
      logs["com2/neutron-l3-agent"] += `privsep log: ${DEADLOCK_SIGNATURE}\n`;
      await healer.heal();
      expect(restarts).toHaveLength(i);
    }
    expect(restarts).toEqual(Array(MAX_AGENT_RESTARTS).fill("com2/neutron-l3-agent"));
    expect(repairs[0]).toBe(`neutron-l3-agent on com2 restarted: its log shows the eventlet/privsep start-up deadlock ("${DEADLOCK_SIGNATURE}")`);
    logs["com2/neutron-l3-agent"] += `${DEADLOCK_SIGNATURE}\n`;
    await expect(healer.heal()).rejects.toThrow(`dvr-lab twin: neutron-l3-agent on com2 hung again after ${MAX_AGENT_RESTARTS} restarts`);
    // maybeHeal: at most every 3 s.
    const quiet = new AgentHealer({ agents: () => [{ host: "com1", service: "neutron-l3-agent" }], logSinceStart: () => DEADLOCK_SIGNATURE, restart: async () => void restarts.push("q"), repaired: () => undefined, now: () => t });
    const before = restarts.length;
    await quiet.maybeHeal();
    t = 2000;
    await quiet.maybeHeal();
    t = 3500;
    await quiet.maybeHeal();
    expect(restarts.length - before).toBe(2);
  });
});

