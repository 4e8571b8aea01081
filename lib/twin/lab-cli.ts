import { rmSync } from "fs";
import { oneOf, parse, resolveIo, usageFailure, UsageError, type CommandSpec, type OptionSpecs, type Values } from "../common/args";
import { EXIT, exitCodesHelp } from "../common/exit-codes";
import { renderText } from "../verify/report";
import { cloudTwinPrerequisites, NAME_OPTION, readJsonOption, stackDescription, type TwinCliIo } from "./cli";
import { FAULT_NAMES, isFaultName } from "./faults";
import { findTerraformToolchain } from "../toolchain/terraform";
import { LAYOUTS, Layout, runLab } from "./lab";
import { Twin } from "./twin";

export const COMMAND = "dvr-lab lab";

/** The options of `dvr-lab lab` (lib/common/args.ts parses them). */
export const SPEC = {
  command: COMMAND,
  options: {
    layout: { type: "string", choices: Object.keys(LAYOUTS) as Layout[] },
    stack: { type: "string" },
    fault: { type: "string" },
    runs: { type: "integer", min: 1, max: 100, default: 1 },
    "apply-with": { type: "string", choices: ["terraform", "cdktf"] },
    "report-dir": { type: "string" },
    name: NAME_OPTION,
    "state-dir": { type: "string" },
    "keep-logs": { type: "boolean" },
    json: { type: "boolean" },
  },
} as const satisfies CommandSpec<OptionSpecs>;

/** `--fault a,b` or `--fault all` -> the fault names (UsageError naming a bad one). */
export function parseFaults(value: string): string[] {
  if (value === "all") return [...FAULT_NAMES];
  const names = value.split(",").map((x) => x.trim());
  for (const n of names) {
    if (!isFaultName(n)) throw new UsageError(`--fault: unknown fault "${n}" (known: ${FAULT_NAMES.join(", ")}, or all)`);
  }
  if (new Set(names).size !== names.length) throw new UsageError(`--fault: a fault is given twice in "${value}"`);
  return names;
}

export const USAGE = `usage: dvr-lab lab [options]   (root)

  The user's path for real, on a twin cloud on this machine: the twin comes up as a small OpenStack
  cloud (Keystone, Glance, Placement, Nova with the fake driver, Neutron; nothing of the lab on it),
  then the real Terraform CLI and terraform-provider-openstack apply the synthesized stack unchanged
  from the operator's namespace: Terraform's file + remote-exec push the DVR config over SSH
  (verified host keys), the provider creates networks, routers, ports and Nova instances, and the
  VerifyHook's local-exec runs \`dvr-lab verify\` (a failing row fails the apply). Then a second plan
  must show no changes, \`terraform destroy\` must leave no tenant resource, and the twin goes down
  (always: also on failure and on SIGINT/SIGTERM).

  With --fault, the faults go into the ONE deployed lab one after the other, each a real deviation
  (an edited copy of the stack applied, a change on a node, or through the Neutron API); the
  VerifyHook re-runs and must fail, the fault is undone, and after the last one the hook must pass
  again. Exit 0 then means: every fault caught, the lab healthy again, plan empty, destroy clean.

options:
  --layout reference|upstream   which example to synthesize (default reference:
                                lib/layouts/reference-lab; upstream: lib/layouts/upstream-layout)
  --stack FILE                  use this synthesized cdk.tf.json (in its stack folder, with its
                                assets) instead (not with --layout)
  --fault NAME[,NAME...]|all    faults to inject: ${FAULT_NAMES.join(", ")}
  --runs N                      verifier runs, 1 to 100 (default 1: the apply's VerifyHook; each
                                further run is terraform apply -replace=<hook>)
  --apply-with cdktf|terraform  how an example is applied: \`cdktf deploy <stack>
                                --skip-provider-lock\` in a cdktf project beside its stack folder,
                                as the examples' users do (default), or terraform init + apply in
                                the stack folder (the default with --stack or --fault: those apply
                                the synthesized JSON with terraform; cdktf is refused with them)
  --report-dir DIR              write report[-N|-FAULT].json/.md, terraform.log and deploy.json
                                there (default <stack folder>/dvr-lab-reports/<name>-lab)
  --name NAME  --state-dir DIR  twin name / state dir (default: the lab name, <package>/.twin/<name>)
  --keep-logs                   keep the twin's state dir (logs) after teardown
  --json                        print the result as JSON (with the reports) instead of the table
  -h, --help

${exitCodesHelp([EXIT.OK, EXIT.FAILED, EXIT.USAGE, EXIT.INCONCLUSIVE, EXIT.PREREQUISITES], { signals: true })}`;

