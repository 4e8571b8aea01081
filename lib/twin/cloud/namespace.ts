import { existsSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { join } from "path";
import { alive, enter, kill, sleep, spawnDetached } from "../proc";
import { run, RunResult } from "../../common/process";

/**
 * The namespace the cloud runs in: the lab twin's controller host (NamespaceRecord: its holder's
 * PID). Every service runs inside it (nsenter) with a clean environment (Debian's python3, not the
 * PATH's pyenv); teardown is by the services' process groups (the twin owns the namespace).
 */

/** The environment of every process started in the namespace. */
export function cleanEnv(extra: Record<string, string> = {}, home = "/root"): Record<string, string> {
  return { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: home, LANG: "C.UTF-8", ...extra };
}

export interface NamespaceRecord {
  readonly pid: number;
  /** "uts:[n]", "net:[n]", "mnt:[n]" of the holder. */
  readonly namespaces: string[];
}

/** argv prefix: inside the namespace, clean environment. */
export function inside(ns: NamespaceRecord, env: Record<string, string> = {}): string[] {
  return [...enter(ns.pid), "/usr/bin/env", "-i", ...Object.entries(cleanEnv(env)).map(([k, v]) => `${k}=${v}`)];
}

export async function runInside(ns: NamespaceRecord, argv: readonly string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return run([...inside(ns, opts.env), ...argv], { input: opts.input, timeoutMs: opts.timeoutMs ?? 300000 });
}

/** The last `n` non-empty lines of a log file, indented for an error message. */
export function logTail(file: string, n = 15): string {
  if (!existsSync(file)) return "    (no log)";
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim());
  return lines.slice(-n).map((l) => `    ${l.length > 400 ? l.slice(0, 400) + "…" : l}`).join("\n") || "    (empty)";
}

/**
 * A one-shot tool (db sync, bootstrap, ...) inside the namespace; its output goes to
 * `<logDir>/<name>.log` (stdout left out with `logStdout: false`, e.g. a dump). Throws naming the
 * tool and the last lines of its log.
 */
export async function tool(
  ns: NamespaceRecord,
  logDir: string,
  name: string,
  argv: readonly string[],
  opts: { env?: Record<string, string>; input?: string; logStdout?: boolean } = {},
): Promise<string> {
  const t = Date.now();
  const r = await runInside(ns, argv, { env: opts.env, input: opts.input });
  const file = join(logDir, `${name}.log`);
  const out = opts.logStdout === false ? `(stdout: ${r.stdout.length} bytes)\n` : r.stdout;
  writeFileSync(file, `$ ${argv.join(" ")}\n${out}${r.stderr}\n(exit ${r.code} after ${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
  if (r.code !== 0) throw new Error(`dvr-lab cloud: ${name} failed (exit ${r.code}); the last lines of ${file}:\n${logTail(file)}`);
  return r.stdout;
}

/** A long-running service inside the namespace, output to `<logDir>/<name>.log`. Returns its PID. */
export function startService(ns: NamespaceRecord, logDir: string, name: string, argv: readonly string[], env: Record<string, string> = {}): number {
  const file = join(logDir, `${name}.log`);
  writeFileSync(file, `$ ${argv.join(" ")}\n`);
  return spawnDetached([...inside(ns, env), ...argv], file);
}

/** The process group of a process (field 5 of /proc/<pid>/stat); undefined when it is gone. */
function pgrpOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
  } catch {
    return undefined;
  }
}

/** Every live process whose process group is one of `groups` (a detached service and its workers). */
export function processesInGroups(groups: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const g = pgrpOf(pid);
    if (g !== undefined && groups.has(g) && alive(pid)) out.push(pid);
  }
  return out;
}

/**
 * Kills the process groups of a hosted cloud's services (SIGTERM, then SIGKILL after `graceMs`):
 * the namespace is the lab twin's and stays. Returns the processes left (empty).
 */
export async function killGroups(groups: ReadonlySet<number>, graceMs = 2000): Promise<{ killed: number; leftovers: number[] }> {
  const killed = new Set(processesInGroups(groups));
  killed.forEach((p) => kill(p, "SIGTERM"));
  const graceEnd = Date.now() + graceMs;
  while (Date.now() < graceEnd && processesInGroups(groups).length) await sleep(100);
  const hardEnd = Date.now() + 6000;
  for (;;) {
    const left = processesInGroups(groups);
    if (!left.length || Date.now() > hardEnd) break;
    left.forEach((p) => {
      killed.add(p);
      kill(p, "SIGKILL");
    });
    await sleep(100);
  }
  return { killed: killed.size, leftovers: processesInGroups(groups) };
}
