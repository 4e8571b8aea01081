import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { ini, IniDoc, keystoneAuth } from "./ini";
import { NamespaceRecord, tool } from "./namespace";
import { CloudPlan, dbUrl, keystoneUrl, PORTS, REGION, transportUrl } from "./plan";
import { CloudRest } from "./rest";
import { CloudServices } from "./services";
import { sql, sqlString } from "./database";

/**
 * Nova 26 with the fake virt driver (docs/CLOUD-TWIN.md §5): nova-api (eventlet, osapi_compute only,
 * one worker), nova-conductor and nova-scheduler (one worker each), cells v2 (cell0 + cell1, the
 * install guide's single-conductor layout) and one nova-compute per VM host: `[DEFAULT] host =
 * <name>` and `compute_driver = fake.FakeDriver` in its own file, passed after the shared nova.conf
 * (devstack's fake mode). Without the nova-compute package (it pulls in libvirt/qemu) the compute
 * runs from python3-nova: `python3 -c 'from nova.cmd.compute import main; ...'`.
 */

/**
 * nova.conf (api, conductor, scheduler, nova-manage), nova-compute.conf (the computes: the same
 * without any database connection, as devstack's nova-cpu.conf; a compute reaches the database only
 * through the conductor) and nova-<host>.conf per compute host.
 */
export function writeNovaConf(plan: CloudPlan, files: { conf: string; computeConf: string; hostConf: (host: string) => string }): void {
  const lib = join(plan.stateDir, "lib", "nova");
  mkdirSync(join(lib, "lock"), { recursive: true });
  const auth = (user: "nova" | "placement" | "neutron") => keystoneAuth(`${keystoneUrl(plan)}/v3`, user, plan.passwords.service[user], { region_name: REGION });
  const common: IniDoc = {
    DEFAULT: {
      use_stderr: true,
      host: plan.controller,
      my_ip: plan.ip,
      transport_url: transportUrl(plan),
      state_path: lib,
      enabled_apis: "osapi_compute",
      osapi_compute_listen: plan.ip,
      osapi_compute_listen_port: PORTS.nova,
      osapi_compute_workers: 1,
      default_availability_zone: "nova",
    },
    api: { auth_strategy: "keystone" },
    conductor: { workers: 1 },
    scheduler: { workers: 1 },
    keystone_authtoken: keystoneAuth(keystoneUrl(plan), "nova", plan.passwords.service.nova, { www_authenticate_uri: keystoneUrl(plan) }),
    placement: auth("placement"),
    // Neutron is not part of this slice: the catalog names its endpoint, nothing listens yet.
    neutron: auth("neutron"),
    oslo_concurrency: { lock_path: join(lib, "lock") },
    wsgi: { api_paste_config: "/usr/share/nova-common/api-paste.ini" },
    quota: { driver: "nova.quota.NoopQuotaDriver" },
    vnc: { enabled: false },
  };
  const db: IniDoc = { api_database: { connection: dbUrl(plan, "nova_api") }, database: { connection: dbUrl(plan, "nova") } };
  // The scheduler maps new compute hosts into cell1 itself (nova's periodic host discovery, for a
  // single scheduler), every 2 s from its start (no fuzzy delay): no nova-manage on the critical path.
  const control: IniDoc = {
    ...common,
    DEFAULT: { ...common.DEFAULT, periodic_fuzzy_delay: 0 },
    scheduler: { ...common.scheduler, discover_hosts_in_cells_interval: DISCOVER_INTERVAL_S },
    ...db,
  };
  writeFileSync(files.conf, ini(control, "dvr-lab cloud twin: nova (api, conductor, scheduler, nova-manage)"), { mode: 0o600 });
  writeFileSync(files.computeConf, ini(common, "dvr-lab cloud twin: nova-compute (no database: the conductor is its only way there)"), { mode: 0o600 });
  for (const host of plan.computeHosts) {
    const state = join(plan.stateDir, "lib", `nova-${host}`);
    mkdirSync(join(state, "instances"), { recursive: true });
    writeFileSync(
      files.hostConf(host),
      ini({ DEFAULT: { host, compute_driver: "fake.FakeDriver", state_path: state, instances_path: join(state, "instances") } }, `dvr-lab cloud twin: nova-compute on ${host}`),
    );
  }
}

