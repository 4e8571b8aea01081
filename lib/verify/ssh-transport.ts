import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { detachedBackground, localFailure, shJoin } from "./shell";
import type { AccessInfo, BackgroundJob, BackgroundOptions, Command, HostAccess, RunOptions, RunResult, Transport } from "./types";

/** How `SshTransport` runs the OpenSSH client. */
export interface SshTransportOptions {
  /** OpenSSH client binary. @default "ssh" */
  readonly ssh?: string;
  /** ssh's ConnectTimeout (seconds). @default 10 */
  readonly connectTimeoutSeconds?: number;
  /** Per-command time limit when a command sets none (ms). @default 60000 */
  readonly defaultTimeoutMs?: number;
  /** Environment to read `privateKeyEnv` from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs commands over the OpenSSH client with VERIFIED host keys: a temporary known_hosts file is
 * written from each host's `hostKey`, and ssh runs with StrictHostKeyChecking=yes, BatchMode=yes and
 * that file only. A key given in an env var is written to a 0600 temp file; `close()` removes all
 * temp files (also done on process exit).
 */
export class SshTransport implements Transport {
  private dir?: string;
  private knownHosts?: string;
  private readonly keyFiles = new Map<string, string>();
  private readonly exitHook = () => this.cleanupSync();

  constructor(
    private readonly access: AccessInfo,
    private readonly opts: SshTransportOptions = {},
  ) {}

  /** The ssh argv (without the remote command) for a host; exposed for tests and `--plan`. */
  public sshArgs(host: string): string[] {
    const a = this.hostAccess(host);
    this.prepare();
    const args = [
      "-o", "StrictHostKeyChecking=yes",
      "-o", `UserKnownHostsFile=${this.knownHosts}`,
      "-o", "GlobalKnownHostsFile=/dev/null",
      "-o", "BatchMode=yes",
      "-o", `ConnectTimeout=${this.opts.connectTimeoutSeconds ?? 10}`,
      "-o", "LogLevel=ERROR",
      "-o", `HostKeyAlias=${aliasOf(host)}`,
      "-o", "CheckHostIP=no",
      "-p", String(a.port ?? 22),
    ];
    const key = this.keyFileFor(host, a);
    if (key) args.push("-o", "IdentitiesOnly=yes", "-i", key);
    args.push("-l", a.user ?? "root", a.address);
    return args;
  }

  public async run(host: string, command: Command, opts: RunOptions = {}): Promise<RunResult> {
    let args: string[];
    try {
      args = this.sshArgs(host);
    } catch (e) {
      return localFailure((e as Error).message);
    }
    const a = this.hostAccess(host);
    const sudo = a.sudo ?? (a.user ?? "root") !== "root";
    let remote: string;
    let input: string | undefined;
    if ("script" in command) {
      remote = sudo ? "sudo -n sh -s" : "sh -s";
      input = command.script;
    } else {
      remote = (sudo ? "sudo -n " : "") + shJoin(command as readonly string[]);
    }
    return spawnCollect(this.opts.ssh ?? "ssh", [...args, remote], input, opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? 60000);
  }

  public startBackground(host: string, script: string, opts: BackgroundOptions): Promise<BackgroundJob> {
    return detachedBackground(this, host, script, opts);
  }

  public async close(): Promise<void> {
    this.cleanupSync();
  }

  private hostAccess(host: string): HostAccess {
    const a = this.access.hosts[host];
    if (!a) throw new Error(`no access information for host "${host}"`);
    if (!a.address) throw new Error(`access for host "${host}" has no address`);
    if (!a.hostKey || !/^\S+\s+\S+/.test(a.hostKey.trim())) {
      throw new Error(`access for host "${host}" has no usable hostKey ("<type> <base64>"); host keys are always verified`);
    }
    return a;
  }

  private prepare(): void {
    if (this.dir) return;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "dvr-lab-ssh-"));
    fs.chmodSync(this.dir, 0o700);
    process.once("exit", this.exitHook);
    const lines: string[] = [];
    for (const [name, a] of Object.entries(this.access.hosts)) {
      if (!a.hostKey) continue;
      const [type, key] = a.hostKey.trim().split(/\s+/);
      lines.push(`${aliasOf(name)} ${type} ${key}`);
    }
    this.knownHosts = path.join(this.dir, "known_hosts");
    fs.writeFileSync(this.knownHosts, lines.join("\n") + "\n", { mode: 0o600 });
  }

  private keyFileFor(host: string, a: HostAccess): string | undefined {
    if (a.privateKeyFile) return a.privateKeyFile;
    if (!a.privateKeyEnv) return undefined;
    const cached = this.keyFiles.get(a.privateKeyEnv);
    if (cached) return cached;
    const value = (this.opts.env ?? process.env)[a.privateKeyEnv];
    if (!value) throw new Error(`host "${host}": env var ${a.privateKeyEnv} (privateKeyEnv) is empty or unset`);
    const file = path.join(this.dir!, `key-${this.keyFiles.size}`);
    fs.writeFileSync(file, value.endsWith("\n") ? value : value + "\n", { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    this.keyFiles.set(a.privateKeyEnv, file);
    return file;
  }

  private cleanupSync(): void {
    if (!this.dir) return;
    try {
      fs.rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // best effort
    }
    process.removeListener("exit", this.exitHook);
    this.dir = undefined;
    this.knownHosts = undefined;
    this.keyFiles.clear();
  }
}

/**
 * The known_hosts name of a lab host. ssh looks keys up under HostKeyAlias, so the key is pinned to
 * the lab's host NAME, whatever address (or port) it is reached at.
 */
function aliasOf(host: string): string {
  return `dvr-lab.${host.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

/** Spawns a process, feeds stdin, collects output, kills it (SIGKILL) after `timeoutMs`. */
export function spawnCollect(cmd: string, args: readonly string[], input: string | undefined, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let child;
    try {
      child = spawn(cmd, args as string[], { stdio: ["pipe", "pipe", "pipe"] });
    } catch (e) {
      resolve(localFailure(`${cmd}: ${(e as Error).message}`));
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve(localFailure(`${cmd}: ${e.message}`));
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 124 : (code ?? 255), stdout, stderr, ...(timedOut ? { timedOut } : {}) });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(input ?? "");
  });
}
