import { runLines } from "../common/process";
import { terraformEnv, TerraformToolchain } from "./terraform";

/**
 * Terraform's machine-readable UI (`-json` of plan, apply and destroy: one JSON object per line,
 * https://developer.hashicorp.com/terraform/internals/machine-readable-ui), the fields dvr-lab reads.
 */
export interface TerraformEvent {
  readonly type: string;
  readonly "@level"?: string;
  readonly "@message"?: string;
  readonly hook?: {
    readonly resource?: { readonly addr?: string; readonly resource_type?: string; readonly resource_name?: string };
    readonly action?: string;
    readonly elapsed_seconds?: number;
    readonly provisioner?: string;
    readonly output?: string;
  };
  readonly change?: { readonly resource?: { readonly addr?: string }; readonly action?: string };
  readonly changes?: { readonly add: number; readonly change: number; readonly remove: number; readonly import?: number; readonly operation: string };
  readonly diagnostic?: { readonly severity: string; readonly summary: string; readonly detail?: string; readonly address?: string };
}

/** One line of `-json` output, or undefined for a line that is not one of its objects. */
export function parseTerraformJsonLine(line: string): TerraformEvent | undefined {
  const t = line.trim();
  if (!t.startsWith("{")) return undefined;
  try {
    const v = JSON.parse(t) as TerraformEvent;
    return typeof v.type === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Counts of one plan/apply/destroy, from its events. */
export interface TerraformTally {
  /** Resource actions planned (planned_change), by address. */
  readonly planned: Map<string, string>;
  /** Addresses whose apply completed. */
  readonly completed: Set<string>;
  /** Addresses whose apply failed, with Terraform's message. */
  readonly errored: Map<string, string>;
  /** The last change_summary. */
  summary?: TerraformEvent["changes"];
  /** Error diagnostics (summary: detail). */
  readonly errors: string[];
}

export function newTally(): TerraformTally {
  return { planned: new Map(), completed: new Set(), errored: new Map(), errors: [] };
}

/**
 * Folds one event into the tally and returns the lines a person follows: the plan's summary, one
 * line per finished resource with the count so far (`[12/42] created ...`), failures, and (when
 * `echoProvisioner` says so for the resource) the lines of its provisioners' output that
 * `echoOutput` keeps (all of them by default).
 */
export function progressLines(
  t: TerraformTally,
  e: TerraformEvent,
  echoProvisioner: (addr: string) => boolean = () => false,
  echoOutput: (output: string) => boolean = () => true,
): string[] {
  const addr = e.hook?.resource?.addr ?? e.change?.resource?.addr ?? "";
  switch (e.type) {
    case "planned_change":
      if (addr && e.change?.action !== "read") t.planned.set(addr, e.change?.action ?? "?");
      return [];
    case "change_summary": {
      t.summary = e.changes;
      const c = e.changes!;
      // The plan says what it will do; an apply or destroy what it did.
      if (c.operation === "plan") return [`plan: ${c.add} to add, ${c.change} to change, ${c.remove} to destroy`];
      return [`${c.operation}: ${c.add} added, ${c.change} changed, ${c.remove} destroyed`];
    }
    case "apply_complete": {
      if (e.hook?.action === "read") return [`read ${addr} (${e.hook?.elapsed_seconds ?? 0} s)`];
      t.completed.add(addr);
      const verb = { create: "created", update: "updated", delete: "destroyed", replace: "replaced", read: "read" }[e.hook?.action ?? ""] ?? e.hook?.action ?? "done";
      const total = t.planned.size || t.completed.size;
      return [`[${t.completed.size}/${total}] ${verb} ${addr} (${e.hook?.elapsed_seconds ?? 0} s)`];
    }
    case "apply_errored":
      t.errored.set(addr, e["@message"] ?? "errored");
      return [`FAILED ${addr}: ${e["@message"] ?? ""}`];
    case "provision_start":
      return echoProvisioner(addr) ? [`${addr}: ${e.hook?.provisioner ?? "provisioner"} started`] : [];
    case "provision_progress":
      return echoProvisioner(addr) && e.hook?.output !== undefined && echoOutput(e.hook.output) ? [`  | ${e.hook.output}`] : [];
    case "provision_errored":
      return [`FAILED ${addr}: its ${e.hook?.provisioner ?? "provisioner"} failed`];
    case "diagnostic": {
      const d = e.diagnostic;
      if (!d || d.severity !== "error") return [];
      const text = `${d.summary}${d.detail ? `: ${d.detail}` : ""}`;
      t.errors.push(text);
      return [`error: ${text}`];
    }
    default:
      return [];
  }
}

/**
 * Counts as completed the planned resources that the output did not report finished but Terraform's
 * state holds (`terraform state list`), for a run whose output can lose its last lines (cdktf 0.21
 * reads Terraform through a pseudo-terminal); returns the unreported ones, each with whether the
 * state has it.
 */
export function completeFromState(t: TerraformTally, stateAddresses: Iterable<string>): { readonly addr: string; readonly inState: boolean }[] {
  const inState = new Set(stateAddresses);
  const unreported = [...t.planned.keys()].filter((a) => !t.completed.has(a));
  for (const a of unreported) if (inState.has(a)) t.completed.add(a);
  return unreported.map((addr) => ({ addr, inState: inState.has(addr) }));
}

export interface TerraformRunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** An argv that runs the CLI somewhere else, such as `nsenter -t PID -n --`. @default [] */
  readonly prefix?: readonly string[];
  /** Every line of output is appended here (the full log). */
  readonly logFile?: string;
  /** Called with each parsed `-json` event (lines that are not JSON go to the log only). */
  readonly onEvent?: (e: TerraformEvent) => void;
  /** Called with each raw line (for commands without `-json`, such as init). */
  readonly onLine?: (line: string) => void;
}

/** Runs the CLI asynchronously; resolves with its exit code (a signal counts as 128 + n). */
export function runTerraformAsync(t: TerraformToolchain, args: readonly string[], o: TerraformRunOptions): Promise<number> {
  return runLines([...(o.prefix ?? []), t.binary, ...args], {
    cwd: o.cwd,
    env: terraformEnv(t, o.env),
    header: `$ ${t.label} ${args.join(" ")}`,
    ...(o.logFile ? { logFile: o.logFile } : {}),
    onLine: (line) => {
      o.onLine?.(line);
      const e = parseTerraformJsonLine(line);
      if (e) o.onEvent?.(e);
    },
  });
}
