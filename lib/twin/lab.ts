import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { basename, dirname, join, resolve } from "path";
import type { LabDescription } from "../model/topology";
import type { Report } from "../verify/run";
import { DeployOptions, DeployResult, FaultOutcome, runDeploy, secondsSince } from "./deploy";
import { packageRoot } from "../push/remote-script";

/**
 * `dvr-lab lab`: the synthesized lab on the twin, then the verifier's FULL run exactly as against a
 * real lab (SSH with verified host keys into the twin hosts, the Neutron API for the gate, the VMs'
 * namespaces for the pings), reports, and the twin down ALWAYS.
 */

export const LAYOUTS = { reference: { dir: "reference-lab", cls: "ReferenceLabStack" }, upstream: { dir: "upstream-layout", cls: "UpstreamLayoutStack" } } as const;
export type Layout = keyof typeof LAYOUTS;

/**
 * Synthesizes an example in-process (cdktf App, validations on) into `outdir` and returns the
 * stack's folder (cdk.tf.json and its assets), as `cdktf synth` writes it.
 */
export function synthLayoutInto(layout: Layout, outdir: string): string {
  const l = LAYOUTS[layout];
  if (!l) throw new Error(`unknown layout "${String(layout)}" (known: ${Object.keys(LAYOUTS).join(", ")})`);
  // Loaded lazily: the examples import the whole library.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { App } = require("cdktf") as typeof import("cdktf");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const mod = require(`../layouts/${l.dir}`) as Record<string, new (scope: unknown, id: string) => unknown>;
  const app = new App({ outdir });
  new mod[l.cls](app, l.dir);
  app.synth();
  return join(outdir, "stacks", l.dir);
}

/**
 * The cdktf app of an example for `cdktf deploy` (DeployOptions.cdktfApp): lib/twin/layout-app.ts,
 * whose stack id is the layout's folder name.
 */
export function layoutApp(layout: Layout): NonNullable<DeployOptions["cdktfApp"]> {
  return { command: `${JSON.stringify(process.execPath)} ${JSON.stringify(join(packageRoot(), "dist", "lib", "twin", "layout-app.js"))} ${layout}`, stack: LAYOUTS[layout].dir };
}

