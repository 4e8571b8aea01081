import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { basename, dirname, join, resolve } from "path";
import type { LabDescription } from "../model/topology";
import { renderMarkdown } from "../verify/report";
import { verify, type Report, type VerifyOptions } from "../verify/run";
import { SshTransport } from "../verify/ssh-transport";
import type { AccessInfo } from "../verify/types";
import { NamespaceVmExecutor } from "../verify/vm-executor";
import { descriptionFromStack } from "../model/description-reader";
import { TwinTransport } from "./transport";
import { Cloud } from "./cloud/cloud";
import { namespaceFetch } from "./ns-fetch";
import { NeutronClient } from "../verify/neutron";
import { defaultStateDir, Twin } from "./twin";
import { DeployResult, runDeploy, secondsSince } from "./deploy";
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
  /** The synthesized stack (parsed cdk.tf.json); default: synthesize `layout` in-process. */
  readonly stack?: Record<string, unknown>;
  /** Where `stack` was read from (its folder holds the assets; Terraform runs there). */
  readonly stackFile?: string;
  /**
   * The twin re-enacts Terraform (replays the stack's pushes, builds the tenant side itself) instead
   * of the real `terraform apply` (lib/twin/deploy.ts). Fault runs use it until each fault is a real
   * deviation on the Terraform path.
   * @default false, true with `fault`
   */
  readonly replay?: boolean;
  readonly layout?: Layout;
  readonly fault?: string;
  readonly name?: string;
  readonly stateDir?: string;
  /** Verifier runs on the one bring-up (default 1). */
  readonly runs?: number;
  readonly reportDir?: string;
  readonly verify?: VerifyOptions;
  /** Measure the data plane even when the gate fails (default: true for fault runs, false otherwise). */
  readonly continueAfterGateFailure?: boolean;
  readonly convergeTimeoutSeconds?: number;
  /**
   * The cloud twin (Keystone, Nova, ...; TwinUpOptions.cloud); the verifier then reads Neutron in
   * Keystone mode (the operator's OS_* variables) from the operator's namespace.
   * @default false
   */
  readonly cloud?: boolean;
  readonly keepLogs?: boolean;
  readonly log?: (line: string) => void;
  /** Called with the state dir before bring-up starts (for a signal handler's teardown). */
  readonly onStateDir?: (stateDir: string) => void;
}

export interface LabRunResult {
  readonly lab: string;
  readonly layout?: string;
  readonly fault?: { name: string; summary: string; observed: string[] };
  /** What the twin repaired on its own during bring-up (docs/TWIN.md step 9); empty on most runs. */
  readonly twinRepairs?: string[];
  readonly description?: LabDescription;
  readonly reports: Report[];
  /** Wall time per phase (s). */
  readonly seconds: { synth?: number; up?: number; verify: number[]; down?: number; total: number };
  readonly twinTimings?: Record<string, number>;
  /** The real deploy (not `replay`): Terraform's phases, resources applied, the second plan, what destroy left. */
  readonly deploy?: Pick<DeployResult, "phases" | "applied" | "planAgain" | "leftovers" | "terraform">;
  /** 0: gate passed and every row passed in every run; 1: a failure; 3: inconclusive, nothing failed. */
  readonly exitCode: number;
  readonly error?: string;
  readonly transport: string;
}

/** An `ssh` that runs in the twin's outer namespace (where the management network is). */
function sshWrapper(dir: string, outerPid: number): string {
  const f = join(dir, "ssh");
  writeFileSync(f, `#!/bin/sh\nexec nsenter -t ${outerPid} -n -- ssh "$@"\n`);
  chmodSync(f, 0o755);
  return f;
}

/**
 * The verifier's dependencies on a running twin: SSH to the hosts (OpenSSH in the outer namespace,
 * verified host keys), the VMs by their namespaces, and Neutron: noauth inside the controller, or
 * (the cloud twin) Keystone mode with the operator's OS_* variables from the outer namespace, as a
 * workstation on the management network would. `close()` ends the SSH sessions.
 */