export async function run(args: string[], io: TwinCliIo = {}): Promise<number> {
  const { out, err } = resolveIo(io);
  let o: Values<typeof SPEC.options>;
  let stack: Record<string, unknown> | undefined;
  let faults: string[] = [];
  try {
    const p = parse(SPEC, args);
    if (p.help) {
      out(USAGE);
      return EXIT.OK;
    }
    o = p.values;
    oneOf(p.given, ["stack", "layout"], { atMost: true });
    if (p.values.fault !== undefined) faults = parseFaults(p.values.fault);
    if (o["apply-with"] === "cdktf" && (o.stack !== undefined || faults.length)) {
      throw new UsageError(`--apply-with cdktf applies an example (--layout); ${o.stack !== undefined ? "--stack FILE" : "--fault"} is applied with terraform: leave --apply-with out or say --apply-with terraform`);
    }
    if (o.stack !== undefined) {
      stack = readJsonOption("stack", o.stack);
      stackDescription("stack", o.stack, stack);
    }
  } catch (e) {
    return usageFailure(COMMAND, e, err);
  }
  const layout = (o.layout ?? "reference") as Layout;
  const missing = await (io.prerequisites ?? (async () => {
    const m = await cloudTwinPrerequisites();
    const tf = findTerraformToolchain();
    return typeof tf === "string" ? [...m, `the Terraform toolchain (${tf})`] : m;
  }))();
  if (missing.length) {
    err(`dvr-lab lab: this machine lacks: ${missing.join(", ")}\n`);
    return EXIT.PREREQUISITES;
  }

  // Teardown on SIGINT/SIGTERM, whatever phase the run is in.
  let stateDir: string | undefined;
  let stopping: Promise<void> | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = new Promise<void>(() => undefined); // never resolves: done() exits the process
    err(`dvr-lab lab: ${sig}: tearing the twin down\n`);
    const t = stateDir ? Twin.attach(stateDir) : undefined;
    const done = () => {
      // The interrupted bring-up may have saved its failed state meanwhile: nothing stays behind.
      if (stateDir && !o["keep-logs"]) rmSync(stateDir, { recursive: true, force: true });
      process.exit(sig === "SIGINT" ? 130 : 143);
    };
    if (!t) return done();
    void t.down({ keepLogs: !!o["keep-logs"] }).then(done, done);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const log = (l: string) => err(`lab: ${l}\n`);
    const result = await runLab({
      ...(o.stack !== undefined ? { stackFile: o.stack } : { layout }),
      ...(faults.length ? { faults } : {}),
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o["state-dir"] !== undefined ? { stateDir: o["state-dir"] } : {}),
      ...(o["report-dir"] !== undefined ? { reportDir: o["report-dir"] } : {}),
      runs: o.runs,
      ...(o["apply-with"] !== undefined ? { applyWith: o["apply-with"] as "cdktf" | "terraform" } : {}),
      keepLogs: o["keep-logs"],
      log,
      onStateDir: (d) => (stateDir = d),
    });
    if (stopping) await stopping;
    if (o.json) {
      out(JSON.stringify(result, null, 2) + "\n");
    } else {
      for (const l of result.twinRepairs ?? []) out(`twin repaired during bring-up: ${l}\n`);
      const faultReports = new Set(result.faults?.map((f) => f.report));
      for (const f of result.faults ?? []) {
        out(`=== fault ${f.name}: ${f.caught ? "CAUGHT" : "NOT CAUGHT"} (${f.seconds} s)\n  ${f.summary}\n${f.injected.map((l) => `  injected: ${l}\n`).join("")}${f.undone.map((l) => `  undone: ${l}\n`).join("")}`);
        if (f.report) out(renderText(f.report) + "\n");
      }
      const healthy = result.reports.filter((r) => !faultReports.has(r));
      healthy.forEach((r, i) => {
        if (result.reports.length > 1) out(`=== verifier run ${i + 1} of ${healthy.length}${result.faults ? " (no fault)" : ""}\n`);
        out(renderText(r) + "\n");
      });
      if (result.deploy) {
        const d = result.deploy;
        out(`${d.terraform}: ${d.applied} resources applied; second plan ${d.planAgain ? `${d.planAgain.add} to add, ${d.planAgain.change} to change, ${d.planAgain.remove} to destroy` : "-"}; after destroy ${d.leftovers ? (d.leftovers.length ? `LEFT ${d.leftovers.join(", ")}` : "no tenant resource left") : "-"}\n`);
        out(d.phases.map((p) => `  ${p.ok ? "ok  " : "FAIL"} ${p.name.padEnd(12)} ${String(p.seconds).padStart(6)} s${p.detail ? `  ${p.detail}` : ""}`).join("\n") + "\n");
      }
      const sec = result.seconds;
      out(
        `lab ${result.lab}${result.faults ? ` (faults: ${result.faults.map((f) => `${f.name} ${f.caught ? "caught" : "NOT caught"}`).join(", ")})` : ""}: ${result.exitCode === EXIT.OK ? "PASS" : result.exitCode === EXIT.INCONCLUSIVE ? "INCONCLUSIVE" : "FAIL"} (exit ${result.exitCode}); ` +
          `${sec.synth !== undefined ? `synth ${sec.synth} s, ` : ""}up ${sec.up ?? "-"} s, apply and verify ${sec.verify.join(" + ") || "-"} s, down ${sec.down ?? "-"} s, total ${sec.total} s; transport ${result.transport}\n`,
      );
    }
    if (result.error) err(`dvr-lab lab: ${result.error}\n`);
    // Interrupted: the signal handler's teardown finishes and exits (130/143), not this path.
    if (stopping) await stopping;
    return result.exitCode;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