/** Synthesizes an example in-process (into a temp outdir) and returns cdk.tf.json parsed. */
export function synthLayout(layout: Layout): Record<string, unknown> {
  const out = mkdtempSync(join(tmpdir(), "dvr-lab-synth-"));
  try {
    return JSON.parse(readFileSync(join(synthLayoutInto(layout, out), "cdk.tf.json"), "utf8")) as Record<string, unknown>;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export interface LabRunOptions {
  /**
   * A synthesized cdk.tf.json in its stack folder (its assets beside it); Terraform runs there.
   * @default - `layout` synthesized into <package>/cdktf.out
   */
  readonly stackFile?: string;
  /** @default "reference" */
  readonly layout?: Layout;
  /**
   * Faults injected into the one deployed lab, one after the other (lib/twin/faults.ts, DeployOptions.faults).
   * @default - none
   */
  readonly faults?: readonly string[];
  readonly name?: string;
  readonly stateDir?: string;
  /** Verifier runs on the one deploy (the apply's VerifyHook, then `apply -replace=<hook>`). @default 1 */
  readonly runs?: number;
  readonly reportDir?: string;
  readonly keepLogs?: boolean;
  /**
   * How the stack is applied. "cdktf": `cdktf deploy <stack> --skip-provider-lock` from a cdktf
   * project whose app synthesizes the example (DeployOptions.cdktfApp), as the examples' users do.
   * "terraform": `terraform init` + `apply` in the stack folder, as a user of a synthesized
   * cdk.tf.json does. A `stackFile` or `faults` (which edit the synthesized JSON) take "terraform".
   * @default "cdktf" for an example without faults, else "terraform"
   */
  readonly applyWith?: "terraform" | "cdktf";
  readonly log?: (line: string) => void;
  /** Called with the state dir before bring-up starts (for a signal handler's teardown). */
  readonly onStateDir?: (stateDir: string) => void;
}

export interface LabRunResult {
  readonly lab: string;
  readonly layout?: string;
  /** What the twin repaired on its own (a hung agent restarted); empty on most runs. */
  readonly twinRepairs?: string[];
  readonly description?: LabDescription;
  readonly reports: Report[];
  /** Wall time per phase (s). */
  readonly seconds: { synth?: number; up?: number; verify: number[]; down?: number; total: number };
  /** The deploy: Terraform's phases, resources applied, the second plan, what destroy left. */
  readonly deploy?: Pick<DeployResult, "phases" | "applied" | "planAgain" | "leftovers" | "terraform" | "appliedWith">;
  /** The faults of a fault run, in the order they went in. */
  readonly faults?: FaultOutcome[];
  /**
   * 0: every verifier run passed (a fault run: every fault caught, the lab healthy again), plan
   * empty, destroy clean; 1: a failure; 3: inconclusive, nothing failed.
   */
  readonly exitCode: number;
  readonly error?: string;
  readonly transport: string;
}

/**
 * `dvr-lab lab`: the stack's folder (a `--stack` file's, or the example synthesized into
 * <package>/cdktf.out as `npm run synth` and `cdktf synth` write it, so that the VerifyHook's
 * `npx --no-install dvr-lab` resolves to this package), then the real deploy (runDeploy).
 */
export async function runLab(opts: LabRunOptions): Promise<LabRunResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const s = secondsSince;
  let synthSeconds: number | undefined;
  let stackDir: string;
  let cdktfApp: DeployOptions["cdktfApp"];
  if (opts.stackFile) {
    stackDir = dirname(resolve(opts.stackFile));
    if (basename(opts.stackFile) !== "cdk.tf.json") throw new Error(`dvr-lab lab: --stack must name a synthesized cdk.tf.json in its stack folder (got ${opts.stackFile})`);
  } else {
    const t = Date.now();
    stackDir = synthLayoutInto(opts.layout ?? "reference", join(packageRoot(), "cdktf.out"));
    if ((opts.applyWith ?? (opts.faults?.length ? "terraform" : "cdktf")) === "cdktf") {
      if (opts.faults?.length) throw new Error("dvr-lab lab: faults edit the synthesized stack, which plain terraform applies: leave applyWith unset or \"terraform\"");
      cdktfApp = layoutApp(opts.layout ?? "reference");
    }
    synthSeconds = s(t);
    log(`synthesized ${LAYOUTS[opts.layout ?? "reference"].dir} into ${stackDir} (${synthSeconds} s)`);
  }
  const r = await runDeploy({
    stackDir,
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.reportDir ? { reportDir: opts.reportDir } : {}),
    ...(opts.faults?.length ? { faults: opts.faults } : {}),
    ...(cdktfApp ? { cdktfApp } : {}),
    verifyRuns: opts.runs ?? 1,
    keepLogs: opts.keepLogs ?? false,
    log,
    ...(opts.onStateDir ? { onStateDir: opts.onStateDir } : {}),
  });
  const sec = (n: string) => r.phases.filter((p) => p.name === n).reduce((a, p) => a + p.seconds, 0);
  const { phases, applied, planAgain, leftovers, terraform, appliedWith } = r;
  return {
    lab: r.lab,
    ...(opts.layout ? { layout: opts.layout } : {}),
    ...(r.twinRepairs?.length ? { twinRepairs: r.twinRepairs } : {}),
    description: r.description,
    reports: r.reports,
    seconds: {
      ...(synthSeconds !== undefined ? { synth: synthSeconds } : {}),
      up: sec("twin up"),
      verify: r.phases.filter((p) => ["apply", "cdktf deploy", "healthy again", "verify again"].includes(p.name) || p.name.startsWith("fault ")).map((p) => p.seconds),
      down: sec("twin down"),
      total: s(t0),
    },
    deploy: { phases, applied, ...(planAgain ? { planAgain } : {}), ...(leftovers ? { leftovers } : {}), terraform, appliedWith },
    ...(r.faults ? { faults: r.faults } : {}),
    exitCode: r.exitCode,
    ...(r.error ? { error: r.error } : {}),
    transport: `${appliedWith === "cdktf deploy" ? "cdktf deploy, then " : ""}${terraform}: file + remote-exec pushes over SSH (verified host keys), terraform-provider-openstack, the VerifyHook's local-exec (dvr-lab verify)`,
  };
}
