import { rmSync } from "fs";
import { oneOf, parse, resolveIo, usageFailure, type CommandSpec, type OptionSpecs, type Values } from "../common/args";
import { EXIT, exitCodesHelp } from "../common/exit-codes";
import { renderText } from "../verify/report";
import type { WindowMode } from "../verify/run";
import { cloudTwinPrerequisites, NAME_OPTION, readJsonOption, stackDescription, type TwinCliIo } from "./cli";
import { FAULT_NAMES } from "./faults";
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
    json: { type: "boolean" },
  },
} as const satisfies CommandSpec<OptionSpecs>;

export const USAGE = `usage: dvr-lab lab [options]   (root)

  Brings the synthesized lab up as a twin (the stack's own ConfigPush configures the nodes), runs the
  verifier's full run against it as against a real lab (SSH with verified host keys, the Neutron API
  for the gate, marked pings inside the VMs), prints the verdict table with its evidence, and takes
  the twin down again (always: also on failure and on SIGINT/SIGTERM).

options:
  --layout reference|upstream   which example to synthesize in-process (default reference:
                                lib/layouts/reference-lab; upstream: lib/layouts/upstream-layout)
  --stack FILE                  use this synthesized cdk.tf.json instead (not with --layout)
  --fault NAME                  inject a REAL misconfiguration: ${FAULT_NAMES.join(", ")}
  --runs N                      verifier runs on the one bring-up, 1 to 100 (default 1)
  --report-dir DIR              write report[-N].json, report[-N].md and lab.json there
  --pings N                     marked pings per row, 1 to 1000 (default 5)
  --window all|row              one measurement window for all rows (default) or one per row
  --continue-after-gate-failure measure the data plane even if the gate failed (default on for --fault)
  --name NAME  --state-dir DIR  twin name / state dir (default: the lab name, <package>/.twin/<name>)
  --converge-timeout S          cap of the twin's data-plane gate in seconds, 1 to 3600 (default 90;
                                fault runs: 20)
  --keep-logs                   keep the twin's state dir (logs) after teardown
  --cloud                       the cloud twin (Keystone, Glance, Placement, Nova; docs/CLOUD-TWIN.md):
                                VMs are Nova instances, the verifier reads Neutron in Keystone mode
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
  const missing = await (io.prerequisites ?? (o.cloud ? cloudTwinPrerequisites : twinPrerequisites))();
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
      ...(stack ? { stack } : { layout }),
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
