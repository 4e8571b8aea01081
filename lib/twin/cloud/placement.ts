import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { ini, keystoneAuth } from "./ini";
import { NamespaceRecord, tool } from "./namespace";
import { CloudPlan, dbUrl, keystoneUrl, PORTS } from "./plan";
import { CloudServices } from "./services";

/**
 * Placement 8: python3-placement's wsgi script under uwsgi with one process, config dir from
 * OS_PLACEMENT_CONFIG_DIR (placement.conf in it), Keystone auth (noauth2 would not make Nova's
 * tokens admin: docs/CLOUD-TWIN.md §6).
 */
export function writePlacementConf(plan: CloudPlan, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "placement.conf"),
    ini(
      {
        DEFAULT: { use_stderr: true },
        api: { auth_strategy: "keystone" },
        keystone_authtoken: keystoneAuth(keystoneUrl(plan), "placement", plan.passwords.service.placement, { www_authenticate_uri: keystoneUrl(plan) }),
        placement_database: { connection: dbUrl(plan, "placement") },
      },
      "dvr-lab cloud twin: placement",
    ),
    { mode: 0o600 },
  );
}

export async function placementDbSync(ns: NamespaceRecord, logDir: string, dir: string): Promise<void> {
  await tool(ns, logDir, "placement-db-sync", ["/usr/bin/placement-manage", "--config-file", join(dir, "placement.conf"), "db", "sync"]);
}

export function startPlacement(plan: CloudPlan, services: CloudServices, dir: string): void {
  services.start(
    "placement",
    [
      "/usr/bin/uwsgi_python3",
      "--http-socket",
      `${plan.ip}:${PORTS.placement}`,
      "--wsgi-file",
      "/usr/bin/placement-api",
      "--master",
      "--processes",
      "1",
      "--threads",
      "4",
      "--buffer-size",
      "65535",
      "--die-on-term",
      "--need-app",
      // uwsgi's http-socket closes the connection after each response without saying so; a client
      // reusing it (keystoneauth's pooled sessions) then fails with "Remote end closed connection
      // without response" (seen: a nova-compute died of it at start). Say so.
      "--add-header",
      "Connection: close",
    ],
    { OS_PLACEMENT_CONFIG_DIR: dir },
    { background: true },
  );
}

export async function waitPlacement(plan: CloudPlan, services: CloudServices): Promise<void> {
  await services.waitHttp("placement", `http://${plan.ip}:${PORTS.placement}/`);
}
