import { join, resolve } from "path";
import { packageRoot } from "../push/remote-script";

/**
 * `<package>/.twin/<name>`, or `$DVR_LAB_TWIN_STATE/<name>`. A checkout under /tmp or /run (where the
 * twin's hosts mount their own tmpfs) uses /var/lib/dvr-lab-twin/<name> instead.
 */
export function defaultStateDir(name: string): string {
  if (process.env.DVR_LAB_TWIN_STATE) return resolve(process.env.DVR_LAB_TWIN_STATE, name);
  const local = join(packageRoot(), ".twin");
  return resolve(underHostTmpfs(local) ? "/var/lib/dvr-lab-twin" : local, name);
}

/** A path under /tmp or /run, which remote/twin/ns-init.sh mounts each twin host's own tmpfs over. */
export function underHostTmpfs(path: string): boolean {
  return /^\/(tmp|run)(\/|$)/.test(resolve(path));
}
