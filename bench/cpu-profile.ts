/**
 * Where a lab run's time goes (`npm run bench -- --twin-only`, the reference row): the CPU seconds
 * every process on the machine used during the run, summed per program (neutron-server's API worker,
 * each agent kind, Keystone, MariaDB, ...), sampled from /proc once a second; and, from the twin's
 * kept neutron-server log, the API calls by kind with their summed server-side time. A 2-core
 * machine running ~60 OpenStack processes is CPU-bound, so these two tables say what to make cheaper.
 */
import { readdirSync, readFileSync } from "fs";
import { basename } from "path";

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64

/** A readable program label for one process (null: a kernel thread or gone). */
export function programLabel(argv: readonly string[]): string | null {
  if (!argv.length) return null;
  // A process that set its title (oslo's setproctitle: "neutron-openvswitch-agent (/usr/bin/python3
  // ... --log-file=/var/log/neutron/neutron-openvswitch-agent.log)") shows it as ONE argument.
  const cmdline = argv.length === 1 && /\s/.test(argv[0]) ? argv[0].split(/\s+/) : argv;
  const joined = cmdline.join(" ");
  // neutron-server renames its workers: "neutron-server: api worker (/usr/bin/python3 ...)".
  const worker = /^(neutron-server|nova-[a-z]+): ([a-z ]+ worker)/.exec(joined);
  if (worker) return `${worker[1]} ${worker[2]}`;
  if (joined.includes("privsep-helper")) return "privsep daemons (agents)";
  if (/uwsgi/.test(cmdline[0])) return /keystone/.test(joined) ? "keystone (uwsgi)" : /placement/.test(joined) ? "placement (uwsgi)" : "uwsgi";
  for (const arg of cmdline.slice(0, 3)) {
    const b = basename(arg);
    const m = /^(neutron-[a-z0-9-]+|nova-[a-z]+|glance-[a-z]+|keystone-[a-z]+|placement-[a-z]+|neutron-db-manage)$/.exec(b);
    if (m) return m[1];
  }
  const b = basename(cmdline[0]);
  if (b === "beam.smp" || b === "erl_child_setup" || b === "epmd" || b === "inet_gethost") return "rabbitmq";
  if (b === "mariadbd" || b === "mysqld") return "mariadb";
  if (b.startsWith("terraform-provider")) return "terraform-provider-openstack";
  if (b === "node") {
    const script = cmdline.slice(1).find((a) => !a.startsWith("-")) ?? "";
    return /cdktf/.test(script) ? "node (cdktf CLI)" : /dvr-lab/.test(script) ? "node (dvr-lab)" : `node (${basename(script)})`;
  }
  if (/^python3/.test(b)) {
    // nova-compute without its package: `python3 -c 'from nova.cmd.compute import main; ...'`.
    const code = /from nova\.cmd\.([a-z_]+) import/.exec(joined);
    if (code) return `nova-${code[1]}`;
    const script = basename(cmdline[1] ?? "");
    return /dvr[-_](lab[-_])?push/.test(joined) ? "config push (python3)" : /openstack/.test(script) ? "openstack client" : `python3 ${script}`;
  }
  if (b === "sshd" || b.startsWith("sshd:")) return "sshd";
  if (b === "bash" || b === "sh") {
    // A script by its name; `bash -c` by the first command of its script (twin, push and verifier
    // steps are `bash -c` snippets).
    if (cmdline[1] === "-c") {
      const first = (cmdline[2] ?? "").split(/[\n;]/).map((x) => x.trim()).find((x) => x && !/^(set|#)/.test(x)) ?? "";
      return `${b} -c (${first.split(/\s/)[0].slice(0, 40)})`;
    }
    return cmdline[1] ? `${b} ${basename(cmdline[1])}` : b;
  }
  return b;
}

function readCmdline(pid: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** utime + stime of a process (clock ticks), or undefined when it is gone. */
function cpuTicks(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

export interface CpuProfile {
  readonly wallSeconds: number;
  /** CPU seconds per program label, highest first. */
  readonly byProgram: readonly { readonly program: string; readonly cpuSeconds: number }[];
  readonly totalCpuSeconds: number;
}

/**
 * Samples every process once a second. A process seen for the first time counts from zero (it
 * started during the run); one that exits between samples loses at most its last second.
 */
export class CpuSampler {
  private readonly seen = new Map<string, { ticks: number }>();
  private readonly totals = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private t0 = 0;
  private baseline = true;

  public start(intervalMs = 1000): void {
    this.t0 = Date.now();
    this.sample();
    this.baseline = false;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  public stop(): CpuProfile {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    const byProgram = [...this.totals.entries()].map(([program, t]) => ({ program, cpuSeconds: t / CLK_TCK })).sort((a, b) => b.cpuSeconds - a.cpuSeconds);
    return { wallSeconds: (Date.now() - this.t0) / 1000, byProgram, totalCpuSeconds: byProgram.reduce((a, b) => a + b.cpuSeconds, 0) };
  }

  private sample(): void {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
      const ticks = cpuTicks(pid);
      if (ticks === undefined) continue;
      // The label is read every time: a child seen between its fork and its exec still shows the
      // parent's command line.
      const label = programLabel(readCmdline(pid));
      let prev = this.seen.get(pid);
      if (!prev) {
        // Processes already running at the start count from then; later ones from their start.
        prev = { ticks: this.baseline ? ticks : 0 };
        this.seen.set(pid, prev);
      }
      if (label && ticks > prev.ticks) this.totals.set(label, (this.totals.get(label) ?? 0) + ticks - prev.ticks);
      prev.ticks = ticks;
    }
  }
}

export interface ApiCallTimes {
  /** "PUT /v2.0/ports/{id}" */
  readonly call: string;
  readonly count: number;
  /** Server-side seconds, summed, and the slowest one. */
  readonly seconds: number;
  readonly maxSeconds: number;
}

/**
 * neutron-server's access log lines (`"GET /v2.0/ports?... HTTP/1.1" status: 200  len: 123 time: 0.05`)
 * grouped by method and path (ids as {id}, the query string dropped), most server time first.
 */
export function apiCallTimes(logText: string): ApiCallTimes[] {
  const acc = new Map<string, { count: number; seconds: number; maxSeconds: number }>();
  for (const m of logText.matchAll(/"(GET|POST|PUT|DELETE) (\S+) HTTP\/1\.1" status: \d+\s+len: \d+ time: ([\d.]+)/g)) {
    const path = m[2].split("?")[0].replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "{id}");
    const call = `${m[1]} ${path}`;
    const t = Number(m[3]);
    const a = acc.get(call) ?? { count: 0, seconds: 0, maxSeconds: 0 };
    a.count++;
    a.seconds += t;
    a.maxSeconds = Math.max(a.maxSeconds, t);
    acc.set(call, a);
  }
  return [...acc.entries()].map(([call, a]) => ({ call, ...a })).sort((a, b) => b.seconds - a.seconds);
}

/** The two tables as markdown: the top programs by CPU, the top Neutron calls by server time. */
export function profileSection(p: CpuProfile, calls: readonly ApiCallTimes[], top = 12): string {
  const pct = (s: number) => `${((100 * s) / p.wallSeconds).toFixed(0)}%`;
  const lines = [
    `CPU used by every process on the machine during the run: ${p.totalCpuSeconds.toFixed(0)} s of ${(2 * p.wallSeconds).toFixed(0)} s available on 2 cores over ${p.wallSeconds.toFixed(0)} s (${((100 * p.totalCpuSeconds) / (2 * p.wallSeconds)).toFixed(0)}% busy on average).`,
    "",
    "| program | CPU s | of one core |",
    "|---|---|---|",
    ...p.byProgram.slice(0, top).map((x) => `| ${x.program} | ${x.cpuSeconds.toFixed(1)} | ${pct(x.cpuSeconds)} |`),
    `| (${Math.max(0, p.byProgram.length - top)} other programs) | ${p.byProgram.slice(top).reduce((a, b) => a + b.cpuSeconds, 0).toFixed(1)} | |`,
  ];
  if (calls.length) {
    const total = calls.reduce((a, b) => a + b.seconds, 0);
    const n = calls.reduce((a, b) => a + b.count, 0);
    lines.push(
      "",
      `Neutron API calls during the run (neutron-server's log: ${n} calls, ${total.toFixed(0)} s of server time summed; calls overlap, one API worker):`,
      "",
      "| call | count | server s (sum) | slowest s |",
      "|---|---|---|---|",
      ...calls.slice(0, top).map((c) => `| \`${c.call}\` | ${c.count} | ${c.seconds.toFixed(1)} | ${c.maxSeconds.toFixed(1)} |`),
    );
  }
  return lines.join("\n");
}
