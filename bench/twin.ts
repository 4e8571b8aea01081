/**
 * Part 4 (optional, `npm run bench -- --twin`): lab twin bring-up / verify / teardown of the
 * reference lab, timed, with the machine's peak used memory (MemTotal - MemAvailable) above the
 * baseline sampled every 250 ms (the twin is many processes: MariaDB, RabbitMQ, neutron-server,
 * agents, OVS). Refuses to run (and says why) when not root, when the twin or its prerequisites are
 * missing, or when another twin already runs here (the twins share /run paths and the CPU).
 */
import { spawn } from "child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { usedMemoryKb } from "./machine";

export interface TwinStep {
  readonly step: "up" | "verify" | "down";
  readonly seconds?: number;
  readonly peakMemMiB?: number;
  readonly exitCode?: number;
  readonly note?: string;
}

export interface TwinResult {
  readonly measured: boolean;
  readonly reason?: string;
  readonly steps: TwinStep[];
}

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "dvr-lab.js");

function run(args: string[], log: (l: string) => void): Promise<{ code: number; seconds: number; peakMemMiB?: number; output: string }> {
  const base = usedMemoryKb();
  let peak = base;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
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
      resolve({ code: code ?? 1, seconds, peakMemMiB, output });
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

  const stateDir = mkdtempSync(join(tmpdir(), "dvr-lab-bench-twin-"));
  const where = ["--name", "benchtwin", "--state-dir", stateDir];
  const steps: TwinStep[] = [];
  try {
    log("  twin up --builtin reference ...");
    const up = await run(["twin", "up", "--builtin", "reference", ...where], log);
    steps.push({ step: "up", seconds: up.seconds, peakMemMiB: up.peakMemMiB, exitCode: up.code });
    if (up.code === 0) {
      // The verify step: `dvr-lab verify` against the twin needs the twin's transport; the CLI offers it
      // only when `dvr-lab twin --help` lists a verify subcommand.
      const help = await run(["twin", "--help"], () => undefined);
      if (/^\s+verify\b/m.test(help.output)) {
        log("  twin verify ...");
        const v = await run(["twin", "verify", ...where], log);
        steps.push({ step: "verify", seconds: v.seconds, peakMemMiB: v.peakMemMiB, exitCode: v.code });
      } else {
        steps.push({ step: "verify", note: "not measured: verify is not wired to the twin yet (no `dvr-lab twin verify`; lib/twin/lab-cli.ts TODO)" });
      }
    } else {
      steps.push({ step: "verify", note: `not measured: twin up failed (exit ${up.code})` });
    }
  } finally {
    log("  twin down ...");
    const down = await run(["twin", "down", ...where], log);
    steps.push({ step: "down", seconds: down.seconds, peakMemMiB: down.peakMemMiB, exitCode: down.code });
    rmSync(stateDir, { recursive: true, force: true });
  }
  return { measured: true, steps };
}
