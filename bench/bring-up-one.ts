/**
 * One bare bring-up of the cloud twin, measured (a child of `npm run bench -- --repeat N --bring-up`,
 * bench/twin.ts repeatBringUp; root): the layout's description, `Twin.up` (host namespaces, OVS,
 * MariaDB, RabbitMQ, Keystone, Glance, Placement, Nova with the fake driver, neutron-server and its
 * agents, the external network: what `twin up` and `dvr-lab lab` start before Terraform), then the
 * seed's own check with the real client, then `twin down` keeping the logs for the parent to read.
 *
 *   node dist/bench/bring-up-one.js <layout> <name>     (DVR_LAB_CLOUD_COLD=1: migrations run)
 *
 * Prints one JSON line (BringUpRun's measured fields) on stdout; progress goes to stderr.
 */
import { descriptionFromStack } from "../lib/model/description-reader";
import { Cloud } from "../lib/twin/cloud/cloud";
import { synthLayout, Layout } from "../lib/twin/lab";
import { run } from "../lib/common/process";
import { defaultStateDir, Twin } from "../lib/twin/twin";

/** The seed's own check, literally (the columns it names). */
export const SEED_CHECK = ["network", "agent", "list", "-c", "Host", "-c", "Agent Type", "-c", "Alive", "-c", "State", "-f", "json"];

export interface BringUpMeasure {
  readonly ok: boolean;
  readonly error?: string;
  readonly upSeconds?: number;
  readonly downSeconds?: number;
  /** The twin's own milestones (s since its start), as `twin status` prints them. */
  readonly timings?: Record<string, number>;
  /** The cloud's own part (Keystone, Glance, Placement, Nova), which runs beside Neutron's. */
  readonly cloudUpSeconds?: number;
  /** Migrations restored from the cache (false: run, i.e. a cold bring-up). */
  readonly cached?: boolean;
  /** Rows of the seed's check, and how many of them are alive and UP. */
  readonly agents?: { readonly rows: number; readonly aliveUp: number };
  readonly stateDir: string;
}

async function main(): Promise<void> {
  const [layout, name] = process.argv.slice(2);
  const stateDir = defaultStateDir(name);
  const out = (m: BringUpMeasure) => process.stdout.write(JSON.stringify(m) + "\n");
  const description = descriptionFromStack(synthLayout(layout as Layout));
  const t0 = Date.now();
  let twin: Twin;
  try {
    twin = await Twin.up({ description, name, stateDir, log: (l) => process.stderr.write(`  twin: ${l}\n`) });
  } catch (e) {
    out({ ok: false, error: String((e as Error).message ?? e), upSeconds: (Date.now() - t0) / 1000, stateDir });
    return;
  }
  const upSeconds = (Date.now() - t0) / 1000;
  let error: string | undefined;
  let agents: BringUpMeasure["agents"];
  try {
    const r = await run(twin.openstack(SEED_CHECK), { timeoutMs: 120000 });
    if (r.code !== 0) throw new Error(`openstack network agent list failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-3).join(" ")}`);
    const rows = JSON.parse(r.stdout) as { Host: string; "Agent Type": string; Alive: boolean | string; State: boolean | string }[];
    const aliveUp = rows.filter((x) => (x.Alive === true || x.Alive === ":-)") && (x.State === true || x.State === "UP")).length;
    agents = { rows: rows.length, aliveUp };
    if (aliveUp !== rows.length || rows.length === 0) error = `the seed's check: ${aliveUp} of ${rows.length} agents alive and UP`;
  } catch (e) {
    error = (e as Error).message;
  }
  const cloud = twin.state.cloud ? Cloud.attach(twin.state.cloud.stateDir) : undefined;
  const cached = cloud?.state.migrations?.cached;
  const cloudUpSeconds = cloud?.state.upSeconds;
  const timings = { ...twin.state.timings };
  const td = Date.now();
  const down = await twin.down({ keepLogs: true });
  const downSeconds = (Date.now() - td) / 1000;
  if (down.leftovers.length && !error) error = `twin down left processes: ${down.leftovers.join(" ")}`;
  out({ ok: !error, ...(error ? { error } : {}), upSeconds, downSeconds, timings, ...(cached !== undefined ? { cached } : {}), ...(cloudUpSeconds !== undefined ? { cloudUpSeconds } : {}), ...(agents ? { agents } : {}), stateDir });
}

main().catch((e) => {
  process.stderr.write(`bring-up-one: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