export function twinVerifierDeps(twin: Twin, tmp: string, log: (line: string) => void) {
  const tt = new TwinTransport(twin.state);
  const a = tt.access();
  const access: AccessInfo = { hosts: a.hosts };
  const ssh = new SshTransport(access, { ssh: sshWrapper(tmp, a.outerPid) });
  const cloud = twin.state.cloud ? Cloud.attach(twin.state.cloud.stateDir) : undefined;
  const neutron = cloud ? new NeutronClient({ env: cloud.osVariables(), fetch: namespaceFetch(a.outerPid) }) : tt.neutron();
  return {
    deps: { transport: ssh, vm: new NamespaceVmExecutor((vm) => tt.locate(vm)), neutron, access, log },
    neutronMode: cloud ? `keystone ${cloud.osVariables().OS_AUTH_URL} (project admin), from the operator's namespace` : "noauth, inside the controller",
    close: () => ssh.close(),
  };
}

/**
 * The real deploy as `dvr-lab lab` runs it: the stack's folder (a `--stack` file's, or the example
 * synthesized into <package>/cdktf.out as `npm run synth` and `cdktf synth` write it, so that the
 * VerifyHook's `npx --no-install dvr-lab` resolves to this package), then runDeploy.
 */
async function runLabDeploy(opts: LabRunOptions): Promise<LabRunResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const s = secondsSince;
  let synthSeconds: number | undefined;
  let stackDir: string;
  if (opts.stackFile) {
    stackDir = dirname(resolve(opts.stackFile));
    if (basename(opts.stackFile) !== "cdk.tf.json") throw new Error(`dvr-lab lab: --stack must name a synthesized cdk.tf.json in its stack folder (got ${opts.stackFile})`);
  } else if (opts.stack) {
    throw new Error("dvr-lab lab: the real deploy needs the stack's folder (stackFile), not only its JSON");
  } else {
    const t = Date.now();
    stackDir = synthLayoutInto(opts.layout ?? "reference", join(packageRoot(), "cdktf.out"));
    synthSeconds = s(t);
    log(`synthesized ${LAYOUTS[opts.layout ?? "reference"].dir} into ${stackDir} (${synthSeconds} s)`);
  }
  const r = await runDeploy({
    stackDir,
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
    ...(opts.reportDir ? { reportDir: opts.reportDir } : {}),
    verifyRuns: opts.runs ?? 1,
    keepLogs: opts.keepLogs ?? false,
    log,
    ...(opts.onStateDir ? { onStateDir: opts.onStateDir } : {}),
  });
  const sec = (n: string) => r.phases.filter((p) => p.name === n).reduce((a, p) => a + p.seconds, 0);
  return {
    lab: r.lab,
    ...(opts.layout ? { layout: opts.layout } : {}),
    description: r.description,
    reports: r.reports,
    seconds: {
      ...(synthSeconds !== undefined ? { synth: synthSeconds } : {}),
      up: sec("twin up"),
      verify: r.phases.filter((p) => p.name === "apply" || p.name === "verify again").map((p) => p.seconds),
      down: sec("twin down"),
      total: s(t0),
    },
    deploy: { phases: r.phases, applied: r.applied, ...(r.planAgain ? { planAgain: r.planAgain } : {}), ...(r.leftovers ? { leftovers: r.leftovers } : {}), terraform: r.terraform },
    exitCode: r.exitCode,
    ...(r.error ? { error: r.error } : {}),
    transport: `${r.terraform}: file + remote-exec pushes over SSH (verified host keys), terraform-provider-openstack, the VerifyHook's local-exec (dvr-lab verify)`,
  };
}

