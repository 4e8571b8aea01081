/**
 * Part 3: what the verifier plans for each bench lab (nothing is run). Uses lib/verify's
 * `plan(description, vmExecutor, options)` when it is there; loaded dynamically so that the bench
 * still builds and runs (with a "pending" row) if that API moves.
 */
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App } from "cdktf";
import type { LabDescription } from "../lib/model/topology";
import { buildConstructsLab } from "./constructs-lab";
import { BenchSize } from "./shape";

export interface PlanCounts {
  readonly size: string;
  readonly hosts: number;
  readonly probeHosts: number;
  readonly subnets: number;
  readonly vms: number;
  readonly vmPairs: number;
  readonly rows: number;
  readonly directions: number;
  /** Node commands (SSH sessions to lab nodes) with one measurement window for all rows (the default). */
  readonly nodeCommandsAll?: number;
  /** ... with one window per row (--window row). */
  readonly nodeCommandsRow?: number;
  readonly apiRequests?: number;
  readonly pending?: string;
}

/** The description a bench lab writes (built with the constructs; not synthesized). */
export function benchDescription(size: BenchSize): LabDescription {
  const outdir = mkdtempSync(join(tmpdir(), "dvr-lab-bench-plan-"));
  try {
    const app = new App({ outdir });
    return buildConstructsLab(app, size).topology.toDescription();
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface VerifyModule {
  plan(d: LabDescription, vm: unknown, options?: { window?: "all" | "row" }): { host: string; phase: string; detail: string }[];
  QdhcpSshVmExecutor: new (opts?: object) => unknown;
}

function loadVerifier(): VerifyModule | string {
  let mod: Partial<VerifyModule>;
  try {
    mod = require("../lib/verify") as Partial<VerifyModule>;
  } catch (e) {
    return `lib/verify not loadable (${(e as Error).message.split("\n")[0]})`;
  }
  if (typeof mod.plan !== "function" || typeof mod.QdhcpSshVmExecutor !== "function") return "lib/verify exports no plan()/QdhcpSshVmExecutor";
  return mod as VerifyModule;
}

export function planCounts(size: BenchSize): PlanCounts {
  const d = benchDescription(size);
  const base = {
    size: String(size),
    hosts: d.hosts.length,
    probeHosts: d.hosts.filter((h) => h.role !== "controller").length,
    subnets: d.subnets.length,
    vms: d.vms.length,
    vmPairs: (d.vms.length * (d.vms.length - 1)) / 2,
    rows: d.rows.length,
    directions: d.rows.reduce((n, r) => n + r.directions.length, 0),
  };
  const verifier = loadVerifier();
  if (typeof verifier === "string") return { ...base, pending: `pending: verifier plan API (${verifier})` };
  const count = (window: "all" | "row") => {
    const cmds = verifier.plan(d, new verifier.QdhcpSshVmExecutor(), { window });
    const api = cmds.filter((c) => c.host === "neutron-api");
    const apiRequests = api.reduce((n, c) => n + (Number(/(\d+) GET/.exec(c.detail)?.[1]) || 1), 0);
    return { node: cmds.length - api.length, apiRequests };
  };
  const all = count("all");
  const row = count("row");
  return { ...base, nodeCommandsAll: all.node, nodeCommandsRow: row.node, apiRequests: all.apiRequests };
}
