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
import type { BringUpMeasure } from "./bring-up-one";
import { apiCallTimes, CpuSampler, profileSection } from "./cpu-profile";
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
  /** Where the time went (the profiled scenario only): CPU per program and Neutron calls, markdown. */
  readonly profile?: string;
}

export interface TwinResult {
  readonly measured: boolean;
  readonly reason?: string;
  readonly steps: TwinStep[];
}

/** The lab runs the bench times, one twin at a time: what `npm test` runs in test/lab. */
export const LAB_SCENARIOS: { label: string; args: string[]; profile?: boolean }[] = [
  { label: "reference, 2 verifier runs", args: ["--layout", "reference", "--runs", "2"], profile: true },
  { label: "upstream layout", args: ["--layout", "upstream"] },
  { label: "all faults, one deploy", args: ["--fault", FAULT_NAMES.join(",")] },
];

const ROOT = join(__dirname, "..", "..");
const CLI = join(ROOT, "bin", "dvr-lab.js");

function run(
  args: string[],
  log: (l: string) => void,
  opts: { script?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; seconds: number; peakMemMiB?: number; output: string; stdout: string }> {
  const base = usedMemoryKb();
  let peak = base;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [opts.script ?? CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
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
  if (!existsSync(join(ROOT, "dist", "lib", "twin", "cli.js"))) return notMeasured("lib/twin has no CLI (dist/lib/twin/cli.js) yet");
  const pre = await benchTwinPreflight();
  if (pre) return notMeasured(pre);

  const steps: TwinStep[] = [];
  for (const sc of LAB_SCENARIOS) {
    // The default state dir (<package>/.twin/<name>): not under /tmp, which the twin hosts mount over.
    const name = `benchlab-${process.pid}`;
    const stateDir = join(ROOT, ".twin", name);
    try {
      log(`  dvr-lab lab ${sc.args.join(" ")} ...`);
      const sampler = sc.profile ? new CpuSampler() : undefined;
      sampler?.start();
      // The profiled run keeps the twin's logs (neutron-server's access log); removed below.
      const r = await run(["lab", ...sc.args, "--json", "--name", name, ...(sc.profile ? ["--keep-logs"] : [])], () => undefined);
      const profile = sampler ? profileSection(sampler.stop(), apiCallTimes(neutronServerLog(stateDir))) : undefined;
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
      steps.push({ step: sc.label, seconds: r.seconds, peakMemMiB: r.peakMemMiB, exitCode: r.code, ...(phases ? { phases } : {}), ...(verdicts ? { verdicts } : {}), ...(profile ? { profile } : {}) });
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return { measured: true, steps };
}

/** Every service log of a kept twin state dir (`hosts/<host>/log/<service>.log`), by host then name. */
function hostLogs(stateDir: string): { host: string; service: string; file: string }[] {
  const hostsDir = join(stateDir, "hosts");
  if (!existsSync(hostsDir)) return [];
  return readdirSync(hostsDir)
    .sort()
    .flatMap((host) => {
      const logDir = join(hostsDir, host, "log");
      if (!existsSync(logDir)) return [];
      return readdirSync(logDir)
        .filter((x) => x.endsWith(".log"))
        .sort()
        .map((f) => ({ host, service: f.replace(/\.log$/, ""), file: join(logDir, f) }));
    });
}

/** neutron-server's log of a kept twin state dir (its controller host's), or "" when there is none. */
function neutronServerLog(stateDir: string): string {
  const f = hostLogs(stateDir).find((l) => l.service === "neutron-server");
  return f ? readFileSync(f.file, "utf8") : "";
}

/** What a twin's kept logs show that explains (or threatens) a run: one line per host, service and signature. */
export interface LogFinding {
  readonly host: string;
  readonly service: string;
  readonly signature: string;
  readonly count: number;
}

/**
 * The failure signatures the twin has met, read from a kept state dir's `hosts/<host>/log/*.log`:
 * the eventlet/oslo.privsep race (docs/TWIN.md "Why one privsep worker thread"), an agent's
 * CRITICAL, an unhandled ERROR traceback. "Premature eof" alone is also what the teardown's kill of
 * the privsep daemons leaves in a busy agent's log, so it is reported, not judged.
 */
export const LOG_SIGNATURES: readonly { readonly name: string; readonly re: RegExp }[] = [
  { name: "privsep race (greenlet.error: cannot switch to a different thread)", re: /greenlet\.error: cannot switch to a different thread/ },
  { name: "privsep daemon gone (Premature eof; also left by the teardown)", re: /Premature eof waiting for privileged process/ },
  { name: "CRITICAL", re: / CRITICAL / },
];

export function logFindings(stateDir: string): LogFinding[] {
  const out: LogFinding[] = [];
  for (const { host, service, file } of hostLogs(stateDir)) {
    const text = readFileSync(file, "utf8");
    for (const s of LOG_SIGNATURES) {
      const count = text.split("\n").filter((l) => s.re.test(l)).length;
      if (count) out.push({ host, service, signature: s.name, count });
    }
  }
  return out;
}

export interface RepeatRun {
  readonly run: number;
  readonly exitCode: number;
  readonly seconds: number;
  readonly error?: string;
  readonly verdicts?: string[];
  readonly findings: LogFinding[];
}

export interface RepeatResult {
  readonly measured: boolean;
  readonly reason?: string;
  readonly layout: string;
  readonly runs: RepeatRun[];
}

/**
 * `npm run bench -- --repeat N [--layout L]` (issue 13, reliability): the whole lab run N times in a
 * row, each with its logs kept until they are read: exit code, time, the run's own error, and the
 * signatures found in the services' logs, so that a failure comes with its cause and a rare one
 * stays visible. Stops nothing on a failure: the count of consecutive passes is the figure.
 */
export async function repeatLab(n: number, layout: string, log: (l: string) => void): Promise<RepeatResult> {
  const pre = await benchTwinPreflight();
  if (pre) return { measured: false, reason: pre, layout, runs: [] };
  const runs: RepeatRun[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `benchrepeat-${process.pid}-${i}`;
    const stateDir = join(ROOT, ".twin", name);
    try {
      log(`  [${i}/${n}] dvr-lab lab --layout ${layout} ...`);
      const r = await run(["lab", "--layout", layout, "--json", "--name", name, "--keep-logs"], () => undefined);
      let error: string | undefined;
      let verdicts: string[] | undefined;
      try {
        const j = JSON.parse(r.stdout) as { error?: string; reports: { verdict: string }[] };
        error = j.error;
        verdicts = j.reports.map((x) => x.verdict);
      } catch {
        error = r.code === 0 ? undefined : r.output.trim().split("\n").slice(-1)[0];
      }
      const findings = logFindings(stateDir);
      runs.push({ run: i, exitCode: r.code, seconds: r.seconds, ...(error ? { error } : {}), ...(verdicts ? { verdicts } : {}), findings });
      log(`    exit ${r.code}, ${r.seconds.toFixed(1)} s${error ? `: ${error.split("\n")[0].slice(0, 200)}` : ""}${findings.length ? `; logs: ${findings.map((f) => `${f.host} ${f.service}: ${f.signature} x${f.count}`).join("; ")}` : ""}`);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return { measured: true, layout, runs };
}

export interface BringUpRun extends Omit<BringUpMeasure, "stateDir"> {
  readonly run: number;
  readonly exitCode: number;
  /** The child process's wall time (synth of the layout, up, the seed's check, down). */
  readonly seconds: number;
  readonly peakMemMiB?: number;
  readonly findings: LogFinding[];
}

export interface BringUpRepeat {
  readonly measured: boolean;
  readonly reason?: string;
  readonly layout: string;
  readonly runs: BringUpRun[];
}

/**
 * `npm run bench -- --repeat N --bring-up [--layout L]` (issue 13: reliability and the cloud's speed
 * targets): the bare cloud twin brought up N times in a row, each in its own process
 * (bench/bring-up-one.ts): up, the seed's check with the real client, down; the first one cold
 * (DVR_LAB_CLOUD_COLD=1: every migration runs and the cache is stored afresh), the others with the
 * migrations restored. Per run: up and down seconds, the twin's milestones, the machine's peak used
 * memory above the baseline, and the failure signatures in every service's log.
 */
export async function repeatBringUp(n: number, layout: string, log: (l: string) => void): Promise<BringUpRepeat> {
  const pre = await benchTwinPreflight();
  if (pre) return { measured: false, reason: pre, layout, runs: [] };
  const runs: BringUpRun[] = [];
  for (let i = 1; i <= n; i++) {
    const name = `benchbringup-${process.pid}-${i}`;
    const stateDir = join(ROOT, ".twin", name);
    const cold = i === 1;
    try {
      log(`  [${i}/${n}] cloud twin bring-up (${layout}${cold ? ", cold: migrations run" : ""}) ...`);
      const r = await run([layout, name], () => undefined, { script: join(ROOT, "dist", "bench", "bring-up-one.js"), ...(cold ? { env: { DVR_LAB_CLOUD_COLD: "1" } } : {}) });
      let m: Partial<BringUpMeasure> = {};
      try {
        m = JSON.parse(r.stdout.trim().split("\n").slice(-1)[0]) as BringUpMeasure;
      } catch {
        m = { ok: false, error: r.output.trim().split("\n").slice(-1)[0] };
      }
      const findings = logFindings(stateDir);
      const ok = r.code === 0 && m.ok === true;
      const { stateDir: _sd, ...fields } = m;
      void _sd;
      runs.push({ ...fields, ok, run: i, exitCode: ok ? 0 : r.code || 1, seconds: r.seconds, ...(r.peakMemMiB !== undefined ? { peakMemMiB: r.peakMemMiB } : {}), findings });
      log(
        `    ${ok ? "ok" : "FAILED"}: up ${m.upSeconds?.toFixed(1) ?? "?"} s${m.cached === false ? " (cold)" : ""}, down ${m.downSeconds?.toFixed(1) ?? "?"} s, ` +
          `agents ${m.agents ? `${m.agents.aliveUp}/${m.agents.rows} alive+UP` : "?"}, peak ${r.peakMemMiB ?? "?"} MiB${m.error ? `: ${m.error.split("\n")[0].slice(0, 200)}` : ""}` +
          `${findings.length ? `; logs: ${findings.map((f) => `${f.host} ${f.service}: ${f.signature} x${f.count}`).join("; ")}` : ""}`,
      );
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return { measured: true, layout, runs };
}

/** The longest run of consecutive passes. */
export function longestStreak(passed: readonly boolean[]): number {
  let streak = 0;
  let best = 0;
  for (const p of passed) {
    streak = p ? streak + 1 : 0;
    best = Math.max(best, streak);
  }
  return best;
}

const median = (xs: number[]): number | undefined => {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** The cloud's targets (issue 13) judged on a bring-up repeat: [target, measured, pass]. */
export function bringUpTargets(r: BringUpRepeat): [string, string, boolean][] {
  const ok = r.runs.filter((x) => x.ok);
  const cold = ok.filter((x) => x.cached === false).map((x) => x.upSeconds!);
  const cached = ok.filter((x) => x.cached === true).map((x) => x.upSeconds!);
  const downs = ok.map((x) => x.downSeconds!).filter((x) => x !== undefined);
  const peak = Math.max(...r.runs.map((x) => x.peakMemMiB ?? 0));
  const best = longestStreak(r.runs.map((x) => x.ok));
  const f = (x: number | undefined) => (x === undefined ? "not measured" : `${x.toFixed(1)} s`);
  const mc = median(cached);
  return [
    ["cloud up, cold (migrations run) < 120 s", `${f(cold[0])}`, cold.length > 0 && cold[0] < 120],
    ["cloud up, cached migrations < 75 s (median)", `${f(mc)} (${cached.length} runs, max ${f(cached.length ? Math.max(...cached) : undefined)})`, mc !== undefined && mc < 75],
    ["moonshot: cloud up <= 45 s (cached, median)", f(mc), mc !== undefined && mc <= 45],
    ["down < 10 s (max)", f(downs.length ? Math.max(...downs) : undefined), downs.length > 0 && Math.max(...downs) < 10],
    ["peak memory < 6 GiB (machine's used memory above the baseline, max)", `${peak} MiB`, peak > 0 && peak < 6 * 1024],
    ["20 consecutive bring-ups without a failure", `${best} consecutive of ${r.runs.length}`, best >= 20],
  ];
}

/** BENCHMARKS.md's "Cloud twin bring-up, repeated" section. */
export function bringUpSection(r: BringUpRepeat, date: string): string {
  const head = "## Cloud twin bring-up, repeated\n\n";
  if (!r.measured) return `${head}Not measured: ${r.reason}.\n\n`;
  const targets = bringUpTargets(r)
    .map(([t, m, p]) => `| ${t} | ${m} | ${p ? "pass" : "**miss**"} |`)
    .join("\n");
  const rows = r.runs.map((x) => {
    const judged = x.findings.filter((f) => !f.signature.startsWith("privsep daemon gone"));
    const logs = x.findings.length ? x.findings.map((f) => `${f.host} ${f.service}: ${f.signature} x${f.count}`).join("; ") : "none";
    const result = x.ok ? "PASS" : `FAIL: ${(x.error ?? `exit ${x.exitCode}`).split("\n")[0].slice(0, 160)}`;
    const n = (v: number | undefined) => (v === undefined ? "" : v.toFixed(1));
    return `| ${x.run} | ${result} | ${x.cached === false ? "cold" : x.cached ? "cached" : "?"} | ${n(x.upSeconds)} | ${n(x.cloudUpSeconds)} | ${n(x.downSeconds)} | ${x.agents ? `${x.agents.aliveUp}/${x.agents.rows}` : ""} | ${x.peakMemMiB ?? ""} | ${judged.length ? "**" : ""}${logs}${judged.length ? "**" : ""} |`;
  });
  // The milestones of the cold run and of the median cached one: where the time goes.
  const ok = r.runs.filter((x) => x.ok && x.timings);
  const cold = ok.find((x) => x.cached === false);
  const cachedRuns = ok.filter((x) => x.cached === true).sort((a, b) => a.upSeconds! - b.upSeconds!);
  const mid = cachedRuns[Math.floor((cachedRuns.length - 1) / 2)];
  const phaseRows: string[] = [];
  const keys = [...new Set([...(cold ? Object.keys(cold.timings!) : []), ...(mid ? Object.keys(mid.timings!) : [])])];
  for (const k of keys) phaseRows.push(`| ${k} | ${cold?.timings?.[k] ?? ""} | ${mid?.timings?.[k] ?? ""} |`);
  return (
    head +
    `The bare cloud twin (${r.layout} layout) brought up ${r.runs.length} times in a row, each in its own process, by ` +
    `\`npm run bench -- --repeat ${r.runs.length} --bring-up --layout ${r.layout}\` (bench/bring-up-one.ts), measured ${date}: ` +
    "host namespaces, OVS, MariaDB, RabbitMQ, Keystone, Glance, Placement, Nova (fake driver), neutron-server and its agents on the site settings, " +
    "the external network (what `twin up` and `dvr-lab lab` start before Terraform), then the seed's own check with the real client " +
    "(`openstack network agent list`: every agent alive and UP), then `twin down`. Run 1 is cold (every migration runs, the cache is stored afresh); " +
    "the others restore the migrations. Memory: the machine's used memory above the value before the run, peak of 250 ms samples. " +
    "Logs: the failure signatures found in every service's log (bold: a failure signature; \"privsep daemon gone\" is also what the teardown leaves).\n\n" +
    `| target | measured | result |\n|---|---|---|\n${targets}\n\n` +
    `| run | result | migrations | up (s) | of which the cloud's part (s) | down (s) | agents alive+UP | peak MiB | signatures in the logs |\n|---|---|---|---|---|---|---|---|---|\n${rows.join("\n")}\n\n` +
    (phaseRows.length ? `Milestones (s since the bring-up began), the cold run${cold ? ` (run ${cold.run})` : ""} and the median cached run${mid ? ` (run ${mid.run})` : ""}:\n\n| milestone | cold | cached |\n|---|---|---|\n${phaseRows.join("\n")}\n\n` : "")
  );
}

/** Why the twin cannot be benchmarked here now (undefined: it can). */
async function benchTwinPreflight(): Promise<string | undefined> {
  if (!(typeof process.getuid === "function" && process.getuid() === 0)) return "not root (the twin needs uid 0)";
  try {
    const twin = require("../lib/twin/twin") as { twinPrerequisitesSync?: () => string[] };
    const missing = twin.twinPrerequisitesSync ? twin.twinPrerequisitesSync() : [];
    if (missing.length) return `twin prerequisites missing: ${missing.join(", ")}`;
  } catch (e) {
    return `lib/twin not loadable: ${(e as Error).message.split("\n")[0]}`;
  }
  const others = otherNeutronServers();
  if (others.length) return `another twin (neutron-server pid ${others.join(", ")}) is running on this machine; not started next to it`;
  return undefined;
}

/** BENCHMARKS.md's "Lab twin, repeated" section. */
export function repeatSection(r: RepeatResult, date: string): string {
  const head = "## Lab twin, repeated\n\n";
  if (!r.measured) return `${head}Not measured: ${r.reason}.\n\n`;
  const ok = r.runs.filter((x) => x.exitCode === 0).length;
  const best = longestStreak(r.runs.map((x) => x.exitCode === 0));
  const rows = r.runs.map((x) => {
    const judged = x.findings.filter((f) => !f.signature.startsWith("privsep daemon gone"));
    const logs = x.findings.length ? x.findings.map((f) => `${f.host} ${f.service}: ${f.signature} x${f.count}`).join("; ") : "none";
    const result = x.exitCode === 0 ? "PASS" : `FAIL (exit ${x.exitCode}): ${(x.error ?? "").split("\n")[0].slice(0, 160)}`;
    return `| ${x.run} | ${result} | ${x.seconds.toFixed(1)} | ${judged.length ? "**" : ""}${logs}${judged.length ? "**" : ""} |`;
  });
  return (
    head +
    `\`dvr-lab lab --layout ${r.layout}\` ${r.runs.length} times in a row (\`npm run bench -- --repeat ${r.runs.length} --layout ${r.layout}\`), measured ${date}: ` +
    `${ok} of ${r.runs.length} passed, longest run of consecutive passes ${best}. Logs: the signatures found in the services' logs of that run (bold: a failure signature).\n\n` +
    `| run | result | s | signatures in the logs |\n|---|---|---|---|\n${rows.join("\n")}\n\n`
  );
}
