import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, copyFileSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import type { LabDescription } from "../model/topology";
import { descriptionFromStack } from "../model/description-reader";
import { ProvisionerResource } from "../push/provisioner-resource";
import { terraformToolchain, TerraformToolchain } from "../toolchain/terraform";
import { completeFromState, newTally, progressLines, runTerraformAsync, TerraformEvent, TerraformTally } from "../toolchain/terraform-run";
import { runCdktfDeploy } from "../toolchain/cdktf-run";
import type { Report } from "../verify/run";
import { Cloud } from "./cloud/cloud";
import { novaUrl } from "./cloud-access";
import { packageRoot } from "../push/remote-script";
import { waitFor } from "./proc";
import { WATCH_INTERVAL_MS } from "./hypervisor";
import { defaultStateDir, Twin } from "./twin";
import { FaultPlan, FaultTarget, planFaults } from "./faults";

/**
 * `dvr-lab lab`: the user's path for real. The twin comes up as a cloud with nothing of the lab on
 * it (TwinUpOptions.terraform), then the real Terraform CLI and terraform-provider-openstack apply
 * the synthesized stack UNCHANGED from the twin's operator namespace (a workstation on the management
 * network): Terraform's own `file` + `remote-exec` push the DVR config over SSH with verified host
 * keys, the provider creates the tenant side through Keystone, Neutron and Nova, and the VerifyHook's
 * `local-exec` runs `dvr-lab verify` (a failing row fails the apply). Then a second plan must show no
 * changes, `terraform destroy` must leave no tenant resource (checked through the API), and the twin
 * goes down, always.
 */

