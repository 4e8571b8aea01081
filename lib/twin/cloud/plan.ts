import { randomBytes } from "crypto";
import { join } from "path";
import { isTestNet } from "../plan";

/**
 * What the cloud twin builds and where: Keystone, Glance, Placement and Nova (api, conductor,
 * scheduler, one nova-compute per VM host with the fake driver) from Debian 12's Zed packages, on
 * the lab twin's controller host beside Neutron, with the controller's MariaDB and RabbitMQ.
 */

export const CLOUD_STATE_SCHEMA = "dvr-lab/cloud-state@1";

export const REGION = "RegionOne";

/** The APIs, their catalog types and ports (Debian/upstream defaults). */
export const PORTS = {
  keystone: 5000,
  glance: 9292,
  placement: 8778,
  nova: 8774,
  neutron: 9696,
  rabbitmq: 5672,
} as const;

/** One MariaDB database per name; the user that owns it. */
export const DATABASES: readonly { db: string; user: ServiceUser | "keystone" }[] = [
  { db: "keystone", user: "keystone" },
  { db: "glance", user: "glance" },
  { db: "placement", user: "placement" },
  { db: "nova_api", user: "nova" },
  { db: "nova", user: "nova" },
  { db: "nova_cell0", user: "nova" },
];

/** Keystone users of the services (role admin on project "service"). */
export const SERVICE_USERS = ["nova", "neutron", "glance", "placement"] as const;
export type ServiceUser = (typeof SERVICE_USERS)[number];

/** The MariaDB server's unix socket inside the cloud namespace (its own /run). */
export const DB_SOCKET = "/run/mysqld/mysqld.sock";

export interface CloudPlan {
  readonly name: string;
  readonly stateDir: string;
  /** Host name of the controller namespace (nova-api/conductor/scheduler report it). */
  readonly controller: string;
  /** The address every API, RabbitMQ and the catalog use (on the namespace's loopback). */
  readonly ip: string;
  /** One nova-compute per name, `[DEFAULT] host = <name>`. */
  readonly computeHosts: readonly string[];
  readonly image: { name: string; bytes: number };
  readonly flavor: { name: string; id: string; ram: number; vcpus: number; disk: number };
  /** Random per bring-up; kept in state.json (mode 0600) and the generated config files. */
  readonly passwords: Passwords;
  /**
   * The RPC bus Nova uses when the cloud is hosted on the lab twin's controller (its RabbitMQ, the
   * one Neutron uses); undefined: the cloud's own RabbitMQ (user openstack) on `ip`.
   */
  readonly transport?: string;
}

export interface Passwords {
  admin: string;
  rabbit: string;
  db: Record<string, string>;
  service: Record<ServiceUser, string>;
}

export interface CloudPlanOptions {
  readonly name: string;
  readonly stateDir: string;
  readonly controller?: string;
  readonly ip?: string;
  readonly computeHosts?: readonly string[];
  /** See CloudPlan.transport. */
  readonly transport?: string;
}

/** TEST-NET-1, a /26 the twin's management network uses only when the first two overlap the lab. */
export const DEFAULT_CLOUD_IP = "192.0.2.200";

const secret = () => randomBytes(12).toString("hex");

export function planCloud(o: CloudPlanOptions): CloudPlan {
  const ip = o.ip ?? DEFAULT_CLOUD_IP;
  if (!isTestNet(ip) && !/^127\./.test(ip)) throw new Error(`dvr-lab cloud: ${ip} is neither TEST-NET nor loopback`);
  const computeHosts = o.computeHosts ?? ["com1", "com2"];
  const bad = computeHosts.filter((h) => !/^[a-z][a-z0-9-]{0,30}$/.test(h));
  if (bad.length || !computeHosts.length) throw new Error(`dvr-lab cloud: bad compute host names: ${bad.join(", ") || "(none)"}`);
  return {
    name: o.name,
    stateDir: o.stateDir,
    controller: o.controller ?? "ctrl1",
    ip,
    computeHosts,
    ...(o.transport ? { transport: o.transport } : {}),
    image: { name: "cirros", bytes: 4096 },
    flavor: { name: "m1.tiny", id: "1", ram: 512, vcpus: 1, disk: 1 },
    passwords: {
      admin: secret(),
      rabbit: secret(),
      db: Object.fromEntries([...new Set(DATABASES.map((d) => d.user))].map((u) => [u, secret()])),
      service: Object.fromEntries(SERVICE_USERS.map((u) => [u, secret()])) as Record<ServiceUser, string>,
    },
  };
}

/** Paths under the state dir (visible inside the namespace: same files, private /run and /tmp). */
export function cloudPaths(stateDir: string) {
  return {
    etc: join(stateDir, "etc"),
    log: join(stateDir, "log"),
    lib: join(stateDir, "lib"),
    keystoneConf: join(stateDir, "etc", "keystone.conf"),
    glanceConf: join(stateDir, "etc", "glance-api.conf"),
    placementDir: join(stateDir, "etc", "placement"),
    novaConf: join(stateDir, "etc", "nova.conf"),
    novaComputeConf: join(stateDir, "etc", "nova-compute.conf"),
    novaHostConf: (host: string) => join(stateDir, "etc", `nova-${host}.conf`),
    rabbitDir: join(stateDir, "rabbit"),
    cloudsYaml: join(stateDir, "clouds.yaml"),
    openrc: join(stateDir, "openrc"),
    state: join(stateDir, "state.json"),
  };
}

/** mysql+pymysql URL over the namespace's unix socket. */
export function dbUrl(plan: CloudPlan, db: string): string {
  const user = DATABASES.find((d) => d.db === db)?.user;
  if (!user) throw new Error(`dvr-lab cloud: no database ${db}`);
  return `mysql+pymysql://${user}:${plan.passwords.db[user]}@localhost/${db}?unix_socket=${DB_SOCKET}`;
}

export function transportUrl(plan: CloudPlan): string {
  if (plan.transport) return plan.transport;
  return `rabbit://openstack:${plan.passwords.rabbit}@${plan.ip}:${PORTS.rabbitmq}/`;
}

export const keystoneUrl = (plan: CloudPlan) => `http://${plan.ip}:${PORTS.keystone}`;
