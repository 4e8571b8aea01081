import { join } from "path";
import { alive, sleep } from "../proc";
import { run } from "../../common/process";
import { logTail, NamespaceRecord, runInside, startService } from "./namespace";

/**
 * The cloud's long-running services: started detached inside the namespace, one log each
 * (`<state>/log/<name>.log`), waited for with checks that fail AT ONCE when the process died, with
 * the service's name and the last lines of its log.
 */
export class CloudServices {
  public readonly pids: Record<string, number> = {};

  constructor(
    private readonly ns: NamespaceRecord,
    private readonly logDir: string,
    private readonly onChange: () => void = () => undefined,
  ) {}

  private closed = false;
  private readonly background = new Set<string>();

  /** No service starts after this (teardown began). */
  public close(): void {
    this.closed = true;
  }

  /**
   * Starts a service. `background`: at nice 10 until `foreground()` (a service the bring-up's
   * critical path does not wait for yet leaves the CPU to the one it does wait for).
   */
  public start(name: string, argv: readonly string[], env: Record<string, string> = {}, opts: { background?: boolean } = {}): number {
    if (this.closed) throw new Error(`dvr-lab cloud: ${name} not started (the cloud is going down)`);
    const pid = startService(this.ns, this.logDir, name, opts.background ? ["/usr/bin/nice", "-n", "10", ...argv] : argv, env);
    if (opts.background) this.background.add(name);
    this.pids[name] = pid;
    this.onChange();
    return pid;
  }

  public logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  public failure(name: string, what: string): Error {
    return new Error(`dvr-lab cloud: ${name} ${what}; the last lines of ${this.logFile(name)}:\n${logTail(this.logFile(name))}`);
  }

  /** Throws when a started service is no longer running. */
  public assertAlive(name: string): void {
    const pid = this.pids[name];
    if (pid === undefined) throw new Error(`dvr-lab cloud: ${name} was never started`);
    if (!alive(pid)) throw this.failure(name, `exited (pid ${pid})`);
  }

  /**
   * Back to nice 0: every thread of every process of each background service (its own process
   * group: spawned detached, it leads it; `renice -g` covers forked workers and their threads).
   */
  public async foreground(): Promise<void> {
    const groups = [...this.background].map((n) => this.pids[n]).filter((p): p is number => p !== undefined && alive(p));
    this.background.clear();
    if (!groups.length) return;
    const r = await run(["/usr/bin/renice", "-n", "0", "-g", ...groups.map(String)], { timeoutMs: 10000 });
    if (r.code !== 0) throw new Error(`dvr-lab cloud: renice of the background services failed: ${r.stderr.trim()}`);
  }

  /** Throws for the first started service that is no longer running. */
  public assertAllAlive(): void {
    for (const name of Object.keys(this.pids)) this.assertAlive(name);
  }

  /**
   * Polls `check` until true; fails at once if `name` or any other started service died (naming it,
   * with its log), or after `timeoutMs` with the log of `name`.
   */
  public async waitFor(name: string, what: string, timeoutMs: number, check: () => Promise<boolean>, intervalMs = 500): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      this.assertAlive(name);
      this.assertAllAlive();
      try {
        if (await check()) return;
      } catch (e) {
        last = String((e as Error).message ?? e);
      }
      if (Date.now() > deadline) throw this.failure(name, `not ${what} after ${Math.round(timeoutMs / 1000)} s${last ? ` (${last})` : ""}`);
      await sleep(intervalMs);
    }
  }

  /** Waits until `url` answers HTTP at all (any status: the API is listening and serving). */
  public async waitHttp(name: string, url: string, timeoutMs = 90000): Promise<void> {
    await this.waitFor(name, `answering ${url}`, timeoutMs, async () => {
      const r = await runInside(this.ns, ["curl", "-s", "-o", "/dev/null", "-m", "5", "-w", "%{http_code}", url], { timeoutMs: 10000 });
      return /^[1-5]\d\d$/.test(r.stdout.trim());
    });
  }

  /** Waits until a TCP port accepts connections. */
  public async waitTcp(name: string, ip: string, port: number, timeoutMs = 90000): Promise<void> {
    await this.waitFor(name, `listening on ${ip}:${port}`, timeoutMs, async () => {
      const r = await runInside(this.ns, ["/bin/bash", "-c", 'exec 3<>"/dev/tcp/$1/$2"', "tcp-check", ip, String(port)], { timeoutMs: 5000 });
      return r.code === 0;
    }, 500);
  }
}

/**
 * The command line of a WSGI service under uwsgi (Keystone, Placement): one process, four threads,
 * plain HTTP on `address`, with the settings OpenStack's own uwsgi configs use (keystone's
 * etc/keystone-uwsgi-public.ini, devstack's write_uwsgi_config): the app loaded in the worker after
 * the fork (`lazy-apps`), not in the master before it (a lock or connection the master holds at
 * fork time is then the worker's forever: the suspected cause of a Keystone that accepted a token
 * request and answered nothing for 60 s in a cold bring-up), and `thunder-lock`.
 */
export function uwsgiCommand(address: string, wsgiFile: string): string[] {
  return [
    "/usr/bin/uwsgi_python3",
    "--http-socket",
    address,
    "--wsgi-file",
    wsgiFile,
    "--master",
    "--processes",
    "1",
    "--threads",
    "4",
    "--buffer-size",
    "65535",
    "--die-on-term",
    "--need-app",
    "--lazy-apps",
    "--thunder-lock",
    // uwsgi's http-socket closes the connection after each response without saying so; a client
    // reusing it (keystoneauth's pooled sessions) then fails with "Remote end closed connection
    // without response" (seen: a nova-compute died of it at start). Say so.
    "--add-header",
    "Connection: close",
  ];
}
