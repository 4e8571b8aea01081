import { existsSync } from "fs";
import { dirname, join } from "path";
import { terraformEnv, TerraformToolchain } from "./terraform";
import { runLines } from "../common/process";
import { TerraformEvent } from "./terraform-run";

/**
 * `cdktf deploy` as a user runs it on an example (issue 14): the CDKTF CLI synthesizes the app of a
 * project's cdktf.json, runs `terraform init` and `terraform apply` in the stack's folder, and prints
 * Terraform's human output with the stack's name in front. That output is the only record of
 * progress (cdktf has no `-json`), so this module reads it back into the same events as Terraform's
 * machine-readable UI (lib/toolchain/terraform-run.ts), which lets one tally and one progress
 * printer serve both paths. cdktf writes a resource's construct name after its address
 * (`terraform_data.d0 (d0): Creating...`); the events carry the address alone.
 */

/** Terraform's colours and cursor codes (cdktf passes them through unless --no-color). */
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The line without colours, without cdktf's `<stack>  ` prefix or the indentation of its continuation lines. */
export function cdktfLineText(line: string, stack: string): string {
  let t = line.replace(ANSI, "").replace(/\r/g, "");
  if (t.startsWith(`${stack}  `)) t = t.slice(stack.length + 2);
  else if (/^ {6}/.test(t)) t = t.slice(6);
  return t;
}

/** "1m5s" / "12s" / "0s" -> seconds. */
function elapsed(text: string): number {
  let s = 0;
  for (const m of text.matchAll(/(\d+)(h|m|s)/g)) s += Number(m[1]) * { h: 3600, m: 60, s: 1 }[m[2] as "h" | "m" | "s"];
  return s;
}

const PLANNED: [RegExp, string][] = [
  [/ will be created$/, "create"],
  [/ will be updated in-place$/, "update"],
  [/ will be destroyed$/, "delete"],
  [/ must be replaced$/, "replace"],
  [/ will be read during apply$/, "read"],
];

const COMPLETE: Record<string, string> = { Creation: "create", Modifications: "update", Destruction: "delete" };

/**
 * One line of `cdktf deploy` output as the Terraform event it reports, or undefined (the line goes
 * to the log only): a planned resource (`# addr (name) will be created`), the plan's and the
 * apply's summaries, a resource finished (`addr: Creation complete after 3s [id=...]`), a
 * provisioner starting and its output (`addr (local-exec): ...`), and errors (`Error: ...`, also
 * inside Terraform's box).
 */
export function cdktfDeployEvent(line: string, stack: string): TerraformEvent | undefined {
  const t = cdktfLineText(line, stack);
  let m = /^\s*# (\S+)(?: \([^)]*\))? (will be created|will be updated in-place|will be destroyed|must be replaced|will be read during apply)$/.exec(t);
  if (m) {
    const action = PLANNED.find(([re]) => re.test(` ${m![2]}`))![1];
    return { type: "planned_change", change: { resource: { addr: m[1] }, action } };
  }
  m = /^\s*Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\./.exec(t);
  if (m) return { type: "change_summary", changes: { add: Number(m[1]), change: Number(m[2]), remove: Number(m[3]), operation: "plan" } };
  m = /^\s*Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed\./.exec(t);
  if (m) return { type: "change_summary", changes: { add: Number(m[1]), change: Number(m[2]), remove: Number(m[3]), operation: "apply" } };
  m = /^\s*(\S+)(?: \([^)\s]*\))?: (Creation|Modifications|Destruction) complete after (\S+)/.exec(t);
  if (m) return { type: "apply_complete", hook: { resource: { addr: m[1] }, action: COMPLETE[m[2]], elapsed_seconds: elapsed(m[3]) } };
  m = /^\s*(\S+)(?: \([^)\s]*\))?: Provisioning with '([^']+)'\.\.\.$/.exec(t);
  if (m) return { type: "provision_start", hook: { resource: { addr: m[1] }, provisioner: m[2] } };
  m = /^\s*(\S+)(?: \([^)\s]*\))? \((local-exec|remote-exec|file)\): ?(.*)$/.exec(t);
  if (m) return { type: "provision_progress", hook: { resource: { addr: m[1] }, provisioner: m[2], output: m[3] } };
  m = /^\s*(?:│\s*)?Error: (.+)$/.exec(t);
  if (m) return { type: "diagnostic", diagnostic: { severity: "error", summary: m[1].trim() } };
  return undefined;
}

/** The CDKTF CLI's entry point: this package's (a devDependency), else `cdktf` on PATH, else undefined. */
export function cdktfCli(): string[] | undefined {
  try {
    const pkg = require.resolve("cdktf-cli/package.json");
    const bin = join(dirname(pkg), "bundle", "bin", "cdktf");
    if (existsSync(bin)) return [process.execPath, bin];
  } catch {
    /* not installed here */
  }
  for (const d of (process.env.PATH ?? "").split(":")) if (d && existsSync(join(d, "cdktf"))) return [join(d, "cdktf")];
  return undefined;
}

/** What to install when cdktfCli() finds nothing. */
export const CDKTF_CLI_FIX = "install the CDKTF CLI (`npm install --save-dev cdktf-cli@0.21.0`, or `npm install -g cdktf-cli@0.21.0`), or run a synthesized stack with --stack FILE (plain terraform)";

export interface CdktfDeployOptions {
  /** The cdktf project (its cdktf.json), where cdktf runs and the default local state lands. */
  readonly projectDir: string;
  readonly stack: string;
  readonly env?: NodeJS.ProcessEnv;
  /** An argv that runs the CLI somewhere else, such as `nsenter -t PID -n --`. @default [] */
  readonly prefix?: readonly string[];
  /** Every line of output is appended here. */
  readonly logFile?: string;
  readonly onEvent?: (e: TerraformEvent) => void;
}

/** The argv after the CLI: deploy one stack without asking, with the providers the mirror has. */
export function cdktfDeployArgs(stack: string): string[] {
  return ["deploy", stack, "--auto-approve", "--skip-provider-lock", "--no-color"];
}

/**
 * Runs `cdktf deploy <stack> --auto-approve --skip-provider-lock` with the project's Terraform
 * toolchain (TERRAFORM_BINARY_NAME, the mirror-only CLI config) and no call home (checkpoint and
 * version checks off); resolves with its exit code.
 */
export function runCdktfDeploy(t: TerraformToolchain, o: CdktfDeployOptions): Promise<number> {
  const cli = cdktfCli();
  if (!cli) return Promise.reject(new Error(`cdktf deploy: no CDKTF CLI found; ${CDKTF_CLI_FIX}`));
  const args = cdktfDeployArgs(o.stack);
  const env = { ...terraformEnv(t, o.env), CHECKPOINT_DISABLE: "1", DISABLE_VERSION_CHECK: "1", FORCE_COLOR: "0", CI: "1" };
  return runLines([...(o.prefix ?? []), ...cli, ...args], {
    cwd: o.projectDir,
    env,
    header: `$ cdktf ${args.join(" ")}   (in ${o.projectDir}; terraform: ${t.label})`,
    ...(o.logFile ? { logFile: o.logFile } : {}),
    onLine: (line) => {
      const e = cdktfDeployEvent(line, o.stack);
      if (e) o.onEvent?.(e);
    },
  });
}
