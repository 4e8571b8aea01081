import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { ini, keystoneAuth } from "./ini";
import { NamespaceRecord, tool } from "./namespace";
import { CloudPlan, dbUrl, keystoneUrl, PORTS } from "./plan";
import { CloudServices, uwsgiCommand } from "./services";

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
    uwsgiCommand(`${plan.ip}:${PORTS.placement}`, "/usr/bin/placement-api"),
    { OS_PLACEMENT_CONFIG_DIR: dir },
    { background: true },
  );
}

export async function waitPlacement(plan: CloudPlan, services: CloudServices): Promise<void> {
  await services.waitHttp("placement", `http://${plan.ip}:${PORTS.placement}/`);
}
