/**
 * One measured synth, in a fresh process: `node dist/bench/synth-one.js <size> <mode>`
 *   size: "reference" | number of dvr computes (bench/shape.ts)
 *   mode: "constructs" (DvrLab) | "raw" (bench/raw-lab.ts)
 * Prints one JSON line (SynthSample). Timed: build = constructing the stack, synth = app.synth()
 * writing cdk.tf.json into a temp outdir (removed afterwards). Module loading is reported apart.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import type { App as AppType } from "cdktf";
import type { Construct } from "constructs";
import { parseSize } from "./shape";

export interface SynthSample {
  readonly size: string;
  readonly mode: "constructs" | "raw";
  /** Node start until this script ran (ms). */
  readonly bootMs: number;
  /** require() of cdktf and the lab code (ms). */
  readonly loadMs: number;
  /** Constructing the stack (ms). */
  readonly buildMs: number;
  /** app.synth() incl. validation and writing cdk.tf.json (ms). */
  readonly synthMs: number;
  /** CPU time (user + system, all threads of the process) of build + synth (ms): less sensitive to a busy machine. */
  readonly cpuMs: number;
  /** Peak resident set size of this process (KiB, process.resourceUsage().maxRSS). */
  readonly maxRssKb: number;
  /** VmHWM from /proc/self/status (KiB), a cross-check of maxRSS. */
  readonly vmHwmKb?: number;
  readonly bytes: number;
  readonly resources: number;
  readonly resourcesByType: Record<string, number>;
  readonly dataSources: number;
}

function vmHwm(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function main(): void {
  const tStart = performance.now();
  const [sizeArg, modeArg] = process.argv.slice(2);
  const size = parseSize(sizeArg);
  if (modeArg !== "constructs" && modeArg !== "raw") throw new Error(`mode must be constructs or raw, got ${modeArg}`);
  const mode = modeArg;

  // Loaded here (not at the top) so that the load cost is measured apart from the synth.
  const { App } = require("cdktf") as { App: typeof AppType };
  const build: (scope: Construct, s: typeof size) => unknown =
    mode === "raw" ? require("./raw-lab").buildRawLab : require("./constructs-lab").buildConstructsLab;
  const tLoaded = performance.now();
  const cpu0 = process.cpuUsage();

  const outdir = mkdtempSync(join(tmpdir(), "dvr-lab-bench-"));
  try {
    const app = new App({ outdir });
    build(app, size);
    const tBuilt = performance.now();
    app.synth();
    const tSynth = performance.now();
    const cpu = process.cpuUsage(cpu0);
    const maxRssKb = process.resourceUsage().maxRSS;
    const vmHwmKb = vmHwm();

    let bytes = 0;
    let dataSources = 0;
    const resourcesByType: Record<string, number> = {};
    const stacks = join(outdir, "stacks");
    for (const stack of readdirSync(stacks)) {
      const file = join(stacks, stack, "cdk.tf.json");
      bytes += statSync(file).size;
      const doc = JSON.parse(readFileSync(file, "utf8"));
      for (const [type, byName] of Object.entries<Record<string, unknown>>(doc.resource ?? {})) {
        resourcesByType[type] = (resourcesByType[type] ?? 0) + Object.keys(byName).length;
      }
      for (const byName of Object.values<Record<string, unknown>>(doc.data ?? {})) dataSources += Object.keys(byName).length;
    }
    const sample: SynthSample = {
      size: String(size),
      mode,
      bootMs: tStart,
      loadMs: tLoaded - tStart,
      buildMs: tBuilt - tLoaded,
      synthMs: tSynth - tBuilt,
      cpuMs: (cpu.user + cpu.system) / 1000,
      maxRssKb,
      ...(vmHwmKb !== undefined ? { vmHwmKb } : {}),
      bytes,
      resources: Object.values(resourcesByType).reduce((a, b) => a + b, 0),
      resourcesByType,
      dataSources,
    };
    process.stdout.write(JSON.stringify(sample) + "\n");
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

main();
