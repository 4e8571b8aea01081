import { existsSync, readFileSync } from "fs";

/** Synchronous sleep (the real tests drive blocking child processes). */
export function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** kill -0 (a zombie, dead but not yet reaped, counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** Polls kill -0 until the process is gone; returns false on timeout. */
export function waitGone(pid: number, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    sleepMs(50);
  }
  return true;
}

/** SIGTERM, wait (kill -0 polling), then SIGKILL if it is still there. */
export function killAndWait(pid: number, graceMs: number): void {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  if (waitGone(pid, graceMs)) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  waitGone(pid, 5000);
}

export function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * A machine-wide lock for the real tests (they share /etc/neutron, the agents' pidfiles and port
 * 6640): waits while another live process holds it, takes over a lock whose holder is gone.
 */
export function acquireLock(path: string, timeoutMs: number): () => void {
  const { openSync, writeSync, closeSync, unlinkSync } = require("fs") as typeof import("fs");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(path, "wx", 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        if (readPid(path) === process.pid) unlinkSync(path);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const holder = readPid(path);
    if (holder === undefined || !isAlive(holder)) {
      try {
        unlinkSync(path);
      } catch {
        // someone else took it over
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${path} is held by live process ${holder} (another run of the real push tests?)`);
    sleepMs(500);
  }
}
