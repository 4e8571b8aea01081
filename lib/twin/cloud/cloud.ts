import { spawnSync } from "child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "fs";
import { loadavg } from "os";
import { join, resolve } from "path";
import { alive, enter } from "../proc";
import { defaultStateDir, underHostTmpfs } from "../state-dir";
import { cloudName, osVariables, writeClientFiles } from "./clients";
import { createDatabases, dumpDatabase, recreateDatabase, restoreDatabase, tableCount } from "./database";
import { createImage, glanceDbSync, startGlance, waitGlance, writeGlanceConf } from "./glance";
import { keystoneBootstrap, keystoneCatalog, keystoneDbSync, writeKeyRepositories, startKeystone, waitKeystone, writeKeystoneConf } from "./keystone";
import { childrenCpuSeconds, cpuSecondsOf, memoryOf, MemorySample } from "./memory";
import { CACHED_DATABASES, CachedDatabase, CacheKey, cacheRoot, loadDumps, migrationCacheKey, storeDumps } from "./migration-cache";
import { cleanEnv, killGroups, logTail, NamespaceRecord, processesInGroups } from "./namespace";
import {
  computeService,
  createFlavor,
  novaApiDbSync,
  novaDbSync,
  waitHostsDiscovered,
  novaMapCells,
  scrubNovaApiDump,
  applyCellMappings,
  startComputes,
  startNovaApi,
  startNovaConductorScheduler,
  waitComputeNodes,
  waitNovaApi,
  waitNovaServices,
  writeNovaConf,
} from "./nova";
import { CLOUD_STATE_SCHEMA, CloudPlan, cloudPaths, keystoneUrl, planCloud } from "./plan";
import { placementDbSync, startPlacement, waitPlacement, writePlacementConf } from "./placement";
import { CloudApiError, CloudRest } from "./rest";
import { CloudServices } from "./services";

/**
 * The cloud twin's bring-up: Keystone, Glance, Placement and Nova from Debian 12's Zed packages on
 * the lab twin's controller host (its namespace, MariaDB and RabbitMQ). Named phases, started in
 * parallel where their order allows; one progress line per phase with its elapsed seconds (and the
 * time since the start); `down` kills the services by process group.
 *
 *   prepare ─ services ─┬ databases ─┬ keystone: migrate ─ bootstrap ─ server ─ catalog ─┐
 *                       └ keys       ├ glance: migrate ─ server ──────────────── image ───┤
 *                                    ├ placement: migrate ─ server ───────────────────────┤
 *                                    └ nova: migrate + cells ─ api/conductor/scheduler ───┤
 *                                          computes (after catalog, placement) ─ discover ┴ flavor, services up
 */

export interface PhaseTiming {
  readonly name: string;
  /** Seconds since the bring-up started, when the phase began. */
  readonly at: number;
  readonly seconds: number;
}

/** What every bring-up records first in its state file (the cloud's, the lab twin's). */
export interface BringUpRecord {
  schema: string;
  name: string;
  stateDir: string;
  phase: "starting" | "up" | "failed" | "down";
  error?: string;
  startedAt: string;
}

export interface CloudState extends BringUpRecord {
  plan: CloudPlan;
  /** The namespace holder (recorded as soon as it is spawned, so `down` finds it after a crash). */
  holder?: number;
  namespace?: NamespaceRecord;
  services: Record<string, number>;
  phases: PhaseTiming[];
  upSeconds?: number;
  migrations?: { key: string; cached: boolean; stored?: string; note?: string };
  memory?: { processes: number; pssMiB: number; rssMiB: number; tmpfsMiB: number; peakPssMiB: number; peakTotalMiB: number };
  imageId?: string;
  /**
   * CPU seconds the bring-up used: the one-shot tools (db syncs, bootstrap, nova-manage, curl, the
   * SQL client) and the services (until up), and the load average of the machine when it began (a
   * shared 2-core machine: the wall-clock figures depend on what else runs).
   */
  cpu?: { toolsSeconds: number; servicesSeconds: number; loadAverageAtStart: number };
  /** Hosted on the lab twin's controller (its namespace, MariaDB and RabbitMQ; see CloudHost): always. */
  hosted?: boolean;
}

