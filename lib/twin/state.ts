import { existsSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import type { BringUpRecord } from "./cloud/cloud";
import type { TwinCloudRecord } from "./cloud-access";
import type { TwinVmState } from "./hypervisor";
import type { TwinPlan } from "./plan";

/**
 * What a twin records about itself in `<state dir>/state.json`: enough for `twin status`, `twin
 * down` and a later process (`Twin.attach`) to find every namespace and process it made.
 */
export const TWIN_STATE_SCHEMA = "dvr-lab/twin-state@1";

export interface TwinState extends BringUpRecord {
  plan: TwinPlan;
  /** Namespace ids ("uts:[n]", "net:[n]", "mnt:[n]") of everything the twin created. */
  namespaces: string[];
  /** PIDs of the namespace holder processes, in creation order. */
  holders: number[];
  outer?: { pid: number };
  externalHost?: { pid: number; ip: string };
  hosts: Record<string, { pid: number; mgmtIp: string; dir: string }>;
  vms: Record<string, TwinVmState>;
  /** What the twin created in Neutron as the cloud's admin (everything else is Terraform's). */
  neutron: { externalNetwork?: string; externalSubnet?: string };
  timings: Record<string, number>;
  /** What the twin repaired on its own during bring-up (a hung agent restarted, a VM's redirect cleared). */
  repairs?: string[];
  /**
   * The cloud on the controller: Keystone, Glance, Placement, Nova; Neutron
   * then authenticates with Keystone and the VMs are Nova instances.
   */
  cloud?: TwinCloudRecord & { upSeconds?: number; imageId?: string; keyName?: string };
}

export function loadState(stateDir: string): TwinState | undefined {
  const f = join(stateDir, "state.json");
  if (!existsSync(f)) return undefined;
  return JSON.parse(readFileSync(f, "utf8")) as TwinState;
}

export function saveState(state: TwinState): void {
  writeFileSync(join(state.stateDir, "state.json"), JSON.stringify(state, null, 2) + "\n");
}

/** A host's directory in the state dir (its /etc/neutron, logs, units, keys). */
export function hostDirOf(state: Pick<TwinState, "stateDir">, host: string): string {
  return join(state.stateDir, "hosts", host);
}
