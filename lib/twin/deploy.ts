import { existsSync, mkdirSync, readFileSync, rmSync, copyFileSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import type { LabDescription } from "../model/topology";
import { descriptionFromStack } from "../model/description-reader";
import { ProvisionerResource } from "../push/provisioner-resource";
import { terraformToolchain, TerraformToolchain } from "../toolchain/terraform";
import { newTally, progressLines, runTerraformAsync, TerraformEvent, TerraformTally } from "../toolchain/terraform-run";
import type { Report } from "../verify/run";
import { Cloud } from "./cloud/cloud";
import { novaUrl } from "./cloud-access";
import { packageRoot } from "../push/remote-script";
import { defaultStateDir, Twin } from "./twin";

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
  readonly name: "twin up" | "init" | "apply" | "verify again" | "plan again" | "destroy" | "leftovers" | "twin down";
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
  /** Skip the destroy (the twin still goes down). @default false */
  readonly skipDestroy?: boolean;
  readonly keepLogs?: boolean;
  readonly log?: (line: string) => void;
  readonly onStateDir?: (stateDir: string) => void;
  /** Called once the twin is up, before Terraform runs (a test's hook to look at the bare cloud). */
  readonly onTwinUp?: (twin: Twin) => Promise<void>;
  /** Called after the apply and the second plan, before the destroy. */
  readonly beforeDestroy?: (twin: Twin) => Promise<void>;
}

export interface DeployResult {
  readonly lab: string;
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
  readonly exitCode: number;
  readonly error?: string;
  readonly seconds: number;
  readonly terraform: string;
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

export async function runDeploy(opts: DeployOptions): Promise<DeployResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const s = secondsSince;
  const stackDir = resolve(opts.stackDir);
  const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as Record<string, unknown>;
  const description = descriptionFromStack(stack);
  const name = opts.name ?? description.name;
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
  let error: string | undefined;
  const phase = (p: DeployPhase) => {
    phases.push(p);
    log(`${p.ok ? "done" : "FAILED"}: ${p.name} in ${p.seconds} s${p.detail ? ` (${p.detail})` : ""} [${s(t0)} s total]`);
  };
  const finish = (exitCode: number): DeployResult => {
    const result: DeployResult = { lab: description.name, description, phases, ...(report ? { report } : {}), reports, applied, ...(planAgain ? { planAgain } : {}), ...(leftovers ? { leftovers } : {}), exitCode, ...(error ? { error } : {}), seconds: s(t0), terraform: tf.label };
    const { description: _d, report: _r, reports: _rs, ...summary } = result;
    writeFileSync(join(reportDir, "deploy.json"), JSON.stringify({ ...summary, verdicts: reports.map((r) => r.verdict) }, null, 2) + "\n");
    return result;
  };
  if (!existsSync(join(packageRoot(), "dist", "lib", "cli", "main.js"))) {
    error = `the VerifyHook runs \`dvr-lab verify\` from dist/: run \`npm run build\` in ${packageRoot()} first`;
    return finish(1);
  }

  log(`twin up: the cloud for Terraform (nothing of lab "${description.name}" on it yet)`);
  let twin: Twin;
  const tu = Date.now();
  try {
    twin = await Twin.up({ description, stack, name, stateDir, terraform: true, log: (l) => log(`  twin: ${l}`) });
  } catch (e) {
    error = (e as Error).message;
    phase({ name: "twin up", seconds: s(tu), ok: false, detail: error.split("\n")[0] });
    return finish(1);
  }
  phase({ name: "twin up", seconds: s(tu), ok: true });

  // The stand-in polls Nova and Neutron every second; while a push restarts neutron-server the API
  // is away for a few seconds: say so once per 30 s, not once per poll.
  let quietUntil = 0;
  const stopWatch = twin.hypervisor().watch(1000, (e) => {
    if (Date.now() < quietUntil) return;
    quietUntil = Date.now() + 30000;
    log(`  hypervisor stand-in: ${e.message.split("\n")[0]} (retrying every second; repeats muted for 30 s)`);
  });
  const hookReports = join(stackDir, "dvr-lab-reports", description.name);
  const hooks = verifyHookAddresses(stack);
  const isVerifyHook = (addr: string) => hooks.includes(addr);
  /** The report the hook just wrote (copied as report[-N].json/.md into the report dir). */
  const collect = (): void => {
    if (!existsSync(join(hookReports, "report.json"))) return;
    report = JSON.parse(readFileSync(join(hookReports, "report.json"), "utf8")) as Report;
    reports.push(report);
    const suffix = (opts.verifyRuns ?? 1) > 1 ? `-${reports.length}` : "";
    for (const ext of ["json", "md"]) {
      if (existsSync(join(hookReports, `report.${ext}`))) copyFileSync(join(hookReports, `report.${ext}`), join(reportDir, `report${suffix}.${ext}`));
    }
    rmSync(hookReports, { recursive: true, force: true });
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
  const prefix = ["nsenter", "-t", String(twin.state.outer!.pid), "-n", "--"];
  const tfRun = async (label: DeployPhase["name"], args: string[], tally?: TerraformTally): Promise<number> => {
    const t = Date.now();
    const code = await runTerraformAsync(tf, args, {
      cwd: stackDir,
      env,
      prefix,
      logFile: tfLog,
      onEvent: (e: TerraformEvent) => {
        if (!tally) return;
        for (const line of progressLines(tally, e, isVerifyHook)) log(`  ${label}: ${line}`);
      },
    });
    const detail = tally?.summary ? `${tally.completed.size} of ${tally.planned.size} resources` : undefined;
    phase({ name: label, seconds: s(t), ok: code === 0 || (label === "plan again" && code === 2), ...(detail ? { detail } : {}) });
    return code;
  };
  try {
    const initCode = await tfRun("init", ["init", "-input=false", "-no-color", `-backend-config=path=${join(stateDir, "terraform.tfstate")}`]);
    if (initCode !== 0) throw new Error(`terraform init failed (exit ${initCode}); see ${tfLog}`);
    const apply = newTally();
    const applyCode = await tfRun("apply", ["apply", "-auto-approve", "-input=false", "-json"], apply);
    applied = [...apply.completed].length;
    collect();
    if (applyCode !== 0) {
      throw new Error(`terraform apply failed (exit ${applyCode})${apply.errors.length ? `: ${apply.errors.join("; ").slice(0, 400)}` : ""}${report ? ` (verifier: ${report.verdict})` : ""}; log ${tfLog}`);
    }
    for (let run = 2; run <= (opts.verifyRuns ?? 1); run++) {
      if (!hooks.length) throw new Error("the stack has no VerifyHook to run again");
      const again = newTally();
      const code = await tfRun("verify again", ["apply", "-auto-approve", "-input=false", "-json", ...hooks.map((h) => `-replace=${h}`)], again);
      collect();
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
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await stopWatch().catch(() => undefined);
    const td = Date.now();
    const r = await twin.down({ keepLogs: opts.keepLogs ?? false });
    phase({ name: "twin down", seconds: s(td), ok: r.leftovers.length === 0, detail: `${r.killed} processes${r.leftovers.length ? `, LEFT: ${r.leftovers.join(" ")}` : ""}` });
    if (r.leftovers.length) error = `${error ? `${error}; ` : ""}teardown left processes ${r.leftovers.join(" ")}`;
  }
  const codes = reports.map((r) => r.exitCode);
  const verdictCode = !codes.length || codes.includes(1) ? 1 : codes.includes(3) ? 3 : 0;
  return finish(error ? (verdictCode !== 0 && codes.length ? verdictCode : 1) : verdictCode);
}

