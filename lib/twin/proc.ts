import { spawn } from "child_process";
import { closeSync, openSync, readFileSync, readdirSync, readlinkSync } from "fs";

/**
 * Process helpers of the twin: enter namespaces, start daemons, wait, find processes by namespace.
 * Commands run through the library's one runner (lib/common/process.ts run / must).
 */

/** argv prefix that enters the mount, net and uts namespaces of a process. */
export function enter(pid: number, ns: { m?: boolean; n?: boolean; u?: boolean } = { m: true, n: true, u: true }): string[] {
  const out = ["nsenter", "-t", String(pid)];
  if (ns.m) out.push("-m");
  if (ns.n) out.push("-n");
  if (ns.u) out.push("-u");
  out.push("--");
  return out;
}

/** Starts a long-lived process detached from us (own session), output to a log file. Returns its PID. */
export function spawnDetached(argv: readonly string[], logFile: string): number {
  const fd = openSync(logFile, "a");
  try {
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ["ignore", fd, fd] });
    child.on("error", () => undefined);
    child.unref();
    if (!child.pid) throw new Error(`cannot start ${argv.join(" ")}`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or the time is up (then throws `what`). */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    }
    await sleep(intervalMs);
  }
}

export function readComm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

export function nsId(pid: number | "self", kind: "net" | "mnt" | "uts"): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/${kind}`);
  } catch {
    return undefined;
  }
}

/** True while the process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Every live process that is a member of one of the given namespaces (ids as "uts:[...]"). */
export function processesIn(namespaces: ReadonlySet<string>): number[] {
  const out: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    for (const kind of ["uts", "net", "mnt"] as const) {
      const id = nsId(pid, kind);
      if (id && namespaces.has(id)) {
        if (alive(pid)) out.push(pid);
        break;
      }
    }
  }
  return out;
}

export function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* gone */
  }
}