/**
 * Where a hosted cloud runs: the lab twin's controller host. Its namespace (no namespace of the
 * cloud's own: the twin owns it and tears it down), its MariaDB (running, grant tables on, root by
 * the unix socket) and its RabbitMQ (the plan's `transport`): each starts once per twin.
 */
export interface CloudHost {
  readonly namespace: NamespaceRecord;
}

/** Points of the bring-up a caller can wait for (the twin's Neutron API gate needs Keystone's users). */
export type CloudMilestone = "catalog";

export interface CloudUpOptions {
  readonly name?: string;
  readonly stateDir?: string;
  readonly ip?: string;
  readonly controller?: string;
  readonly computeHosts?: readonly string[];
  /**
   * Restore the migrations from the cache when it has them (default true). false (or
   * DVR_LAB_CLOUD_COLD=1): a cold bring-up that runs every migration, and stores the cache afresh.
   */
  readonly migrationCache?: boolean;
  readonly log?: (line: string) => void;
  /** A plan made beforehand (the twin writes Neutron's Keystone settings from its passwords). */
  readonly plan?: CloudPlan;
  /** The lab twin's controller, where the cloud runs. */
  readonly host: CloudHost;
  readonly onMilestone?: (m: CloudMilestone) => void;
}

const REQUIRED = [
  "/usr/bin/unshare",
  "/usr/bin/nsenter",
  "/usr/bin/curl",
  "/usr/sbin/mariadbd",
  "/usr/bin/mariadb-install-db",
  "/usr/bin/mariadb-dump",
  "/usr/lib/rabbitmq/bin/rabbitmq-server",
  "/usr/bin/uwsgi_python3",
  "/usr/bin/keystone-manage",
  "/usr/bin/keystone-wsgi-public",
  "/usr/bin/glance-api",
  "/usr/bin/glance-manage",
  "/usr/share/glance-common/glance-api-paste.ini",
  "/usr/bin/placement-api",
  "/usr/bin/placement-manage",
  "/usr/bin/nova-api",
  "/usr/bin/nova-conductor",
  "/usr/bin/nova-scheduler",
  "/usr/bin/nova-manage",
  "/usr/share/nova-common/api-paste.ini",
  "/usr/lib/python3/dist-packages/nova/cmd/compute.py",
  "/usr/lib/python3/dist-packages/nova/virt/fake.py",
  "/usr/bin/openstack",
];

/** What this machine lacks for the cloud twin (empty when it can run). */
export function cloudPrerequisitesSync(): string[] {
  if (process.getuid && process.getuid() !== 0) return ["root (run as uid 0)"];
  const missing = REQUIRED.filter((c) => !existsSync(c));
  if (missing.length) return [...missing.map((m) => `${m} (npm run setup installs the cloud twin's packages)`)];
  const probe = spawnSync("unshare", ["--mount", "--net", "--uts", "--propagation", "private", "--", "sh", "-c", "mount -t tmpfs t /mnt && mount -t sysfs s /sys && ip addr add 192.0.2.1/32 dev lo"], {
    encoding: "utf8",
    timeout: 10000,
  });
  if (probe.status !== 0) return [`kernel: mount/net/uts namespaces with tmpfs and sysfs (${String(probe.stderr).trim()})`];
  return [];
}

export function defaultCloudStateDir(name: string): string {
  return defaultStateDir(`cloud-${name}`);
}

/** The service unit (its log) that answers a CloudApiError's service. */
const API_UNITS: Record<string, string> = { Keystone: "keystone", Glance: "glance-api", Placement: "placement", Nova: "nova-api" };