const manage = (conf: string) => ["/usr/bin/nova-manage", "--config-file", conf];

export async function novaApiDbSync(ns: NamespaceRecord, logDir: string, conf: string): Promise<void> {
  await tool(ns, logDir, "nova-api-db-sync", [...manage(conf), "api_db", "sync"]);
}

/** cell0 (database nova_cell0, derived from [database]) and cell1 ([database], RabbitMQ). */
export async function novaMapCells(ns: NamespaceRecord, logDir: string, conf: string): Promise<void> {
  await Promise.all([
    tool(ns, logDir, "nova-map-cell0", [...manage(conf), "cell_v2", "map_cell0"]),
    tool(ns, logDir, "nova-create-cell1", [...manage(conf), "cell_v2", "create_cell", "--name=cell1", "--verbose"]),
  ]);
}

/** What create_cell/map_cell0 wrote that depends on this bring-up (secrets, address), by placeholder. */
function cellMappingValues(plan: CloudPlan): Record<string, string> {
  return {
    "dvr-lab-cloud-placeholder:cell1-transport-url": transportUrl(plan),
    "dvr-lab-cloud-placeholder:cell1-database": dbUrl(plan, "nova"),
    "dvr-lab-cloud-placeholder:cell0-database": dbUrl(plan, "nova_cell0"),
  };
}

/**
 * The nova_api dump as the migration cache keeps it: the cell mappings' transport URL and database
 * connections (passwords, address) replaced by placeholders.
 */
export function scrubNovaApiDump(plan: CloudPlan, dump: string): string {
  let out = dump;
  for (const [placeholder, value] of Object.entries(cellMappingValues(plan))) {
    if (!out.includes(value)) throw new Error(`dvr-lab cloud: the nova_api dump lacks the cell mapping value for ${placeholder}`);
    out = out.split(value).join(placeholder);
  }
  return out;
}

export const CELL0_UUID = "00000000-0000-0000-0000-000000000000";

/**
 * After a restore from the cache: cell0 and cell1 get this bring-up's values (the rows are the ones
 * map_cell0 and create_cell wrote when the cache was made), checked.
 */
export async function applyCellMappings(ns: NamespaceRecord, logDir: string, plan: CloudPlan): Promise<void> {
  const v = Object.values(cellMappingValues(plan));
  const out = await sql(
    ns,
    logDir,
    "nova-cell-mappings",
    [
      `UPDATE cell_mappings SET transport_url = ${sqlString(v[0])}, database_connection = ${sqlString(v[1])} WHERE name = 'cell1';`,
      `UPDATE cell_mappings SET database_connection = ${sqlString(v[2])} WHERE uuid = '${CELL0_UUID}';`,
      "SELECT COUNT(*) FROM cell_mappings WHERE transport_url NOT LIKE 'dvr-lab-cloud-placeholder:%' AND database_connection NOT LIKE 'dvr-lab-cloud-placeholder:%';",
      "",
    ].join("\n"),
    "nova_api",
  );
  if (out.trim() !== "2") throw new Error(`dvr-lab cloud: cell mappings after the restore: ${out.trim()} of 2 set (cell0, cell1)`);
}

/** Syncs cell0 and cell1. */
export async function novaDbSync(ns: NamespaceRecord, logDir: string, conf: string): Promise<void> {
  await tool(ns, logDir, "nova-db-sync", [...manage(conf), "db", "sync"]);
}

export function startNovaApi(services: CloudServices, conf: string): void {
  services.start("nova-api", ["/usr/bin/nova-api", "--config-file", conf], {}, { background: true });
}

/**
 * Both build their placement client at start (Zed): Keystone must know the placement user by then.
 * The scheduler starts in the background (nice 10): the computes' registration needs only the
 * conductor.
 */
export function startNovaConductorScheduler(services: CloudServices, conf: string): void {
  services.start("nova-conductor", ["/usr/bin/nova-conductor", "--config-file", conf]);
  services.start("nova-scheduler", ["/usr/bin/nova-scheduler", "--config-file", conf], {}, { background: true });
}

export async function waitNovaApi(plan: CloudPlan, services: CloudServices): Promise<void> {
  await services.waitHttp("nova-api", `http://${plan.ip}:${PORTS.nova}/`);
}

