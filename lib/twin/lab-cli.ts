import { rmSync } from "fs";
import { oneOf, parse, resolveIo, usageFailure, UsageError, type CommandSpec, type OptionSpecs, type Values } from "../common/args";
import { EXIT, exitCodesHelp } from "../common/exit-codes";
import { renderText } from "../verify/report";
import type { WindowMode } from "../verify/run";
import { cloudTwinPrerequisites, NAME_OPTION, readJsonOption, stackDescription, type TwinCliIo } from "./cli";
import { FAULT_NAMES } from "./faults";
import { findTerraformToolchain } from "../toolchain/terraform";
import { LAYOUTS, Layout, runLab } from "./lab";
import { Twin, twinPrerequisites } from "./twin";

export const COMMAND = "dvr-lab lab";

/** The options of `dvr-lab lab` (lib/common/args.ts parses them). */
export const SPEC = {
  command: COMMAND,
  options: {
    layout: { type: "string", choices: Object.keys(LAYOUTS) as Layout[] },
    stack: { type: "string" },
    fault: { type: "string", choices: FAULT_NAMES },
    runs: { type: "integer", min: 1, max: 100, default: 1 },
    "report-dir": { type: "string" },
    pings: { type: "integer", min: 1, max: 1000 },
    window: { type: "string", choices: ["all", "row"] },
    "continue-after-gate-failure": { type: "boolean" },
    name: NAME_OPTION,
    "state-dir": { type: "string" },
    "converge-timeout": { type: "integer", min: 1, max: 3600 },
    "keep-logs": { type: "boolean" },
    cloud: { type: "boolean" },
    replay: { type: "boolean" },
    json: { type: "boolean" },
  },
} as const satisfies CommandSpec<OptionSpecs>;

export const USAGE = `usage: dvr-lab lab [options]   (root)

  The user's path for real, on a twin cloud on this machine: the twin comes up as a small OpenStack
  cloud (Keystone, Glance, Placement, Nova with the fake driver, Neutron; nothing of the lab on it),
  then the real Terraform CLI and terraform-provider-openstack apply the synthesized stack unchanged
  from the operator's namespace: Terraform's file + remote-exec push the DVR config over SSH
  (verified host keys), the provider creates networks, routers, ports and Nova instances, and the
  VerifyHook's local-exec runs \`dvr-lab verify\` (a failing row fails the apply). Then a second plan
  must show no changes, \`terraform destroy\` must leave no tenant resource, and the twin goes down
  (always: also on failure and on SIGINT/SIGTERM). With --fault (or --replay) the twin re-enacts
  Terraform instead (replays the pushes, builds the tenant side itself) and the verifier runs
  in-process.

options:
  --layout reference|upstream   which example to synthesize in-process (default reference:
                                lib/layouts/reference-lab; upstream: lib/layouts/upstream-layout)
  --stack FILE                  use this synthesized cdk.tf.json (in its stack folder, with its
                                assets) instead (not with --layout)
  --fault NAME                  inject a REAL misconfiguration: ${FAULT_NAMES.join(", ")}
  --runs N                      verifier runs on the one bring-up, 1 to 100 (default 1; the real
                                deploy re-runs the VerifyHook with terraform apply -replace)
  --report-dir DIR              write report[-N].json, report[-N].md and lab.json there
  --pings N                     marked pings per row, 1 to 1000 (default 5; --replay only: the
                                real deploy runs the stack's own verify command)
  --window all|row              one window for all rows (default) or one per row (--replay only)
  --continue-after-gate-failure measure the data plane even if the gate failed (default on for --fault)
  --name NAME  --state-dir DIR  twin name / state dir (default: the lab name, <package>/.twin/<name>)
  --converge-timeout S          cap of the twin's data-plane gate in seconds, 1 to 3600 (default 90;
                                fault runs: 20)
  --keep-logs                   keep the twin's state dir (logs) after teardown
  --replay                      the twin re-enacts Terraform (implied by --fault)
  --cloud                       with --replay: the cloud twin (VMs are Nova instances, the verifier
                                reads Neutron in Keystone mode); the real deploy always has it
  --json                        print lab.json-like JSON (with the reports) instead of the table
  -h, --help

${exitCodesHelp([EXIT.OK, EXIT.FAILED, EXIT.USAGE, EXIT.INCONCLUSIVE, EXIT.PREREQUISITES], { signals: true })}`;

