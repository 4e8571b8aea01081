/**
 * Test doubles: a Neutron API answering from recorded JSON, and a transport that REPLAYS recorded
 * node outputs (this is a unit-test harness, not a lab).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { detachedBackground } from "../../lib/verify/shell";
import type { BackgroundJob, BackgroundOptions, Command, NeutronApi, RunOptions, RunResult, Transport } from "../../lib/verify/types";
import type { LabDescription } from "../../lib/model/topology";

export const FIXTURES = path.join(__dirname, "fixtures");
export const SEED = path.join(FIXTURES, "seed");

export function fixture(rel: string): string {
  return fs.readFileSync(path.join(FIXTURES, rel), "utf8");
}

export function seedDescription(): LabDescription {
  return JSON.parse(fixture("description.json"));
}

function jsonList(file: string, key: string): Record<string, unknown>[] {
  const p = path.join(SEED, "neutron", file);
  return fs.existsSync(p) ? (JSON.parse(fs.readFileSync(p, "utf8"))[key] as Record<string, unknown>[]) : [];
}

/** Every port of the recorded seed/neutron/ports-*.json files. */
function recordedPorts(): Record<string, unknown>[] {
  return fs.readdirSync(path.join(SEED, "neutron")).filter((f) => f.startsWith("ports-")).flatMap((f) => jsonList(f, "ports"));
}

export class FakeNeutron implements NeutronApi {
  public calls: string[] = [];
  constructor(private readonly agentsFile = "agents.json", private readonly patch: (kind: string, objs: Record<string, unknown>[]) => Record<string, unknown>[] = (_, o) => o) {}
  /** Live agents report: each list shows a newer heartbeat than the one before (awaitAgentReports waits for one). */
  private lists = 0;
  async listAgents() {
    this.calls.push("agents");
    const n = this.lists++;
    const agents = jsonList(this.agentsFile, "agents").map((a) => (typeof a.heartbeat_timestamp === "string" ? { ...a, heartbeat_timestamp: `${a.heartbeat_timestamp}+${n}` } : a));
    return this.patch("agents", agents);
  }
  async routersByName(name: string) {
    this.calls.push(`routers?name=${name}`);
    return this.patch("routers", jsonList(`routers-${name}.json`, "routers"));
  }
  async networksByName(name: string) {
    this.calls.push(`networks?name=${name}`);
    return this.patch("networks", jsonList(`networks-${name}.json`, "networks"));
  }
  async subnetsByName(name: string) {
    this.calls.push(`subnets?name=${name}`);
    return this.patch("subnets", jsonList(`subnets-${name}.json`, "subnets"));
  }
  async portsByFixedIp(ip: string, subnetId: string) {
    this.calls.push(`ports?ip=${ip}`);
    return this.patch(
      "ports",
      recordedPorts().filter((p) => (p.fixed_ips as { ip_address: string; subnet_id: string }[]).some((x) => x.ip_address === ip && x.subnet_id === subnetId)),
    );
  }
  async portsOfDevice(deviceId: string) {
    this.calls.push(`ports?device_id=${deviceId}`);
    return this.patch("router-ports", recordedPorts().filter((p) => p.device_id === deviceId));
  }
}

export interface RecordedCommand {
  readonly host: string;
  readonly kind: string;
  readonly text: string;
}

/**
 * Replays seed/<host>/<file>.txt by the probe kind named in the script's first line
 * (`# dvr-lab:<kind>`). Background jobs go through the real `detachedBackground` wrapper: the
 * replay answers its start and stop scripts.
 */
export class ReplayTransport implements Transport {
  public readonly commands: RecordedCommand[] = [];
  private readonly counterReads = new Map<string, number>();
  private readonly jobs = new Map<string, string>();
  private jobSeq = 0;

  constructor(
    private readonly dir = SEED,
    /** Lets a test alter a replayed output: (host, kind, stdout) -> stdout. */
    private readonly edit: (host: string, kind: string, out: string, text: string) => RunResult | string = (_h, _k, out) => out,
  ) {}

  private file(host: string, name: string): string {
    const p = path.join(this.dir, host, name);
    return fs.existsSync(p) ? fs.readFileSync(p, "utf8") : "";
  }

  async run(host: string, command: Command, _opts?: RunOptions): Promise<RunResult> {
    const text = "script" in command ? command.script : (command as readonly string[]).join(" ");
    const kind = /^# dvr-lab:(\S+)/.exec(text)?.[1] ?? "argv";
    this.commands.push({ host, kind, text });
    let out = "";
    switch (kind) {
      case "snapshot":
        out = this.file(host, "snapshot.txt");
        break;
      case "counters": {
        const n = this.counterReads.get(host) ?? 0;
        this.counterReads.set(host, n + 1);
        out = this.file(host, n % 2 === 0 ? "counters-before.txt" : "counters-after.txt");
        break;
      }
      case "ping":
        out = this.file(host, / -c 1 /.test(text) ? "warmup.txt" : "pings.txt");
        break;
      case "background-start": {
        const id = `/tmp/dvr-lab-job.fake${++this.jobSeq}`;
        this.jobs.set(id, text);
        out = `DVRLAB_JOB ${id}\nDVRLAB_READY\n`;
        break;
      }
      case "background-stop": {
        const id = /d=(\/tmp\/dvr-lab-job\.\S+)/.exec(text)?.[1] ?? "";
        out = this.jobs.has(id) ? this.file(host, "capture.txt") : "";
        break;
      }
      default:
        return { code: 127, stdout: "", stderr: `replay: no recording for ${kind}` };
    }
    const edited = this.edit(host, kind, out, text);
    return typeof edited === "string" ? { code: 0, stdout: edited, stderr: "" } : edited;
  }

  startBackground(host: string, script: string, opts: BackgroundOptions): Promise<BackgroundJob> {
    return detachedBackground(this, host, script, opts);
  }

  /** The script of the capture job started on a host (from the background wrapper). */
  captureJob(host: string): string | undefined {
    return this.commands.find((c) => c.host === host && c.kind === "background-start")?.text;
  }
}
