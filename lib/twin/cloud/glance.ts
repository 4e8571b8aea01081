import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { ini, keystoneAuth } from "./ini";
import { NamespaceRecord, tool } from "./namespace";
import { CloudPlan, dbUrl, keystoneUrl, PORTS } from "./plan";
import { CloudRest } from "./rest";
import { CloudServices } from "./services";
import { sleep } from "../proc";

/**
 * Glance 25: Debian's eventlet glance-api (its init says glance is broken under uwsgi), one worker,
 * a file store in the state dir (docs/CLOUD-TWIN.md §6), Keystone auth via the package's paste ini.
 */
export function glanceDirs(plan: CloudPlan) {
  const lib = join(plan.stateDir, "lib", "glance");
  return { images: join(lib, "images"), staging: join(lib, "staging"), tasks: join(lib, "tasks"), upload: join(lib, "upload") };
}

export function writeGlanceConf(plan: CloudPlan, file: string): void {
  const d = glanceDirs(plan);
  Object.values(d).forEach((x) => mkdirSync(x, { recursive: true }));
  writeFileSync(
    file,
    ini(
      {
        DEFAULT: { use_stderr: true, bind_host: plan.ip, bind_port: PORTS.glance, workers: 1, enabled_backends: "fs:file" },
        glance_store: { default_backend: "fs" },
        fs: { filesystem_store_datadir: `${d.images}/` },
        os_glance_staging_store: { filesystem_store_datadir: `${d.staging}/` },
        os_glance_tasks_store: { filesystem_store_datadir: `${d.tasks}/` },
        database: { connection: dbUrl(plan, "glance") },
        keystone_authtoken: keystoneAuth(keystoneUrl(plan), "glance", plan.passwords.service.glance, { www_authenticate_uri: keystoneUrl(plan) }),
        paste_deploy: { flavor: "keystone", config_file: "/usr/share/glance-common/glance-api-paste.ini" },
        oslo_concurrency: { lock_path: join(plan.stateDir, "lib", "glance", "lock") },
      },
      "dvr-lab cloud twin: glance-api",
    ),
    { mode: 0o600 },
  );
}

export async function glanceDbSync(ns: NamespaceRecord, logDir: string, conf: string): Promise<void> {
  await tool(ns, logDir, "glance-db-sync", ["/usr/bin/glance-manage", "--config-file", conf, "db_sync"]);
}

export function startGlance(services: CloudServices, conf: string): void {
  services.start("glance-api", ["/usr/bin/glance-api", "--config-file", conf], {}, { background: true });
}

export async function waitGlance(plan: CloudPlan, services: CloudServices): Promise<void> {
  await services.waitHttp("glance-api", `http://${plan.ip}:${PORTS.glance}/`);
}

/**
 * The image the lab names (public, raw/bare): a few bytes, uploaded, waited for `active`. Nova's
 * fake driver never boots it (its raw support is what it checks).
 */
export async function createImage(plan: CloudPlan, api: CloudRest, services: CloudServices): Promise<string> {
  const url = `http://${plan.ip}:${PORTS.glance}/v2/images`;
  const file = join(glanceDirs(plan).upload, `${plan.image.name}.img`);
  const head = Buffer.from("dvr-lab cloud twin: stand-in image (never booted: nova's fake driver)\n");
  writeFileSync(file, Buffer.concat([head, Buffer.alloc(Math.max(0, plan.image.bytes - head.length))]));
  const image = await api.call<{ id: string }>("Glance", `image ${plan.image.name}`, "POST", url, {
    body: { name: plan.image.name, disk_format: "raw", container_format: "bare", visibility: "public" },
  });
  await api.call("Glance", `upload of image ${plan.image.name}`, "PUT", `${url}/${image.id}/file`, { file });
  const deadline = Date.now() + 30000;
  for (;;) {
    services.assertAlive("glance-api");
    const { status } = await api.call<{ status: string }>("Glance", `image ${plan.image.name}`, "GET", `${url}/${image.id}`);
    if (status === "active") return image.id;
    if (Date.now() > deadline || status === "killed") throw services.failure("glance-api", `left image ${plan.image.name} ${status}`);
    await sleep(300);
  }
}
