import { join } from "path";
import type { VmModel } from "../model/topology";
import type {
  AccessInfo,
  BackgroundJob,
  BackgroundOptions,
  Command,
  RunOptions,
  RunResult,
  Transport,
} from "../verify/types";
import { alive, enter } from "./proc";
import { run } from "../common/process";
import { loadState, TwinState } from "./twin";

/**
 * Runs commands on twin hosts and inside twin VMs, for the verifier (implements lib/verify's
 * `Transport`). Hosts are entered with `nsenter -t <holder PID> -m -n -u` (no SSH needed); a VM is
 * its own network namespace inside its host (`nsenter -t <VM PID> -n`, same mount/uts as its host).
 * Works from any process that can read the twin's state dir (root).
 */
export class TwinTransport implements Transport {
  public readonly state: TwinState;

  constructor(stateDirOrState: string | TwinState) {
    const st = typeof stateDirOrState === "string" ? loadState(stateDirOrState) : stateDirOrState;
    if (!st) throw new Error(`dvr-lab twin: no twin state in ${String(stateDirOrState)}`);
    this.state = st;
  }

  private hostPid(host: string): number {
    const h = this.state.hosts[host];
    if (!h) throw new Error(`dvr-lab twin: unknown host ${host} (hosts: ${Object.keys(this.state.hosts).join(", ")})`);
    if (!alive(h.pid)) throw new Error(`dvr-lab twin: host ${host} is not running (holder ${h.pid} gone)`);
    return h.pid;
  }

  /** Runs an argv, or a POSIX sh script (fed to `sh -s`), as root inside the host. */
  public async run(host: string, command: Command, opts: RunOptions = {}): Promise<RunResult> {
    const pid = this.hostPid(host);
    const timeoutMs = opts.timeoutMs ?? 60000;
    const argv = "script" in command ? [...enter(pid), "sh", "-s"] : [...enter(pid), ...command];
    const input = "script" in command ? command.script : undefined;
    const t = Date.now();
    const r = await run(argv, { input, timeoutMs });
    const timedOut = Date.now() - t >= timeoutMs && r.code !== 0;
    return timedOut ? { code: 124, stdout: r.stdout, stderr: r.stderr, timedOut: true } : r;
  }

  /** argv prefix that enters a VM's network namespace FROM INSIDE its host (for NamespaceVmExecutor). */
  public vmPrefix(vm: string): string[] {
    const v = this.state.vms[vm];
    if (!v) throw new Error(`dvr-lab twin: unknown VM ${vm}`);
    return ["nsenter", "-t", String(v.pid), "-n"];
  }

  /** VmLocation for lib/verify's NamespaceVmExecutor: `new NamespaceVmExecutor((vm) => t.locate(vm))`. */
  public locate(vm: VmModel): { host: string; prefix: string[] } {
    return { host: this.state.vms[vm.name]?.host ?? vm.host, prefix: this.vmPrefix(vm.name) };
  }

  /** Runs an argv inside a VM (its network namespace; files and uts of its host). */
  public async runInVm(vm: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const v = this.state.vms[vm];
    if (!v) throw new Error(`dvr-lab twin: unknown VM ${vm}`);
    return run([...enter(v.pid), ...argv], { timeoutMs: opts.timeoutMs ?? 60000 });
  }

  /** Runs an argv on the external host (the provider network's upstream, holds the probe target). */
  public async runOnExternal(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const e = this.state.externalHost;
    if (!e) throw new Error("dvr-lab twin: this lab has no external network");
    return run([...enter(e.pid, { n: true }), ...argv], { timeoutMs: opts.timeoutMs ?? 60000 });
  }

  public async startBackground(host: string, script: string, opts: BackgroundOptions): Promise<BackgroundJob> {
    // Loaded lazily: lib/verify is another feature's module.
    const { detachedBackground } = require("../verify/shell") as typeof import("../verify/shell");
    return detachedBackground(this, host, script, opts);
  }

  /**
   * SSH access per CONTRACTS.md section 3 (verified host keys). The management network is inside the
   * twin's outer namespace: an SSH client must run there (`nsenter -t <outer PID> -n ssh ...`).
   */
  public access(): AccessInfo & { outerPid: number; knownHostsFile: string } {
    const hosts: Record<string, AccessInfo["hosts"][string]> = {};
    const sd = this.state.stateDir;
    for (const h of this.state.plan.hosts) {
      const pub = require("fs").readFileSync(join(sd, "hosts", h.name, "ssh_host_ed25519_key.pub"), "utf8") as string;
      hosts[h.name] = {
        address: h.mgmtIp,
        user: "root",
        port: 22,
        hostKey: pub.trim().split(" ").slice(0, 2).join(" "),
        privateKeyFile: join(sd, "operator_ed25519"),
      };
    }
    return { hosts, outerPid: this.state.outer!.pid, knownHostsFile: join(sd, "known_hosts") };
  }

}
