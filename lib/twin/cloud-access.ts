import { join } from "path";
import { Cloud } from "./cloud/cloud";
import { keystoneUrl, PORTS } from "./cloud/plan";
import { CloudRest } from "./cloud/rest";

/**
 * How the lab twin (and whoever attaches to it: status, the verifier's transport) reaches the cloud
 * twin hosted on its controller: the admin's REST client inside the controller's network namespace,
 * read from the cloud's state (its passwords live only there, mode 0600).
 */
export interface TwinCloudRecord {
  /** The cloud's state dir (`<twin state>/cloud`). */
  readonly stateDir: string;
  /** Keystone's base URL (the controller's management address). */
  readonly authUrl: string;
}

/** The cloud twin's state dir inside a lab twin's state dir. */
export const cloudStateDirOf = (twinStateDir: string) => join(twinStateDir, "cloud");

/** The admin's client (project admin) of a hosted cloud, reached inside the controller `controllerPid`. */
export function cloudAdmin(record: TwinCloudRecord, controllerPid: number): CloudRest {
  const cloud = Cloud.attach(record.stateDir);
  if (!cloud) throw new Error(`dvr-lab twin: no cloud state in ${record.stateDir} (did the cloud's bring-up start?)`);
  const plan = cloud.state.plan;
  return new CloudRest({ pid: controllerPid, namespaces: [] }, { authUrl: keystoneUrl(plan), username: "admin", password: plan.passwords.admin, project: "admin" });
}

/** Nova's compute API base URL (v2.1) of a hosted cloud. */
export function novaUrl(record: TwinCloudRecord): string {
  return `${record.authUrl.replace(/:\d+\/?$/, "")}:${PORTS.nova}/v2.1`;
}