/** One phase of a deploy run, with its wall time. */
export interface DeployPhase {
  /** `fault X`: X injected and the VerifyHook re-run; `undo X`: X reverted; `healthy again`: the hook after every undo. */
  readonly name: "twin up" | "init" | "apply" | "cdktf deploy" | `fault ${string}` | `undo ${string}` | "healthy again" | "verify again" | "plan again" | "destroy" | "leftovers" | "twin down";
  readonly seconds: number;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface DeployOptions {
  /** The stack's folder (holding cdk.tf.json and its assets), where Terraform runs. */
  readonly stackDir: string;
  readonly name?: string;
  readonly stateDir?: string;
  /**
   * The reports (report[-N].json/.md of the hook's verifier runs), terraform.log and deploy.json go here.
   * @default "<stackDir>/dvr-lab-reports/<name>-lab"
   */
  readonly reportDir?: string;
  /**
   * Verifier runs: the apply's VerifyHook, then `terraform apply -replace=<hook>` for each further
   * run (how a user re-verifies a deployed lab). @default 1
   */
  readonly verifyRuns?: number;
  /**
   * Faults (lib/twin/faults.ts) injected one after the other into the ONE deployed lab: each is
   * injected (an edited copy of the stack applied, or a change on the nodes / through the API), the
   * VerifyHook re-runs (`terraform apply -refresh=false -replace=<hook>`) and must fail, then the
   * fault is undone (a targeted apply of the original stack, the change reverted). After the last
   * one the hook must pass again (`healthy again`). A fault that needs a cloud that never had the
   * right setting goes in with the first apply. Terraform then runs in `<stackDir>.faults`, a copy
   * of the stack folder (removed at the end).
   * @default - none
   */
  readonly faults?: readonly string[];
  /**
   * Apply the way a user of the examples does: `cdktf deploy <stack> --auto-approve
   * --skip-provider-lock` in a cdktf project whose app (`command`) synthesizes the stack (the
   * examples: `node <package>/dist/lib/twin/layout-app.js <layout>`). The project is
   * `<stackDir>.cdktf`, beside the stack folder (so that the hook's `npx --no-install dvr-lab`
   * resolves this package); its state is the stack's default local one there
   * (terraform.<stack>.tfstate); the later commands (verify again, plan again, destroy) run plain
   * terraform in the stack folder cdktf wrote. Not with `faults`: they edit the synthesized stack,
   * which plain terraform applies.
   * @default - terraform init + apply in stackDir
   */
  readonly cdktfApp?: { readonly command: string; readonly stack: string };
  /** Skip the destroy (the twin still goes down). @default false */
  readonly skipDestroy?: boolean;
  /**
   * Leave the deployed lab up (`dvr-lab twin up`): no second plan, no destroy, no teardown (also
   * when the apply or the verifier failed: the lab is left to look at; only a failed twin bring-up
   * tears itself down). `dvr-lab twin down` ends it.
   * @default false
   */
  readonly leaveUp?: boolean;
  readonly keepLogs?: boolean;
  readonly log?: (line: string) => void;
  readonly onStateDir?: (stateDir: string) => void;
  /** Called once the twin is up, before Terraform runs (a test's hook to look at the bare cloud). */
  readonly onTwinUp?: (twin: Twin) => Promise<void>;
  /** Called after the apply and the second plan, before the destroy. */
  readonly beforeDestroy?: (twin: Twin) => Promise<void>;
}

/** One fault of a deploy run: what was done, what the verifier said. */
export interface FaultOutcome {
  readonly name: string;
  readonly summary: string;
  /** What the injection did: the stack's edited resources, the changes on nodes or through the API. */
  readonly injected: string[];
  readonly undone: string[];
  /** The VerifyHook's report with the fault in (undefined when the hook did not run). */
  readonly report?: Report;
  /** The verifier failed the lab (exit 1): the fault was caught. Which cause it named is in `report`. */
  readonly caught: boolean;
  readonly seconds: number;
}

export interface DeployResult {
  readonly lab: string;
  /** The twin's state dir (with `leaveUp`, where the running twin is). */
  readonly stateDir: string;
  /** Where the reports, terraform.log and deploy.json went. */
  readonly reportDir: string;
  readonly description: LabDescription;
  readonly phases: DeployPhase[];
  /** The verifier's report written by the VerifyHook's local-exec (undefined when it did not run). */
  readonly report?: Report;
  /** Every verifier run's report, in order (the apply's hook first). */
  readonly reports: Report[];
  /** Resources the apply created, the second plan's changes, what destroy left (API view). */
  readonly applied: number;
  readonly planAgain?: { add: number; change: number; remove: number };
  readonly leftovers?: string[];
  /** The faults of the run, in the order they went in (`faults`). */
  readonly faults?: FaultOutcome[];
  /** What the twin repaired on its own during the run (a hung agent restarted). */
  readonly twinRepairs?: string[];
  /**
   * 0: every verifier run passed (a fault run: every fault was caught and the lab was healthy again
   * after the undos), plan empty, destroy clean; 1: a failure (a fault run: also a fault not caught);
   * 3: inconclusive, nothing failed.
   */
  readonly exitCode: number;
  readonly error?: string;
  readonly seconds: number;
  readonly terraform: string;
  /** How the stack was applied: `cdktf deploy` (an example, DeployOptions.cdktfApp) or `terraform apply`. */
  readonly appliedWith: "cdktf deploy" | "terraform apply";
}

/** The TF_VAR_* a site's Terraform gets from the twin: node addresses and host keys, the operator's key, image and flavor. */
export function twinVariables(twin: Twin, stack: Record<string, unknown>): Record<string, string> {
  const declared = new Set(Object.keys((stack.variable as Record<string, unknown> | undefined) ?? {}));
  const sd = twin.state.stateDir;
  const cloud = Cloud.attach(twin.state.cloud!.stateDir)!;
  const values: Record<string, string> = {
    ssh_user: "root",
    ssh_private_key: readFileSync(join(sd, "operator_ed25519"), "utf8"),
    lab_public_key: readFileSync(join(sd, "operator_ed25519.pub"), "utf8").trim(),
    image_name: cloud.state.plan?.image.name ?? "cirros",
    flavor_name: cloud.state.plan?.flavor.name ?? "m1.tiny",
  };
  for (const [host, h] of Object.entries(twin.state.hosts)) {
    values[`${host}_address`] = h.mgmtIp;
    values[`${host}_host_key`] = readFileSync(join(h.dir, "ssh_host_ed25519_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (declared.has(k)) env[`TF_VAR_${k}`] = v;
  return env;
}

/** A copy of a stack folder (cdk.tf.json and its assets) without its reports and Terraform's working data. */
export function copyStackFolder(stackDir: string, dest: string): void {
  cpSync(stackDir, dest, { recursive: true, filter: (src) => !/^[/\\](dvr-lab-reports|\.terraform)([/\\]|$)/.test(src.slice(stackDir.length)) });
}

/** What is left of the lab's tenant side after destroy, through the APIs (empty when clean). */
export async function tenantLeftovers(twin: Twin, d: LabDescription): Promise<string[]> {
  const api = twin.api();
  const out: string[] = [];
  const ext = d.external?.network;
  const { networks } = await api.call<{ networks: { name: string; id: string }[] }>("GET", "/networks");
  for (const n of networks) if (n.name !== ext) out.push(`network ${n.name} ${n.id}`);
  const { routers } = await api.call<{ routers: { name: string; id: string }[] }>("GET", "/routers");
  for (const r of routers) out.push(`router ${r.name} ${r.id}`);
  const { ports } = await api.call<{ ports: { id: string; device_owner: string; network_id: string }[] }>("GET", "/ports");
  for (const p of ports) out.push(`port ${p.id} (${p.device_owner || "no owner"})`);
  const { floatingips } = await api.call<{ floatingips: { floating_ip_address: string }[] }>("GET", "/floatingips");
  for (const f of floatingips) out.push(`floating IP ${f.floating_ip_address}`);
  const { security_groups } = await api.call<{ security_groups: { name: string; id: string }[] }>("GET", "/security-groups");
  for (const g of security_groups) if (g.name !== "default") out.push(`security group ${g.name} ${g.id}`);
  const admin = twin.admin()!;
  const nova = novaUrl(twin.state.cloud!);
  const { servers } = await admin.call<{ servers: { name: string; id: string }[] }>("Nova", "servers", "GET", `${nova}/servers?all_tenants=1`);
  for (const s of servers) out.push(`server ${s.name} ${s.id}`);
  const { keypairs } = await admin.call<{ keypairs: { keypair: { name: string } }[] }>("Nova", "key pairs", "GET", `${nova}/os-keypairs`);
  for (const k of keypairs) out.push(`key pair ${k.keypair.name}`);
  return out;
}

/** The stack's VerifyHook resources: the provisioner resources whose local-exec runs `dvr-lab verify`. */
export function verifyHookAddresses(stack: unknown): string[] {
  return ProvisionerResource.entriesOf(stack)
    .filter(({ body }) => JSON.stringify((body as { provisioner?: unknown }).provisioner ?? []).includes("dvr-lab verify --description-env"))
    .map((e) => e.address);
}

/** Wall seconds since `t` (ms), to one decimal: every phase line of a lab run. */
export function secondsSince(t: number): number {
  return Math.round((Date.now() - t) / 100) / 10;
}

/** The FaultTarget of a running twin: its nodes, its Neutron (admin), its L3 agents' logs, its VMs. */
function faultTarget(twin: Twin): FaultTarget {
  return {
    sh: (host, script, what) => twin.sh(host, script, what),
    neutron: <T>(method: string, path: string, body?: unknown) => twin.api().call<T & Record<string, unknown>>(method, path, body) as Promise<T>,
    routerIds: async () => {
      const { routers } = await twin.api().call<{ routers: { name: string; id: string }[] }>("GET", "/routers");
      return Object.fromEntries(routers.map((r) => [r.name, r.id]));
    },
    waitAgent: async (host, agentType, alive, timeoutMs) => {
      await waitFor(`Neutron to report ${host}'s ${agentType} ${alive ? "alive" : "dead"}`, timeoutMs, async () => {
        const { agents } = await twin.api().call<{ agents: { host: string; agent_type: string; alive: boolean }[] }>("GET", "/agents");
        return agents.some((a) => a.host === host && a.agent_type === agentType && a.alive === alive);
      }, 1000);
    },
    waitL3Idle: (ms) => twin.waitL3Idle(ms),
    clearVmRedirects: () => twin.clearVmRedirects(),
  };
}

export async function runDeploy(opts: DeployOptions): Promise<DeployResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const s = secondsSince;
  const stackDir = resolve(opts.stackDir);
  const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as Record<string, unknown>;
  const description = descriptionFromStack(stack);
  const name = opts.name ?? description.name;
  /** `cdktf deploy` (an example without faults: DeployOptions.cdktfApp), else plain terraform. */
  const viaCdktf = opts.cdktfApp && !opts.faults?.length ? opts.cdktfApp : undefined;
  const stateDir = resolve(opts.stateDir ?? defaultStateDir(name));
  // Default: beside the hook's own reports in the stack folder (build output, like cdk.tf.json).
  const reportDir = opts.reportDir ? resolve(opts.reportDir) : join(stackDir, "dvr-lab-reports", `${name}-lab`);
  mkdirSync(reportDir, { recursive: true });
  const tfLog = join(reportDir, "terraform.log");
  rmSync(tfLog, { force: true });
  opts.onStateDir?.(stateDir);
  const phases: DeployPhase[] = [];
  const tf: TerraformToolchain = terraformToolchain();
  let applied = 0;
  let planAgain: DeployResult["planAgain"];
  let leftovers: string[] | undefined;
  let report: Report | undefined;
  const reports: Report[] = [];
  /** The reports of runs that must pass (all of them, but a fault's). */
  const mustPass: Report[] = [];
  const faults: FaultOutcome[] = [];
  let repairs: string[] = [];
  let error: string | undefined;
  const phase = (p: DeployPhase) => {
    phases.push(p);
    log(`${p.ok ? "done" : "FAILED"}: ${p.name} in ${p.seconds} s${p.detail ? ` (${p.detail})` : ""} [${s(t0)} s total]`);
  };
  const finish = (exitCode: number): DeployResult => {
    const result: DeployResult = {
      lab: description.name,
      stateDir,
      reportDir,
      description,
      phases,
      ...(report ? { report } : {}),
      reports,
      applied,
      ...(planAgain ? { planAgain } : {}),
      ...(leftovers ? { leftovers } : {}),
      ...(opts.faults?.length ? { faults } : {}),
      ...(repairs.length ? { twinRepairs: repairs } : {}),
      exitCode,
      ...(error ? { error } : {}),
      seconds: s(t0),
      terraform: tf.label,
      appliedWith: viaCdktf ? "cdktf deploy" : "terraform apply",
    };
    const { description: _d, report: _r, reports: _rs, faults: fs, ...summary } = result;
    const faultSummary = fs?.map(({ report: fr, ...f }) => ({ ...f, verdict: fr?.verdict }));
    writeFileSync(join(reportDir, "deploy.json"), JSON.stringify({ ...summary, ...(faultSummary ? { faults: faultSummary } : {}), verdicts: reports.map((r) => r.verdict) }, null, 2) + "\n");
    return result;
  };
  if (!existsSync(join(packageRoot(), "dist", "lib", "cli", "main.js"))) {
    error = `the VerifyHook runs \`dvr-lab verify\` from dist/: run \`npm run build\` in ${packageRoot()} first`;
    return finish(1);
  }
  // The faults, planned (and their stack edits made) before anything comes up: a fault that does
  // not fit the lab fails here.
  let plans: FaultPlan[] = [];
  const edits = new Map<string, { stack: Record<string, unknown>; addresses: string[] }>();
  try {
    plans = planFaults(opts.faults ?? [], description);
    for (const p of plans.filter((x) => x.editStack)) {
      const copy = JSON.parse(JSON.stringify(stack)) as Record<string, unknown>;
      edits.set(p.name, { stack: copy, addresses: p.editStack!(copy) });
    }
  } catch (e) {
    error = (e as Error).message;
    return finish(1);
  }

  log(`twin up: the cloud for Terraform (nothing of lab "${description.name}" on it yet)`);
  let twin: Twin;
  const tu = Date.now();
  try {
    const site = plans.flatMap((p) => p.serverSiteSettings ?? []);
    twin = await Twin.up({ description, name, stateDir, ...(site.length ? { serverSiteSettings: site } : {}), log: (l) => log(`  twin: ${l}`) });
  } catch (e) {
    error = (e as Error).message;
    phase({ name: "twin up", seconds: s(tu), ok: false, detail: error.split("\n")[0] });
    return finish(1);
  }
  phase({ name: "twin up", seconds: s(tu), ok: true });

  // The stand-in polls Nova and Neutron every WATCH_INTERVAL_MS; while a push restarts neutron-server
  // the API is away for a few seconds: say so once per 30 s, not once per poll.
  let quietUntil = 0;
  const stopWatch = twin.hypervisor().watch(WATCH_INTERVAL_MS, (e) => {
    if (Date.now() < quietUntil) return;
    quietUntil = Date.now() + 30000;
    log(`  hypervisor stand-in: ${e.message.split("\n")[0]} (retrying every ${WATCH_INTERVAL_MS / 1000} s; repeats muted for 30 s)`);
  });
  // A fault run works on a copy of the stack folder (its cdk.tf.json edited per fault); the copy
  // sits beside the original so that the hook's `npx --no-install dvr-lab` resolves the same way.
  const projectDir = viaCdktf ? `${stackDir}.cdktf` : undefined;
  const workDir = plans.length ? `${stackDir}.faults` : viaCdktf ? join(projectDir!, "cdktf.out", "stacks", viaCdktf.stack) : stackDir;
  if (viaCdktf) {
    rmSync(projectDir!, { recursive: true, force: true });
    mkdirSync(projectDir!, { recursive: true });
    writeFileSync(
      join(projectDir!, "cdktf.json"),
      JSON.stringify({ language: "typescript", app: viaCdktf.command, output: "cdktf.out", projectId: `dvr-lab-${name}`, sendCrashReports: "false", terraformProviders: [], terraformModules: [], context: {} }, null, 2) + "\n",
    );
  }
  if (plans.length) {
    rmSync(workDir, { recursive: true, force: true });
    copyStackFolder(stackDir, workDir);
  }
  const writeStack = (st: Record<string, unknown>) => writeFileSync(join(workDir, "cdk.tf.json"), JSON.stringify(st, null, 2) + "\n");
  const hookReports = join(workDir, "dvr-lab-reports", description.name);
  const hooks = verifyHookAddresses(stack);
  const isVerifyHook = (addr: string) => hooks.includes(addr);
  /**
   * Of the hook's output, the console gets the verifier's progress (`[verify] ...`) and anything
   * that reads as a failure; the whole report follows the phases once (from report.json), and
   * every line is in terraform.log.
   */
  const hookLineShown = (line: string) => line.startsWith("[verify]") || /error|fail|denied|not found/i.test(line);
  /** A progress line with the seconds since its phase started. */
  const at = (t0: number, line: string) => `[+${Math.round((Date.now() - t0) / 1000)} s] ${line}`;
  /** The report the hook just wrote (copied as report<suffix>.json/.md into the report dir), if it ran. */
  const collect = (suffix: string, expectPass: boolean): Report | undefined => {
    if (!existsSync(join(hookReports, "report.json"))) return undefined;
    report = JSON.parse(readFileSync(join(hookReports, "report.json"), "utf8")) as Report;
    reports.push(report);
    if (expectPass) mustPass.push(report);
    for (const ext of ["json", "md"]) {
      if (existsSync(join(hookReports, `report.${ext}`))) copyFileSync(join(hookReports, `report.${ext}`), join(reportDir, `report${suffix}.${ext}`));
    }
    rmSync(hookReports, { recursive: true, force: true });
    return report;
  };
  rmSync(hookReports, { recursive: true, force: true });
  const cloud = Cloud.attach(twin.state.cloud!.stateDir)!;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...cloud.osVariables(),
    ...twinVariables(twin, stack),
    TF_DATA_DIR: join(stateDir, "terraform-data"),
  };
  // Terraform runs in the operator's namespace: the management network, where the nodes' sshd and the APIs are.
  const prefix = twin.operatorPrefix();
  const tfRun = async (label: DeployPhase["name"], args: string[], tally?: TerraformTally, expectFailure = false): Promise<number> => {
    const t = Date.now();
    const code = await runTerraformAsync(tf, args, {
      cwd: workDir,
      env,
      prefix,
      logFile: tfLog,
      onEvent: (e: TerraformEvent) => {
        if (!tally) return;
        for (const line of progressLines(tally, e, isVerifyHook, hookLineShown)) log(`  ${label}: ${at(t, line)}`);
      },
    });
    const detail = tally?.summary ? `${tally.completed.size} of ${tally.planned.size} resources` : undefined;
    const ok = code === 0 || (label === "plan again" && code === 2) || (expectFailure && code === 1);
    phase({ name: label, seconds: s(t), ok, ...(detail ? { detail } : {}) });
    return code;
  };
  /**
   * cdktf 0.21 runs Terraform in a pseudo-terminal and stops reading it when Terraform exits, so
   * the last chunk of output can be lost (measured: the hook's last report lines, its `Creation
   * complete` and `Apply complete!`). After a successful deploy the resources the output did not
   * report finished are looked up in Terraform's state (`terraform state list` in the stack folder).
   */
  const completedFromState = async (tally: TerraformTally): Promise<void> => {
    if ([...tally.planned.keys()].every((a) => tally.completed.has(a))) return;
    const listed: string[] = [];
    const code = await runTerraformAsync(tf, ["state", "list"], { cwd: workDir, env, prefix, logFile: tfLog, onLine: (l) => listed.push(l.trim()) });
    const unreported = completeFromState(tally, listed);
    log(
      `  cdktf deploy: ${unreported.filter((u) => u.inState).length} of ${unreported.length} resource(s) whose completion cdktf's output dropped are in Terraform's state${code === 0 ? "" : ` (terraform state list exit ${code})`}: ${unreported.map((u) => `${u.addr}${u.inState ? "" : " (NOT in state)"}`).join(", ")}`,
    );
  };
  const applyArgs = ["apply", "-auto-approve", "-input=false", "-json"];
  const replaceHooks = hooks.map((h) => `-replace=${h}`);
  const target = faultTarget(twin);
  /** Records a fault's verifier run; throws when the hook did not run (the fault broke more than the lab). */
  const recordFault = (p: FaultPlan, injected: string[], code: number, tally: TerraformTally, t: number): FaultOutcome => {
    const rep = collect(`-${p.name}`, false);
    if (!rep) {
      throw new Error(`fault ${p.name}: terraform apply failed before the VerifyHook ran (exit ${code})${tally.errors.length ? `: ${tally.errors.join("; ").slice(0, 400)}` : ""}; log ${tfLog}`);
    }
    const outcome: FaultOutcome = { name: p.name, summary: p.summary, injected, undone: [], report: rep, caught: rep.exitCode === 1, seconds: s(t) };
    faults.push(outcome);
    log(`fault ${p.name}: ${outcome.caught ? "CAUGHT" : "NOT caught"}: verifier ${rep.verdict} (exit ${rep.exitCode})`);
    return outcome;
  };
  /** Undoes a fault: the original stack applied for the edited resources, then the fault's own undo. */
  const undoFault = async (p: FaultPlan, outcome: FaultOutcome): Promise<void> => {
    const t = Date.now();
    const e = edits.get(p.name);
    if (e) {
      writeStack(stack);
      const replace = p.replaceEdited ? e.addresses.map((a) => `-replace=${a}`) : [];
      const code = await tfRun(`undo ${p.name}`, [...applyArgs, "-refresh=false", ...e.addresses.map((a) => `-target=${a}`), ...replace], newTally());
      if (code !== 0) throw new Error(`undo of fault ${p.name}: terraform apply -target of the original stack failed (exit ${code}); log ${tfLog}`);
      outcome.undone.push(`terraform apply -target=${e.addresses.join(" -target=")} (the original stack)`);
    }
    if (p.undo) {
      const lines = await p.undo(target);
      outcome.undone.push(...lines);
      if (!e) phase({ name: `undo ${p.name}`, seconds: s(t), ok: true, detail: lines.join("; ") });
      else for (const l of lines) log(`  undo ${p.name}: ${l}`);
    }
  };
  try {
    if (viaCdktf) {
      // The user's command: cdktf synthesizes the app, runs terraform init and apply (its own UI, read back by cdktf-run.ts).
      log(`cdktf deploy ${viaCdktf.stack} --auto-approve --skip-provider-lock (project ${projectDir})`);
      const apply = newTally();
      const t = Date.now();
      const code = await runCdktfDeploy(tf, {
        projectDir: projectDir!,
        stack: viaCdktf.stack,
        env,
        prefix,
        logFile: tfLog,
        onEvent: (e) => {
          for (const line of progressLines(apply, e, isVerifyHook, hookLineShown)) log(`  cdktf deploy: ${at(t, line)}`);
        },
      });
      if (code === 0) await completedFromState(apply);
      applied = apply.completed.size;
      phase({ name: "cdktf deploy", seconds: s(t), ok: code === 0, detail: `synth, init, apply: ${apply.completed.size} of ${apply.planned.size} resources` });
      collect((opts.verifyRuns ?? 1) > 1 ? "-1" : "", true);
      if (code !== 0) {
        throw new Error(`cdktf deploy failed (exit ${code})${apply.errors.length ? `: ${apply.errors.join("; ").slice(0, 400)}` : ""}${report ? ` (verifier: ${report.verdict})` : ""}; log ${tfLog}`);
      }
    } else {
      const initCode = await tfRun("init", ["init", "-input=false", "-no-color", `-backend-config=path=${join(stateDir, "terraform.tfstate")}`]);
      if (initCode !== 0) throw new Error(`terraform init failed (exit ${initCode}); see ${tfLog}`);
      const first = plans.find((p) => p.fromFirstApply);
      if (first) {
        writeStack(edits.get(first.name)!.stack);
        log(`fault ${first.name} (from the first apply on): ${first.summary}`);
      }
      const apply = newTally();
      const ta = Date.now();
      const applyCode = await tfRun("apply", applyArgs, apply, !!first);
      applied = [...apply.completed].length;
      if (first) {
        const outcome = recordFault(first, edits.get(first.name)!.addresses.map((a) => `stack: ${a} edited`), applyCode, apply, ta);
        await undoFault(first, outcome);
      } else {
        collect((opts.verifyRuns ?? 1) > 1 ? "-1" : "", true);
        if (applyCode !== 0) {
          throw new Error(`terraform apply failed (exit ${applyCode})${apply.errors.length ? `: ${apply.errors.join("; ").slice(0, 400)}` : ""}${report ? ` (verifier: ${report.verdict})` : ""}; log ${tfLog}`);
        }
      }
      for (const p of plans.filter((x) => x !== first)) {
        const t = Date.now();
        log(`fault ${p.name}: ${p.summary}`);
        let injected: string[];
        const e = edits.get(p.name);
        const replaceEdited = e && p.replaceEdited ? e.addresses.map((a) => `-replace=${a}`) : [];
        if (e) {
          writeStack(e.stack);
          injected = e.addresses.map((a) => `stack: ${a} edited${p.replaceEdited ? " (and replaced)" : ""}`);
        } else {
          injected = await p.inject!(target);
          writeStack(stack);
        }
        for (const l of injected) log(`  fault ${p.name}: ${l}`);
        const tally = newTally();
        const code = await tfRun(`fault ${p.name}`, [...applyArgs, "-refresh=false", ...replaceHooks, ...replaceEdited], tally, true);
        await undoFault(p, recordFault(p, injected, code, tally, t));
      }
      if (plans.length) {
        // Every fault undone: the hook (tainted by the failing runs) must pass on the original stack.
        writeStack(stack);
        const again = newTally();
        const code = await tfRun("healthy again", [...applyArgs, ...replaceHooks], again);
        collect("-healthy-again", true);
        if (code !== 0) throw new Error(`the lab is not healthy again after the faults were undone (terraform apply exit ${code}${report ? `, verifier ${report.verdict}` : ""}); log ${tfLog}`);
      }
    }
    if (!opts.leaveUp) await afterApply();
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await stopWatch().catch(() => undefined);
    repairs = [...(twin.state.repairs ?? [])];
    if (opts.leaveUp) {
      log(`left up: twin ${name} (state ${stateDir}); \`dvr-lab twin down --name ${name}\` ends it`);
    } else {
      const td = Date.now();
      const r = await twin.down({ keepLogs: opts.keepLogs ?? false });
      phase({ name: "twin down", seconds: s(td), ok: r.leftovers.length === 0, detail: `${r.killed} processes${r.leftovers.length ? `, LEFT: ${r.leftovers.join(" ")}` : ""}` });
      if (r.leftovers.length) error = `${error ? `${error}; ` : ""}teardown left processes ${r.leftovers.join(" ")}`;
    }
    if (projectDir) {
      // The project holds the local state: kept while the lab is left up.
      if (opts.leaveUp) log(`cdktf project (the lab's Terraform state): ${projectDir}`);
      else rmSync(projectDir, { recursive: true, force: true });
    } else if (workDir !== stackDir) rmSync(workDir, { recursive: true, force: true });
  }
  /** The second verifier runs, the second plan, the destroy and what it left. */
  async function afterApply(): Promise<void> {
    for (let run = 2; run <= (opts.verifyRuns ?? 1); run++) {
      if (!hooks.length) throw new Error("the stack has no VerifyHook to run again");
      const again = newTally();
      const code = await tfRun("verify again", [...applyArgs, ...replaceHooks], again);
      collect(`-${run}`, true);
      if (code !== 0) throw new Error(`verifier run ${run} (terraform apply -replace of the VerifyHook) failed (exit ${code})${report ? `: ${report.verdict}` : ""}`);
    }
    const again = newTally();
    const planCode = await tfRun("plan again", ["plan", "-detailed-exitcode", "-input=false", "-json"], again);
    planAgain = again.summary ? { add: again.summary.add, change: again.summary.change, remove: again.summary.remove } : undefined;
    if (planCode !== 0) {
      throw new Error(`the second plan is not empty (exit ${planCode}: ${[...again.planned].map(([a, act]) => `${act} ${a}`).join(", ") || again.errors.join("; ")})`);
    }
    await opts.beforeDestroy?.(twin);
    if (!opts.skipDestroy) {
      const destroyed = newTally();
      const destroyCode = await tfRun("destroy", ["destroy", "-auto-approve", "-input=false", "-json"], destroyed);
      if (destroyCode !== 0) throw new Error(`terraform destroy failed (exit ${destroyCode})${destroyed.errors.length ? `: ${destroyed.errors.join("; ")}` : ""}`);
      const tl = Date.now();
      await twin.hypervisor().sync();
      leftovers = await tenantLeftovers(twin, description);
      phase({ name: "leftovers", seconds: s(tl), ok: leftovers.length === 0, detail: leftovers.length ? leftovers.join(", ") : "no tenant resource left" });
      if (leftovers.length) throw new Error(`destroy left ${leftovers.join(", ")}`);
    }
  }
  const codes = mustPass.map((r) => r.exitCode);
  const verdictCode = !codes.length || codes.includes(1) ? 1 : codes.includes(3) ? 3 : 0;
  const uncaught = faults.filter((f) => !f.caught).map((f) => f.name);
  if (!error && (uncaught.length || faults.length < plans.length)) {
    error = uncaught.length ? `fault(s) not caught by the verifier: ${uncaught.join(", ")}` : "not every fault ran";
  }
  return finish(error ? (verdictCode !== 0 && codes.length ? verdictCode : 1) : verdictCode);
}