export const computeService = (host: string) => `nova-compute-${host}`;

export function startComputes(plan: CloudPlan, services: CloudServices, computeConf: string, hostFile: (host: string) => string): void {
  for (const host of plan.computeHosts) {
    services.start(computeService(host), [
      "/usr/bin/python3",
      "-c",
      "import sys; from nova.cmd.compute import main; sys.exit(main())",
      "--config-file",
      computeConf,
      "--config-file",
      hostFile(host),
    ]);
  }
}

/** Waits until every compute host has its compute node row (it registered with the resource tracker). */
export async function waitComputeNodes(ns: NamespaceRecord, logDir: string, plan: CloudPlan, services: CloudServices): Promise<void> {
  for (const host of plan.computeHosts) {
    await services.waitFor(computeService(host), "registered (no compute node row)", 120000, async () => {
      const out = await sql(ns, logDir, "compute-nodes", "SELECT host FROM compute_nodes WHERE deleted = 0;\n", "nova");
      return out.split("\n").some((l) => l.trim() === host);
    }, 1000);
  }
}

/** The scheduler's host discovery period (`[scheduler] discover_hosts_in_cells_interval`, s). */
export const DISCOVER_INTERVAL_S = 2;

/**
 * Waits until the scheduler's periodic host discovery has mapped every compute host into cell1
 * (host_mappings in nova_api; needed to schedule onto them), as `nova-manage cell_v2
 * discover_hosts` would have.
 */
export async function waitHostsDiscovered(ns: NamespaceRecord, logDir: string, plan: CloudPlan, services: CloudServices): Promise<void> {
  await services.waitFor("nova-scheduler", `mapped ${plan.computeHosts.join(", ")} into cell1 (periodic host discovery, every ${DISCOVER_INTERVAL_S} s)`, 60000, async () => {
    const out = await sql(ns, logDir, "host-mappings", "SELECT host FROM host_mappings;\n", "nova_api");
    const mapped = new Set(out.split("\n").map((l) => l.trim()));
    return plan.computeHosts.every((h) => mapped.has(h));
  }, 500);
}

export async function createFlavor(plan: CloudPlan, api: CloudRest): Promise<void> {
  const f = plan.flavor;
  await api.call("Nova", `flavor ${f.name}`, "POST", `http://${plan.ip}:${PORTS.nova}/v2.1/flavors`, {
    body: { flavor: { name: f.name, id: f.id, ram: f.ram, vcpus: f.vcpus, disk: f.disk, "os-flavor-access:is_public": true } },
  });
}

export interface NovaServiceInfo {
  binary: string;
  host: string;
  state: string;
  status: string;
}

/**
 * Waits until conductor, scheduler and every compute report `up` (os-services) and every compute
 * host is a hypervisor (os-hypervisors).
 */
export async function waitNovaServices(plan: CloudPlan, api: CloudRest, services: CloudServices): Promise<void> {
  const url = `http://${plan.ip}:${PORTS.nova}/v2.1`;
  const want = [
    { binary: "nova-conductor", host: plan.controller, unit: "nova-conductor" },
    { binary: "nova-scheduler", host: plan.controller, unit: "nova-scheduler" },
    ...plan.computeHosts.map((h) => ({ binary: "nova-compute", host: h, unit: computeService(h) })),
  ];
  for (const w of want) {
    await services.waitFor(w.unit, `reported up in os-services as ${w.binary} on ${w.host}`, 90000, async () => {
      const { services: list } = await api.call<{ services: NovaServiceInfo[] }>("Nova", "os-services", "GET", `${url}/os-services`);
      return list.some((s) => s.binary === w.binary && s.host === w.host && s.state === "up" && s.status === "enabled");
    }, 500);
  }
  for (const host of plan.computeHosts) {
    await services.waitFor(computeService(host), `listed in os-hypervisors as ${host}`, 60000, async () => {
      const { hypervisors } = await api.call<{ hypervisors: { hypervisor_hostname: string; state: string }[] }>("Nova", "os-hypervisors", "GET", `${url}/os-hypervisors`);
      return hypervisors.some((h) => h.hypervisor_hostname === host && h.state === "up");
    }, 500);
  }
}