export async function runLab(opts: LabRunOptions): Promise<LabRunResult> {
  if (!opts.fault && !opts.replay) return runLabDeploy(opts);
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const s = secondsSince;
  let synthSeconds: number | undefined;
  let stack = opts.stack;
  if (!stack) {
    const t = Date.now();
    stack = synthLayout(opts.layout ?? "reference");
    synthSeconds = s(t);
    log(`synthesized examples/${LAYOUTS[opts.layout ?? "reference"].dir} in-process (${synthSeconds} s)`);
  }
  const description = descriptionFromStack(stack);
  const name = opts.name ?? description.name;
  const stateDir = resolve(opts.stateDir ?? defaultStateDir(name));
  opts.onStateDir?.(stateDir);
  const reports: Report[] = [];
  const verifySeconds: number[] = [];
  const transportName = "ssh (OpenSSH client in the twin's outer namespace, verified host keys)";
  const base = { lab: description.name, ...(opts.layout ? { layout: opts.layout } : {}), description, transport: transportName };

  let twin: Twin;
  const tu = Date.now();
  try {
    twin = await Twin.up({
      description,
      stack,
      name,
      stateDir,
      ...(opts.fault ? { fault: opts.fault } : {}),
      ...(opts.convergeTimeoutSeconds !== undefined ? { convergeTimeoutSeconds: opts.convergeTimeoutSeconds } : {}),
      ...(opts.cloud ? { cloud: true } : {}),
      log,
    });
  } catch (e) {
    // Twin.up has torn down what it built.
    return { ...base, reports, seconds: { verify: [], total: s(t0), ...(synthSeconds !== undefined ? { synth: synthSeconds } : {}) }, exitCode: 1, error: (e as Error).message };
  }
  const upSeconds = s(tu);
  log(`twin up in ${upSeconds} s`);
  const tmp = mkdtempSync(join(tmpdir(), "dvr-lab-lab-"));
  let verifier: ReturnType<typeof twinVerifierDeps> | undefined;
  let error: string | undefined;
  let downSeconds: number | undefined;
  try {
    verifier = twinVerifierDeps(twin, tmp, (l: string) => log(`verify: ${l}`));
    const deps = verifier.deps;
    log(`verify: Neutron ${verifier.neutronMode}`);
    const vopts: VerifyOptions = { ...opts.verify, continueAfterGateFailure: opts.continueAfterGateFailure ?? !!opts.fault };
    for (let i = 0; i < (opts.runs ?? 1); i++) {
      const tv = Date.now();
      const report = await verify(description, deps, vopts);
      verifySeconds.push(s(tv));
      reports.push(report);
      log(`verify run ${i + 1}: ${report.verdict} (exit ${report.exitCode}) in ${verifySeconds[i]} s`);
      if (opts.reportDir) {
        mkdirSync(opts.reportDir, { recursive: true });
        const suffix = (opts.runs ?? 1) > 1 ? `-${i + 1}` : "";
        writeFileSync(join(opts.reportDir, `report${suffix}.json`), JSON.stringify(report, null, 2) + "\n");
        writeFileSync(join(opts.reportDir, `report${suffix}.md`), renderMarkdown(report));
      }
    }
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await verifier?.close();
    rmSync(tmp, { recursive: true, force: true });
    const td = Date.now();
    const r = await twin.down({ keepLogs: opts.keepLogs ?? false });
    downSeconds = s(td);
    log(`twin down in ${downSeconds} s (${r.killed} processes${r.leftovers.length ? `, LEFT: ${r.leftovers.join(" ")}` : ""})`);
    if (r.leftovers.length) error = `${error ? `${error}; ` : ""}teardown left processes ${r.leftovers.join(" ")}`;
  }
  const codes = reports.map((r) => r.exitCode);
  const exitCode = error || !codes.length || codes.includes(1) ? 1 : codes.includes(3) ? 3 : 0;
  const result: LabRunResult = {
    ...base,
    ...(twin.state.fault ? { fault: twin.state.fault } : {}),
    reports,
    seconds: { ...(synthSeconds !== undefined ? { synth: synthSeconds } : {}), up: upSeconds, verify: verifySeconds, down: downSeconds!, total: s(t0) },
    twinTimings: twin.state.timings,
    ...(twin.state.repairs?.length ? { twinRepairs: twin.state.repairs } : {}),
    exitCode,
    ...(error ? { error } : {}),
  };
  if (opts.reportDir) {
    mkdirSync(opts.reportDir, { recursive: true });
    const { description: _d, reports: _r, ...summary } = result;
    writeFileSync(join(opts.reportDir, "lab.json"), JSON.stringify({ ...summary, verdicts: reports.map((r) => r.verdict) }, null, 2) + "\n");
  }
  return result;
}
