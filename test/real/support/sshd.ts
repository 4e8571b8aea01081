import { spawnSync, SpawnSyncReturns } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { killAndWait, waitGone } from "./proc";

export interface SshdOptions {
  /** Directories put in front of PATH in the sessions of this sshd only (sshd_config SetEnv). */
  readonly pathPrefix?: string[];
  /** More environment for the sessions (sshd_config SetEnv). */
  readonly env?: Record<string, string>;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

const SESSION_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function result(r: SpawnSyncReturns<string>): RunResult {
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function run(cmd: string, args: string[], timeoutMs = 60_000): RunResult {
  return result(spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs }));
}

/**
 * A private sshd on 127.0.0.1 with a unique high port and its own host key, generated at test time
 * (nothing secret is committed). Clients verify the host key for real: a known_hosts line
 * `[127.0.0.1]:PORT <key>` with StrictHostKeyChecking=yes, as Terraform's `host_key` does.
 */
export class LoopbackSshd {
  public static start(options: SshdOptions = {}): LoopbackSshd {
    const dir = mkdtempSync("/tmp/dvr-lab-sshd-");
    chmodSync(dir, 0o700);
    for (const k of ["host_key", "client_key", "wrong_host_key"]) {
      const r = run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `dvr-lab-test-${k}`, "-f", join(dir, k)]);
      if (r.status !== 0) throw new Error(`ssh-keygen ${k} failed: ${r.stderr}`);
    }
    writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")), { mode: 0o600 });
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    let lastErr = "";
    for (let attempt = 0; attempt < 8; attempt++) {
      const port = 20000 + Math.floor(Math.random() * 40000);
      const sshd = new LoopbackSshd(dir, port, options);
      const r = run("/usr/sbin/sshd", ["-f", sshd.configPath, "-E", join(dir, "sshd.log")]);
      if (r.status === 0 && sshd.waitPid()) return sshd;
      lastErr = `${r.stderr}${existsSync(join(dir, "sshd.log")) ? readFileSync(join(dir, "sshd.log"), "utf8") : ""}`;
    }
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start a loopback sshd: ${lastErr}`);
  }

  public readonly configPath: string;
  public readonly knownHosts: string;
  public readonly wrongKnownHosts: string;
  public readonly clientKey: string;
  /** The host public key, as Terraform's connection `host_key` takes it. */
  public readonly hostPublicKey: string;
  private pid?: number;

  private constructor(
    public readonly dir: string,
    public readonly port: number,
    options: SshdOptions,
  ) {
    this.configPath = join(dir, "sshd_config");
    this.clientKey = join(dir, "client_key");
    this.knownHosts = join(dir, "known_hosts");
    this.wrongKnownHosts = join(dir, "known_hosts.wrong");
    const pub = (f: string) => readFileSync(join(dir, f), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    this.hostPublicKey = pub("host_key.pub");
    writeFileSync(this.knownHosts, `[127.0.0.1]:${port} ${this.hostPublicKey}\n`);
    writeFileSync(this.wrongKnownHosts, `[127.0.0.1]:${port} ${pub("wrong_host_key.pub")}\n`);
    const env: Record<string, string> = {
      PATH: [...(options.pathPrefix ?? []), SESSION_PATH].join(":"),
      ...(options.env ?? {}),
    };
    const setEnv = Object.entries(env)
      .map(([k, v]) => {
        if (/[\s"]/.test(v)) throw new Error(`sshd SetEnv value with blank or quote: ${k}=${v}`);
        return `${k}=${v}`;
      })
      .join(" ");
    writeFileSync(
      this.configPath,
      [
        "ListenAddress 127.0.0.1",
        `Port ${port}`,
        `HostKey ${join(dir, "host_key")}`,
        `PidFile ${join(dir, "sshd.pid")}`,
        `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PubkeyAuthentication yes",
        "PermitRootLogin prohibit-password",
        "UsePAM no",
        "StrictModes no",
        "PrintMotd no",
        `SetEnv ${setEnv}`,
        "LogLevel VERBOSE",
        "",
      ].join("\n"),
    );
  }

  private waitPid(): boolean {
    const pidFile = join(this.dir, "sshd.pid");
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (existsSync(pidFile)) {
        this.pid = Number(readFileSync(pidFile, "utf8").trim());
        if (this.pid > 0) return true;
      }
      spawnSync("sleep", ["0.05"]);
    }
    return false;
  }

  private clientOptions(knownHosts: string): string[] {
    return [
      "-i", this.clientKey,
      "-o", "IdentitiesOnly=yes",
      "-o", "BatchMode=yes",
      "-o", `UserKnownHostsFile=${knownHosts}`,
      "-o", "GlobalKnownHostsFile=/dev/null",
      "-o", "StrictHostKeyChecking=yes",
      "-o", "LogLevel=ERROR",
      "-o", "ConnectTimeout=10",
    ];
  }

  /** Runs a command as root over SSH (host key verified). */
  public ssh(command: string, opts: { knownHosts?: string; timeoutMs?: number } = {}): RunResult {
    return run(
      "ssh",
      [...this.clientOptions(opts.knownHosts ?? this.knownHosts), "-p", String(this.port), "root@127.0.0.1", command],
      opts.timeoutMs ?? 300_000,
    );
  }

  /** Uploads a local file with the legacy scp protocol (`scp -O`), as Terraform's provisioners do. */
  public scpTo(localPath: string, remotePath: string): RunResult {
    return run("scp", ["-O", "-q", ...this.clientOptions(this.knownHosts), "-P", String(this.port), localPath, `root@127.0.0.1:${remotePath}`]);
  }

  public stop(): void {
    if (this.pid) {
      killAndWait(this.pid, 5000);
      waitGone(this.pid, 5000);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