/** The same promise, with a no-op handler attached (its rejection is thrown where it is awaited). */
function handled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export class Cloud {
  private readonly log: (line: string) => void;
  private t0 = Date.now();
  private services?: CloudServices;
  private aborted = false;
  private peak = { pss: 0, total: 0 };
  private milestone: (m: CloudMilestone) => void = () => undefined;

  private constructor(
    public readonly state: CloudState,
    log?: (line: string) => void,
  ) {
    this.log = log ?? (() => undefined);
  }

  public static attach(stateDir: string, log?: (line: string) => void): Cloud | undefined {
    const f = cloudPaths(resolve(stateDir)).state;
    if (!existsSync(f)) return undefined;
    return new Cloud(JSON.parse(readFileSync(f, "utf8")) as CloudState, log);
  }

  /** Brings the cloud up; on failure tears down what it built (logs kept) and throws. */
  public static async up(opts: CloudUpOptions): Promise<Cloud> {
    const name = opts.name ?? "cloud";
    const stateDir = resolve(opts.stateDir ?? defaultCloudStateDir(name));
    if (underHostTmpfs(stateDir)) throw new Error(`dvr-lab cloud: the state dir ${stateDir} must not be under /tmp or /run (the namespace mounts its own tmpfs there)`);
    const old = Cloud.attach(stateDir);
    if (old?.state.holder && alive(old.state.holder)) throw new Error(`dvr-lab cloud: "${name}" is already up (state ${stateDir}); take it down first`);
    const missing = cloudPrerequisitesSync();
    if (missing.length) throw new Error(`dvr-lab cloud: this machine lacks: ${missing.join(", ")}`);
    rmSync(stateDir, { recursive: true, force: true });
    mkdirSync(stateDir, { recursive: true });
    const plan = opts.plan ?? planCloud({ name, stateDir, ip: opts.ip, controller: opts.controller, computeHosts: opts.computeHosts });
    if (plan.stateDir !== stateDir) throw new Error(`dvr-lab cloud: the plan's state dir ${plan.stateDir} is not ${stateDir}`);
    const cloud = new Cloud(
      {
        schema: CLOUD_STATE_SCHEMA,
        name,
        stateDir,
        phase: "starting",
        startedAt: new Date().toISOString(),
        plan,
        services: {},
        phases: [],
        hosted: true,
        namespace: opts.host.namespace,
      },
      opts.log,
    );
    cloud.milestone = opts.onMilestone ?? (() => undefined);
    cloud.save();
    try {
      await cloud.bringUp(opts.migrationCache !== false && process.env.DVR_LAB_CLOUD_COLD !== "1");
      cloud.state.phase = "up";
      cloud.save();
      return cloud;
    } catch (e) {
      cloud.aborted = true;
      cloud.state.phase = "failed";
      cloud.state.error = String((e as Error).message ?? e);
      cloud.save();
      if (process.env.DVR_LAB_TWIN_KEEP_ON_FAILURE !== "1") await cloud.down({ keepLogs: true }).catch(() => undefined);
      throw e;
    }
  }

  private get plan(): CloudPlan {
    return this.state.plan;
  }

  private get paths() {
    return cloudPaths(this.state.stateDir);
  }

  private save(): void {
    writeFileSync(this.paths.state, JSON.stringify(this.state, null, 2) + "\n", { mode: 0o600 });
  }

  private get ns(): NamespaceRecord {
    if (!this.state.namespace) throw new Error("dvr-lab cloud: no namespace yet");
    return this.state.namespace;
  }

  private get svc(): CloudServices {
    if (!this.services) throw new Error("dvr-lab cloud: no services yet");
    return this.services;
  }

  /** Runs one named phase, printing its elapsed seconds; refuses to start after a failure elsewhere. */
  private async phase<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
    if (this.aborted) throw new Error(`dvr-lab cloud: ${name} not started (the bring-up failed elsewhere)`);
    const start = Date.now();
    try {
      return await fn();
    } catch (e) {
      this.aborted = true;
      throw this.withServiceLog(e);
    } finally {
      const at = (start - this.t0) / 1000;
      const seconds = (Date.now() - start) / 1000;
      this.state.phases.push({ name, at: Math.round(at * 10) / 10, seconds: Math.round(seconds * 10) / 10 });
      this.save();
      this.log(`[${((Date.now() - this.t0) / 1000).toFixed(1).padStart(5)} s] cloud: ${name} (${seconds.toFixed(1)} s)`);
    }
  }

  /** An API call that failed (no answer, or an error status) says what the service's own log says. */
  private withServiceLog(e: unknown): unknown {
    const unit = e instanceof CloudApiError && this.services ? API_UNITS[e.service] : undefined;
    if (!unit || !(e instanceof CloudApiError)) return e;
    const file = this.svc.logFile(unit);
    e.message += `; the last lines of ${file}:\n${logTail(file)}`;
    return e;
  }

  /**
   * The cloud's processes: the process groups of its services (each leads its own: started
   * detached), workers included (the namespace is the twin controller's, shared with Neutron).
   */
  public processes(): number[] {
    if (!this.state.namespace) return [];
    return processesInGroups(new Set(Object.values(this.state.services)));
  }

  private sampleMemory(): void {
    if (!this.state.namespace) return;
    const m = memoryOf(this.processes());
    if (m.pssMiB > this.peak.pss) this.peak.pss = m.pssMiB;
  }

  private async bringUp(useCache: boolean): Promise<void> {
    this.t0 = Date.now();
    const cpu0 = childrenCpuSeconds();
    const load = loadavg()[0];
    const plan = this.plan;
    const p = this.paths;
    const log = p.log;
    let key: CacheKey | undefined;
    let dumps: Record<CachedDatabase, string> | undefined;
    await this.phase("prepare (config files, migration cache lookup)", () => {
      for (const d of [p.etc, p.log, p.lib, join(p.lib, "home")]) mkdirSync(d, { recursive: true });
      writeFileSync(join(this.state.stateDir, "hosts"), `127.0.0.1 localhost\n${plan.ip} ${plan.controller}\n`);
      writeKeystoneConf(plan, p.keystoneConf);
      writeGlanceConf(plan, p.glanceConf);
      writePlacementConf(plan, p.placementDir);
      writeNovaConf(plan, { conf: p.novaConf, computeConf: p.novaComputeConf, hostConf: p.novaHostConf });
      key = migrationCacheKey();
      dumps = useCache ? loadDumps(key) : undefined;
      this.state.migrations = { key: key.key, cached: !!dumps, ...(useCache ? {} : { note: "cold bring-up asked for: migrations run, cache refreshed" }) };
    });
    await this.phase("services of the lab twin's controller", async () => {
      this.services = new CloudServices(this.ns, log, () => {
        this.state.services = { ...this.svc.pids };
        this.save();
      });
    });
    const sampler = setInterval(() => this.sampleMemory(), 2000);
    try {
      await this.startAll(key!, dumps);
    } finally {
      clearInterval(sampler);
    }
    this.state.upSeconds = Math.round((Date.now() - this.t0) / 100) / 10;
    const servicesCpu = this.processes().reduce((a, pid) => a + cpuSecondsOf(pid), 0);
    this.state.cpu = { toolsSeconds: Math.round((childrenCpuSeconds() - cpu0) * 10) / 10, servicesSeconds: Math.round(servicesCpu * 10) / 10, loadAverageAtStart: Math.round(load * 100) / 100 };
    await this.measureMemory();
    this.log(`cloud: up in ${this.state.upSeconds.toFixed(1)} s (migrations ${this.state.migrations?.cached ? "restored from the cache" : "run"}); ${this.cpuLine()}; memory ${this.memoryLine()}`);
  }

  private async startAll(key: CacheKey, dumps: Record<CachedDatabase, string> | undefined): Promise<void> {
    const plan = this.plan;
    const p = this.paths;
    const log = p.log;
    const ns = this.ns;
    const svc = this.svc;
    // Started before MariaDB's phases, awaited after them: a rejection meanwhile must not count as
    // unhandled (it is thrown where they are awaited).
    const keys = handled(this.phase("keystone key repositories (fernet, credential)", () => writeKeyRepositories(plan)));
    await this.phase("databases and users", () => createDatabases(ns, log, plan));

    // Migrations: restored from the cache, or run by each service's own command (then dumped
    // before anything else writes to the database).
    const fresh: Partial<Record<CachedDatabase, string>> = {};
    const migrate = async (dbs: readonly CachedDatabase[], run: (dump: (db: CachedDatabase) => Promise<void>) => Promise<void>, restored?: () => Promise<void>) => {
      if (dumps) {
        try {
          for (const db of dbs) {
            await restoreDatabase(ns, log, db, dumps[db]);
            if ((await tableCount(ns, log, db)) === 0) throw new Error(`no tables in ${db} after the restore`);
          }
          if (restored) await restored();
          return "restored";
        } catch (e) {
          this.log(`cloud: migration cache restore of ${dbs.join(", ")} failed (${String((e as Error).message).split("\n")[0]}); migrating instead`);
          this.state.migrations!.note = `restore failed for ${dbs.join(", ")}`;
          for (const db of dbs) await recreateDatabase(ns, log, db);
        }
      }
      await run(async (db) => {
        fresh[db] = await dumpDatabase(ns, log, db);
      });
      return "migrated";
    };
    const mode = () => (dumps ? "restored from the cache" : "migrated");

    const keystone = (async () => {
      await this.phase(`keystone database ${mode()}`, () => migrate(["keystone"], async (dump) => {
        await keystoneDbSync(ns, log, p.keystoneConf);
        await dump("keystone");
      }));
      await keys;
      await this.phase("keystone bootstrap (admin, identity endpoints)", () => keystoneBootstrap(ns, log, p.keystoneConf, plan));
      startKeystone(plan, svc, p.keystoneConf);
      await this.phase("keystone up", () => waitKeystone(plan, svc));
    })();
    const api = new CloudRest(ns, { authUrl: keystoneUrl(plan), username: "admin", password: plan.passwords.admin, project: "admin" });
    // Placement, glance-api, nova-api and RabbitMQ start in the background (nice 10) while the
    // critical path runs (Keystone: bootstrap, server, catalog); at normal priority from then on.
    const catalog = keystone
      .then(() => this.phase("catalog, project service, service users", () => keystoneCatalog(plan, api)))
      .then(() => this.milestone("catalog"))
      .then(() => svc.foreground());

    const glance = (async () => {
      await this.phase(`glance database ${mode()}`, () => migrate(["glance"], async (dump) => {
        await glanceDbSync(ns, log, p.glanceConf);
        await dump("glance");
      }));
      startGlance(svc, p.glanceConf);
      await this.phase("glance-api up", () => waitGlance(plan, svc));
    })();

    const placement = (async () => {
      await this.phase(`placement database ${mode()}`, () => migrate(["placement"], async (dump) => {
        await placementDbSync(ns, log, p.placementDir);
        await dump("placement");
      }));
      startPlacement(plan, svc, p.placementDir);
      await this.phase("placement up", () => waitPlacement(plan, svc));
    })();

    const novaControl = (async () => {
      await this.phase(`nova databases ${mode()} (api, cell0, cell1)`, () =>
        migrate(
          ["nova_api", "nova", "nova_cell0"],
          async (dump) => {
            await novaApiDbSync(ns, log, p.novaConf);
            await novaMapCells(ns, log, p.novaConf);
            await novaDbSync(ns, log, p.novaConf);
            await Promise.all([dump("nova_api"), dump("nova"), dump("nova_cell0")]);
            fresh.nova_api = scrubNovaApiDump(plan, fresh.nova_api!);
          },
          () => applyCellMappings(ns, log, plan),
        ),
      );
      startNovaApi(svc, p.novaConf);
      // Conductor and scheduler build their placement client at start: Keystone's users first.
      await catalog;
      startNovaConductorScheduler(svc, p.novaConf);
    })();
    const nova = novaControl.then(() => this.phase("nova-api up", () => waitNovaApi(plan, svc)));

    const migrations = Promise.all([keystone, glance, placement, nova]).then(() => {
      if (dumps) return;
      const all = CACHED_DATABASES.every((db) => fresh[db] !== undefined);
      if (!all) return;
      const secrets = [plan.passwords.admin, plan.passwords.rabbit, ...Object.values(plan.passwords.db), ...Object.values(plan.passwords.service)];
      const leaking = CACHED_DATABASES.filter((db) => secrets.some((x) => fresh[db]!.includes(x)));
      if (leaking.length) {
        this.log(`cloud: migration cache NOT stored: the dumps of ${leaking.join(", ")} hold a password of this bring-up`);
        return;
      }
      const dir = storeDumps(key, fresh as Record<CachedDatabase, string>);
      this.state.migrations = { ...this.state.migrations!, stored: dir };
      this.log(`cloud: migration cache stored in ${dir} (key ${key.key}; cache root ${cacheRoot()})`);
    });

    // A compute builds its placement client at start and reports its resources to placement (a miss
    // waits for the next periodic run, 60 s); it waits for the conductor by itself.
    const computes = Promise.all([catalog, placement, novaControl]).then(async () => {
      startComputes(plan, svc, p.novaComputeConf, p.novaHostConf);
      await this.phase(`nova-compute registered on ${plan.computeHosts.join(", ")}`, () => waitComputeNodes(ns, log, plan, svc));
      await svc.foreground(); // the scheduler
      await this.phase("hosts discovered (cell1 host mappings, by the scheduler)", () => waitHostsDiscovered(ns, log, plan, svc));
    });
    const flavor = Promise.all([catalog, nova]).then(() => this.phase(`flavor ${plan.flavor.name}`, () => createFlavor(plan, api)));
    const image = Promise.all([catalog, glance]).then(() =>
      this.phase(`image ${plan.image.name} active`, async () => {
        this.state.imageId = await createImage(plan, api, svc);
      }),
    );
    const clients = this.phase("clouds.yaml and openrc", () => writeClientFiles(plan, p, ns.pid));
    const ready = computes.then(() => this.phase("nova services up, hypervisors listed", () => waitNovaServices(plan, api, svc)));
    await Promise.all([keys, keystone, catalog, glance, placement, novaControl, nova, migrations, computes, flavor, image, clients, ready]);
    for (const name of Object.keys(svc.pids)) svc.assertAlive(name);
  }

  private async measureMemory(): Promise<void> {
    const m: MemorySample = memoryOf(this.processes());
    // The tmpfs belongs to the twin's controller (its MariaDB holds Neutron's database too): not counted here.
    const tmpfsMiB = 0;
    this.peak.pss = Math.max(this.peak.pss, m.pssMiB);
    this.state.memory = { ...m, tmpfsMiB, peakPssMiB: this.peak.pss, peakTotalMiB: this.peak.pss + tmpfsMiB };
    this.save();
  }

  public memoryLine(): string {
    const m = this.state.memory;
    if (!m) return "(not measured)";
    return `${m.processes} processes, PSS ${m.pssMiB} MiB (RSS sum ${m.rssMiB} MiB) + tmpfs ${m.tmpfsMiB} MiB = ${m.pssMiB + m.tmpfsMiB} MiB; peak PSS during bring-up ${m.peakPssMiB} MiB`;
  }

  public cpuLine(): string {
    const c = this.state.cpu;
    if (!c) return "CPU (not measured)";
    return `CPU ${(c.toolsSeconds + c.servicesSeconds).toFixed(1)} s (tools ${c.toolsSeconds.toFixed(1)} s, services ${c.servicesSeconds.toFixed(1)} s; load average at start ${c.loadAverageAtStart})`;
  }

  /** One line per phase: name, start (s since the bring-up began) and elapsed seconds. */
  public phaseLines(): string[] {
    return this.state.phases.map((x) => `${x.name}: ${x.seconds.toFixed(1)} s (started at ${x.at.toFixed(1)} s)`);
  }

  /** The environment the real client needs (with its argv from `openstack()`). */
  public clientEnv(): Record<string, string> {
    return cleanEnv({ OS_CLIENT_CONFIG_FILE: this.paths.cloudsYaml, OS_CLOUD: cloudName(this.plan) }, join(this.paths.lib, "home"));
  }

  /** argv running the real client (python3-openstackclient) in the cloud's network namespace with clouds.yaml. */
  public openstack(args: readonly string[]): string[] {
    if (!this.state.namespace) throw new Error("dvr-lab cloud: not up");
    const env = Object.entries(this.clientEnv()).map(([k, v]) => `${k}=${v}`);
    return [...enter(this.state.namespace.pid, { n: true }), "/usr/bin/env", "-i", ...env, "/usr/bin/openstack", ...args];
  }

  /** The admin's OS_* variables (what openrc exports). */
  public osVariables(): Record<string, string> {
    return osVariables(this.plan);
  }

  /** Kills the cloud's services (SIGTERM, then SIGKILL, by process group); removes the state dir unless keepLogs. */
  public async down(opts: { keepLogs?: boolean; graceMs?: number } = {}): Promise<{ killed: number; seconds: number; leftovers: number[] }> {
    const t = Date.now();
    this.aborted = true;
    this.services?.close();
    const result = await killGroups(new Set(Object.values(this.state.services)), opts.graceMs ?? 1500);
    if (!result.leftovers.length) {
      if (opts.keepLogs) {
        if (this.state.phase !== "failed") this.state.phase = "down";
        this.save();
      } else {
        rmSync(this.state.stateDir, { recursive: true, force: true });
      }
    }
    return { ...result, seconds: (Date.now() - t) / 1000 };
  }

  /** Names of the long-running services started (mariadb, rabbitmq, keystone, ..., nova-compute-<host>). */
  public serviceNames(): string[] {
    return Object.keys(this.state.services);
  }

  public computeServiceName(host: string): string {
    return computeService(host);
  }
}
