import { kill, nsId, processesIn, sleep, alive } from "./proc";
import type { TwinState } from "./state";

/**
 * Kills everything a twin made, by PID: every process in its namespaces (uts/net/mnt membership,
 * which also catches re-parented privsep helpers and workers) plus the recorded holders. SIGTERM,
 * then SIGKILL after a short grace (the OVS agent ignores SIGTERM). Returns how many processes it
 * signalled and what is left (empty when all went).
 */
export async function killTwinProcesses(state: Pick<TwinState, "namespaces" | "holders">, graceMs = 2000): Promise<{ killed: number; leftovers: number[] }> {
  const nss = new Set(state.namespaces);
  for (const p of state.holders) {
    if (!alive(p)) continue;
    for (const k of ["uts", "net", "mnt"] as const) {
      const id = nsId(p, k);
      // Holders of VMs/external host share uts/mnt with their parent: fine, those are ours too.
      if (id && id !== nsId("self", k)) nss.add(id);
    }
  }
  const victims = () => [...new Set([...processesIn(nss), ...state.holders.filter((p) => alive(p))])];
  let all = victims();
  const killed = new Set(all);
  all.forEach((p) => kill(p, "SIGTERM"));
  const graceEnd = Date.now() + graceMs;
  while (Date.now() < graceEnd && victims().length) await sleep(100);
  const hardEnd = Date.now() + 6000;
  for (;;) {
    all = victims();
    if (!all.length || Date.now() > hardEnd) break;
    all.forEach((p) => {
      killed.add(p);
      kill(p, "SIGKILL");
    });
    await sleep(100);
  }
  return { killed: killed.size, leftovers: victims() };
}