export async function run(args: string[], io: TwinCliIo = {}): Promise<number> {
  const { out, err } = resolveIo(io);
  let o: Values<typeof SPEC.options>;
  let stack: Record<string, unknown> | undefined;
  try {
    const p = parse(SPEC, args);
    if (p.help) {
      out(USAGE);
      return EXIT.OK;
    }
    o = p.values;
    oneOf(p.given, ["stack", "layout"], { atMost: true });
    if (o.stack !== undefined) {
      stack = readJsonOption("stack", o.stack);
      stackDescription("stack", o.stack, stack);
    }
  } catch (e) {
    return usageFailure(COMMAND, e, err);
  }
  const layout = (o.layout ?? "reference") as Layout;
  const realDeploy = !o.replay && o.fault === undefined;
  const missing = await (io.prerequisites ?? (async () => {
    const m = await (o.cloud || realDeploy ? cloudTwinPrerequisites : twinPrerequisites)();
    const tf = realDeploy ? findTerraformToolchain() : undefined;
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
    const replay = !realDeploy;
    if (!replay && (o.pings !== undefined || o.window !== undefined || o["continue-after-gate-failure"] || o["converge-timeout"] !== undefined)) {
      return usageFailure(COMMAND, new UsageError("--pings, --window, --continue-after-gate-failure and --converge-timeout need --replay or --fault (the real deploy runs the stack's own verify command)"), err);
    }
    const result = await runLab({
      ...(stack ? { stack, stackFile: o.stack } : { layout }),
      ...(replay ? { replay: true } : {}),
      ...(o.fault !== undefined ? { fault: o.fault } : {}),
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o["state-dir"] !== undefined ? { stateDir: o["state-dir"] } : {}),
      ...(o["report-dir"] !== undefined ? { reportDir: o["report-dir"] } : {}),
      ...(o["converge-timeout"] !== undefined ? { convergeTimeoutSeconds: o["converge-timeout"] } : {}),
      ...(o["continue-after-gate-failure"] ? { continueAfterGateFailure: true } : {}),
      runs: o.runs,
      keepLogs: o["keep-logs"],
      ...(o.cloud ? { cloud: true } : {}),
      verify: {
        ...(o.pings !== undefined ? { pings: o.pings } : {}),
        ...(o.window !== undefined ? { window: o.window as WindowMode } : {}),
      },
      log,
      onStateDir: (d) => (stateDir = d),
    });
    if (stopping) await stopping;
    if (o.json) {
      out(JSON.stringify(result, null, 2) + "\n");
    } else {
      for (const l of result.twinRepairs ?? []) out(`twin repaired during bring-up: ${l}\n`);
      if (result.fault) out(`fault injected: ${result.fault.name}: ${result.fault.summary}\n${result.fault.observed.map((l) => `  twin saw: ${l}\n`).join("")}\n`);
      result.reports.forEach((r, i) => {
        if (result.reports.length > 1) out(`=== verifier run ${i + 1} of ${result.reports.length}\n`);
        out(renderText(r) + "\n");
      });
      if (result.deploy) {
        const d = result.deploy;
        out(`${d.terraform}: ${d.applied} resources applied; second plan ${d.planAgain ? `${d.planAgain.add} to add, ${d.planAgain.change} to change, ${d.planAgain.remove} to destroy` : "-"}; after destroy ${d.leftovers ? (d.leftovers.length ? `LEFT ${d.leftovers.join(", ")}` : "no tenant resource left") : "-"}\n`);
        out(d.phases.map((p) => `  ${p.ok ? "ok  " : "FAIL"} ${p.name.padEnd(12)} ${String(p.seconds).padStart(6)} s${p.detail ? `  ${p.detail}` : ""}`).join("\n") + "\n");
      }
      const sec = result.seconds;
      out(
        `lab ${result.lab}${result.fault ? ` (fault ${result.fault.name})` : ""}: ${result.exitCode === EXIT.OK ? "PASS" : result.exitCode === EXIT.INCONCLUSIVE ? "INCONCLUSIVE" : "FAIL"} (exit ${result.exitCode}); ` +
          `${sec.synth !== undefined ? `synth ${sec.synth} s, ` : ""}up ${sec.up ?? "-"} s, verify ${sec.verify.join(" + ") || "-"} s, down ${sec.down ?? "-"} s, total ${sec.total} s; transport ${result.transport}\n`,
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
