import { readFileSync, rmSync } from "fs";
import { renderText } from "../verify/report";
import type { WindowMode } from "../verify/run";
import { FAULT_NAMES } from "./faults";
import { LAYOUTS, Layout, runLab } from "./lab";
import { Twin, twinPrerequisites } from "./twin";

const USAGE = `usage: dvr-lab lab [options]   (root)

  Brings the synthesized lab up as a twin (the stack's own ConfigPush configures the nodes), runs the
  verifier's full run against it as against a real lab (SSH with verified host keys, the Neutron API
  for the gate, marked pings inside the VMs), prints the verdict table with its evidence, and takes
  the twin down again (always: also on failure and on SIGINT/SIGTERM).

options:
  --layout reference|upstream   which example to synthesize in-process (default reference:
                                examples/reference-lab; upstream: examples/upstream-layout)
  --stack FILE                  use this synthesized cdk.tf.json instead
  --fault NAME                  inject a REAL misconfiguration: ${FAULT_NAMES.join(", ")}
  --runs N                      verifier runs on the one bring-up (default 1)
  --report-dir DIR              write report[-N].json, report[-N].md and lab.json there
  --pings N  --window all|row   verifier settings (default 5, all)
  --continue-after-gate-failure measure the data plane even if the gate failed (default on for --fault)
  --name NAME  --state-dir DIR  twin name / state dir (default: the lab name, <package>/.twin/<name>)
  --converge-timeout S          cap of the twin's data-plane gate (default 90; fault runs: 20)
  --keep-logs                   keep the twin's state dir (logs) after teardown
  --json                        print lab.json-like JSON (with the reports) instead of the table

exit: 0 the gate passed and every row passed (every run); 1 a failure (gate, row, bring-up);
3 inconclusive (nothing failed); 2 usage; 3 also when the machine lacks prerequisites (named).
`;

export async function run(args: string[]): Promise<number> {
  const o: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--") && a !== "-h") {
      process.stderr.write(`dvr-lab lab: unexpected argument ${a}\n${USAGE}`);
      return 2;
    }
    const [k, v] = a.replace(/^--?/, "").split("=", 2);
    if (["keep-logs", "json", "help", "h", "continue-after-gate-failure"].includes(k)) o[k] = true;
    else o[k] = v ?? args[++i] ?? "";
  }
  if (o.help || o.h) {
    process.stdout.write(USAGE);
    return 0;
  }
  const layout = (typeof o.layout === "string" ? o.layout : "reference") as Layout;
  if (!LAYOUTS[layout]) {
    process.stderr.write(`dvr-lab lab: unknown layout "${layout}" (known: ${Object.keys(LAYOUTS).join(", ")})\n`);
    return 2;
  }
  if (typeof o.fault === "string" && !(FAULT_NAMES as readonly string[]).includes(o.fault)) {
    process.stderr.write(`dvr-lab lab: unknown fault "${o.fault}" (known: ${FAULT_NAMES.join(", ")})\n`);
    return 2;
  }
  const window = typeof o.window === "string" ? (o.window as WindowMode) : undefined;
  if (window && window !== "all" && window !== "row") {
    process.stderr.write("dvr-lab lab: --window must be all or row\n");
    return 2;
  }
  const missing = await twinPrerequisites();
  if (missing.length) {
    process.stderr.write(`dvr-lab lab: this machine lacks: ${missing.join(", ")}\n`);
    return 3;
  }

  // Teardown on SIGINT/SIGTERM, whatever phase the run is in.
  let stateDir: string | undefined;
  let stopping: Promise<void> | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = new Promise<void>(() => undefined); // never resolves: done() exits the process
    process.stderr.write(`dvr-lab lab: ${sig}: tearing the twin down\n`);
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
    const log = (l: string) => process.stderr.write(`lab: ${l}\n`);
    const result = await runLab({
      ...(typeof o.stack === "string" ? { stack: JSON.parse(readFileSync(o.stack, "utf8")) as Record<string, unknown> } : { layout }),
      ...(typeof o.fault === "string" ? { fault: o.fault } : {}),
      ...(typeof o.name === "string" ? { name: o.name } : {}),
      ...(typeof o["state-dir"] === "string" ? { stateDir: o["state-dir"] } : {}),
      ...(typeof o["report-dir"] === "string" ? { reportDir: o["report-dir"] } : {}),
      ...(typeof o["converge-timeout"] === "string" ? { convergeTimeoutSeconds: Number(o["converge-timeout"]) } : {}),
      ...(o["continue-after-gate-failure"] ? { continueAfterGateFailure: true } : {}),
      runs: typeof o.runs === "string" ? Math.max(1, Number(o.runs)) : 1,
      keepLogs: !!o["keep-logs"],
      verify: {
        ...(typeof o.pings === "string" ? { pings: Number(o.pings) } : {}),
        ...(window ? { window } : {}),
      },
      log,
      onStateDir: (d) => (stateDir = d),
    });
    if (stopping) await stopping;
    if (o.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    } else {
      for (const l of result.twinRepairs ?? []) process.stdout.write(`twin repaired during bring-up: ${l}\n`);
      if (result.fault) process.stdout.write(`fault injected: ${result.fault.name}: ${result.fault.summary}\n${result.fault.observed.map((l) => `  twin saw: ${l}\n`).join("")}\n`);
      result.reports.forEach((r, i) => {
        if (result.reports.length > 1) process.stdout.write(`=== verifier run ${i + 1} of ${result.reports.length}\n`);
        process.stdout.write(renderText(r) + "\n");
      });
      const sec = result.seconds;
      process.stdout.write(
        `lab ${result.lab}${result.fault ? ` (fault ${result.fault.name})` : ""}: ${result.exitCode === 0 ? "PASS" : result.exitCode === 3 ? "INCONCLUSIVE" : "FAIL"} (exit ${result.exitCode}); ` +
          `${sec.synth !== undefined ? `synth ${sec.synth} s, ` : ""}up ${sec.up ?? "-"} s, verify ${sec.verify.join(" + ") || "-"} s, down ${sec.down ?? "-"} s, total ${sec.total} s; transport ${result.transport}\n`,
      );
    }
    if (result.error) process.stderr.write(`dvr-lab lab: ${result.error}\n`);
    // Interrupted: the signal handler's teardown finishes and exits (130/143), not this path.
    if (stopping) await stopping;
    return result.exitCode;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
