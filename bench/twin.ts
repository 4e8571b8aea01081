/**
 * Part 4 (optional, `npm run bench -- --twin`): every `dvr-lab lab` run the tests make (the reference
 * lab verified twice, the upstream layout, all faults on one deploy), one twin at a time, timed per
 * deploy phase (twin up, init, apply, each fault and undo, verify again, plan again, destroy, twin
 * down) as the run reports them, with the machine's peak used memory
 * (MemTotal - MemAvailable) above the baseline sampled every 250 ms (the twin is many processes: MariaDB, RabbitMQ, neutron-server,
 * agents, OVS). Refuses to run (and says why) when not root, when the twin or its prerequisites are
 * missing, or when another twin already runs here (the twins share /run paths and the CPU).
 */
import { spawn } from "child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "fs";
import { join } from "path";
import { FAULT_NAMES } from "../lib/twin/faults";
import { usedMemoryKb } from "./machine";

export interface TwinStep {
  /** "reference, 2 verifier runs", "upstream layout", "all faults, one deploy" */
  readonly step: string;
  readonly seconds?: number;
  readonly peakMemMiB?: number;
  readonly exitCode?: number;
  readonly note?: string;
  /** The deploy's phases as `dvr-lab lab --json` reports them (s). */
  readonly phases?: { name: string; seconds: number }[];
  readonly verdicts?: string[];
}

export interface TwinResult {
  readonly measured: boolean;
  readonly reason?: string;
  readonly steps: TwinStep[];
}

/** The lab runs the bench times, one twin at a time: what `npm test` runs in test/lab. */
export const LAB_SCENARIOS: { label: string; args: string[] }[] = [
  { label: "reference, 2 verifier runs", args: ["--layout", "reference", "--runs", "2"] },
  { label: "upstream layout", args: ["--layout", "upstream"] },
  { label: "all faults, one deploy", args: ["--fault", FAULT_NAMES.join(",")] },
];

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "dvr-lab.js");

function run(args: string[], log: (l: string) => void): Promise<{ code: number; seconds: number; peakMemMiB?: number; output: string; stdout: string }> {
  const base = usedMemoryKb();
  let peak = base;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stdout = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    const collect = (b: Buffer) => {
      output += b.toString();
      for (const l of b.toString().split("\n")) if (l.trim()) log(`    ${l}`);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setInterval(() => {
      const m = usedMemoryKb();
      if (m !== undefined && (peak === undefined || m > peak)) peak = m;
    }, 250);
    child.on("close", (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const peakMemMiB = base !== undefined && peak !== undefined ? Math.round((peak - base) / 1024) : undefined;
      resolve({ code: code ?? 1, seconds, peakMemMiB, output, stdout });
    });
  });
}

/** PIDs of neutron-server processes already running on this machine (another twin or a real lab). */
export function otherNeutronServers(): number[] {
  const out: number[] = [];
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, "utf8");
      if (cmd.includes("neutron-server")) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

export async function benchTwin(log: (l: string) => void): Promise<TwinResult> {
  const notMeasured = (reason: string): TwinResult => ({ measured: false, reason, steps: [] });
  if (!(typeof process.getuid === "function" && process.getuid() === 0)) return notMeasured("not root (the twin needs uid 0)");
  if (!existsSync(join(ROOT, "dist", "lib", "twin", "cli.js"))) return notMeasured("lib/twin has no CLI (dist/lib/twin/cli.js) yet");
  let prerequisites: string[] = [];
  try {
    const twin = require("../lib/twin/twin") as { twinPrerequisitesSync?: () => string[] };
    prerequisites = twin.twinPrerequisitesSync ? twin.twinPrerequisitesSync() : [];
  } catch (e) {
    return notMeasured(`lib/twin not loadable: ${(e as Error).message.split("\n")[0]}`);
  }
  if (prerequisites.length) return notMeasured(`twin prerequisites missing: ${prerequisites.join(", ")}`);
  const others = otherNeutronServers();
  if (others.length) return notMeasured(`another twin (neutron-server pid ${others.join(", ")}) is running on this machine; not started next to it`);

  const steps: TwinStep[] = [];
  for (const sc of LAB_SCENARIOS) {
    // The default state dir (<package>/.twin/<name>): not under /tmp, which the twin hosts mount over.
    const name = `benchlab-${process.pid}`;
    const stateDir = join(ROOT, ".twin", name);
    try {
      log(`  dvr-lab lab ${sc.args.join(" ")} ...`);
      const r = await run(["lab", ...sc.args, "--json", "--name", name], () => undefined);
      let phases: TwinStep["phases"];
      let verdicts: string[] | undefined;
      try {
        const j = JSON.parse(r.stdout) as { deploy?: { phases: { name: string; seconds: number }[] }; reports: { verdict: string }[] };
        phases = j.deploy?.phases.map((x) => ({ name: x.name, seconds: x.seconds }));
        verdicts = j.reports.map((x) => x.verdict);
      } catch {
        /* no JSON: the exit code says enough */
      }
      log(`    exit ${r.code}, ${r.seconds.toFixed(1)} s${phases ? ` (${phases.map((x) => `${x.name} ${x.seconds} s`).join(", ")})` : ""}`);
      steps.push({ step: sc.label, seconds: r.seconds, peakMemMiB: r.peakMemMiB, exitCode: r.code, ...(phases ? { phases } : {}), ...(verdicts ? { verdicts } : {}) });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return { measured: true, steps };
}
