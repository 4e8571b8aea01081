import { readFileSync } from "fs";
import * as os from "os";

export interface MachineInfo {
  readonly cpuModel: string;
  readonly nproc: number;
  readonly memTotalMiB: number;
  readonly node: string;
  readonly platform: string;
  readonly kernel: string;
  readonly date: string;
  readonly root: boolean;
  readonly loadavg: readonly number[];
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) cpuModel = m[1].trim();
  } catch {
    /* not Linux: os.cpus() */
  }
  return {
    cpuModel,
    nproc: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    memTotalMiB: Math.round(os.totalmem() / 2 ** 20),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
    date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    root: typeof process.getuid === "function" && process.getuid() === 0,
    loadavg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Used memory of the whole machine (MemTotal - MemAvailable), KiB; undefined off Linux. */
export function usedMemoryKb(): number | undefined {
  try {
    const text = readFileSync("/proc/meminfo", "utf8");
    const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
    const v = get("MemTotal") - get("MemAvailable");
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
