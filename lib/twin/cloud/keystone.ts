import { randomBytes } from "crypto";
import { chmodSync, mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { ini } from "./ini";
import { NamespaceRecord, tool } from "./namespace";
import { CloudPlan, dbUrl, keystoneUrl, PORTS, REGION, SERVICE_USERS } from "./plan";
import { CloudRest } from "./rest";
import { CloudServices, uwsgiCommand } from "./services";

/**
 * Keystone 22 (v3, fernet) without Apache: Debian's keystone-wsgi-public under uwsgi with ONE
 * process (docs/CLOUD-TWIN.md §4), config from OS_KEYSTONE_CONFIG_FILES, keys in the state dir.
 * keystone-manage bootstrap makes the admin project/user/role and the identity endpoints; the rest
 * of the catalog and the service users go through the API.
 */

export function keystoneDirs(plan: CloudPlan) {
  const lib = join(plan.stateDir, "lib", "keystone");
  return { fernet: join(lib, "fernet-keys"), credential: join(lib, "credential-keys") };
}

export function writeKeystoneConf(plan: CloudPlan, file: string): void {
  const d = keystoneDirs(plan);
  mkdirSync(join(plan.stateDir, "lib", "keystone"), { recursive: true });
  writeFileSync(
    file,
    ini(
      {
        DEFAULT: { use_stderr: true },
        database: { connection: dbUrl(plan, "keystone") },
        token: { provider: "fernet" },
        fernet_tokens: { key_repository: d.fernet },
        fernet_receipts: { key_repository: d.fernet },
        credential: { key_repository: d.credential },
        // A lab: the cheapest bcrypt cost (4); every service's token request verifies a password.
        identity: { password_hash_rounds: 4 },
      },
      "dvr-lab cloud twin: keystone",
    ),
    { mode: 0o600 },
  );
}

const manage = (conf: string) => ["/usr/bin/keystone-manage", "--config-file", conf];

/**
 * The fernet and credential key repositories, written as `keystone-manage fernet_setup` and
 * `credential_setup` leave them (keystone/common/fernet_utils.py initialize_key_repository: a
 * directory of mode 0700 with key "0", the staged key, and key "1", the primary one after the first
 * rotation; each a Fernet key, the url-safe base64 of 32 random bytes; files of mode 0600), without
 * two Python start-ups of keystone-manage (about 4 s of CPU each on this machine).
 */
export function writeKeyRepositories(plan: CloudPlan): void {
  const d = keystoneDirs(plan);
  for (const dir of [d.fernet, d.credential]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    for (const id of ["0", "1"]) writeFileSync(join(dir, id), randomBytes(32).toString("base64url") + "=", { mode: 0o600 });
  }
}

export async function keystoneDbSync(ns: NamespaceRecord, logDir: string, conf: string): Promise<void> {
  await tool(ns, logDir, "keystone-db-sync", [...manage(conf), "db_sync"]);
}

export async function keystoneBootstrap(ns: NamespaceRecord, logDir: string, conf: string, plan: CloudPlan): Promise<void> {
  const url = `${keystoneUrl(plan)}/v3/`;
  await tool(ns, logDir, "keystone-bootstrap", [
    ...manage(conf),
    "bootstrap",
    "--bootstrap-password",
    plan.passwords.admin,
    "--bootstrap-admin-url",
    url,
    "--bootstrap-internal-url",
    url,
    "--bootstrap-public-url",
    url,
    "--bootstrap-region-id",
    REGION,
  ]);
}

export function startKeystone(plan: CloudPlan, services: CloudServices, conf: string): void {
  services.start(
    "keystone",
    uwsgiCommand(`${plan.ip}:${PORTS.keystone}`, "/usr/bin/keystone-wsgi-public"),
    { OS_KEYSTONE_CONFIG_FILES: conf },
  );
}

export async function waitKeystone(plan: CloudPlan, services: CloudServices): Promise<void> {
  await services.waitHttp("keystone", `${keystoneUrl(plan)}/v3`);
}

/** Catalog types, names and URLs of the services beside identity. */
export function catalogEntries(plan: CloudPlan): { type: string; name: string; url: string }[] {
  const base = `http://${plan.ip}`;
  return [
    { type: "network", name: "neutron", url: `${base}:${PORTS.neutron}` },
    { type: "compute", name: "nova", url: `${base}:${PORTS.nova}/v2.1` },
    { type: "image", name: "glance", url: `${base}:${PORTS.glance}` },
    { type: "placement", name: "placement", url: `${base}:${PORTS.placement}` },
  ];
}

/**
 * Project "service", the service users with role admin on it, and the services and their
 * public/internal/admin endpoints (RegionOne). Through the API with the admin's token.
 */
export async function keystoneCatalog(plan: CloudPlan, api: CloudRest): Promise<void> {
  const v3 = `${keystoneUrl(plan)}/v3`;
  const post = async (resource: string, path: string, kind: string, body: unknown) => (await api.call<Record<string, { id: string }>>("Keystone", resource, "POST", `${v3}${path}`, { body }))[kind].id;
  const [roles, project] = await Promise.all([
    api.call<{ roles: { id: string }[] }>("Keystone", "role admin", "GET", `${v3}/roles?name=admin`),
    post("project service", "/projects", "project", { project: { name: "service", domain_id: "default", description: "Service project" } }),
  ]);
  if (!roles.roles.length) throw new Error("dvr-lab cloud: Keystone has no role admin after bootstrap");
  const adminRole = roles.roles[0].id;
  const users = SERVICE_USERS.map(async (name) => {
    const user = await post(`user ${name}`, "/users", "user", { user: { name, domain_id: "default", password: plan.passwords.service[name], enabled: true } });
    await api.call("Keystone", `role admin for ${name} on project service`, "PUT", `${v3}/projects/${project}/users/${user}/roles/${adminRole}`);
  });
  const catalog = catalogEntries(plan).map(async (e) => {
    const service = await post(`service ${e.name} (${e.type})`, "/services", "service", { service: { type: e.type, name: e.name, enabled: true } });
    await Promise.all(
      ["public", "internal", "admin"].map((iface) =>
        post(`${iface} endpoint of ${e.type}`, "/endpoints", "endpoint", { endpoint: { service_id: service, interface: iface, url: e.url, region_id: REGION, enabled: true } }),
      ),
    );
  });
  await Promise.all([...users, ...catalog]);
}
