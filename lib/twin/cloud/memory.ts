import { readFileSync } from "fs";

/**
 * Memory of a set of processes: the sum of PSS (shared pages split between their users, so Python
 * libraries mapped by every service count once) and the sum of RSS (counts shared pages per
 * process: an upper bound), from /proc. tmpfs pages (MariaDB's datadir, RabbitMQ's mnesia) are not
 * in any process's PSS: the caller adds the namespace's tmpfs use.
 */
export interface MemorySample {
  readonly processes: number;
  readonly pssMiB: number;
  readonly rssMiB: number;
}

function kib(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

export function memoryOf(pids: readonly number[]): MemorySample {
  let pss = 0;
  let rss = 0;
  let n = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
      pss += kib(rollup, "Pss");
      rss += kib(rollup, "Rss");
      n++;
    } catch {
      /* gone */
    }
  }
  return { processes: n, pssMiB: Math.round(pss / 1024), rssMiB: Math.round(rss / 1024) };
}

/** utime+stime (+ cutime+cstime: reaped children) of a process, in seconds; 0 when it is gone. */
export function cpuSecondsOf(pid: number | "self", withChildren = true): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14-17 of proc(5) (utime, stime, cutime, cstime) are 11-14 after the state field.
    const ticks = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
    return ticks / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)). */
export const CLOCK_TICKS = 100;

/** Reaped children's CPU of this process (the bring-up's one-shot tools: db syncs, bootstrap, ...). */
export function childrenCpuSeconds(): number {
  return cpuSecondsOf("self") - cpuSecondsOf("self", false);
}
