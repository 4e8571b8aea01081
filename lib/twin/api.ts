import { run } from "../common/process";

/**
 * The real Neutron API of the twin, reached from inside the controller's network namespace (curl via
 * nsenter -n). Without a token source auth_strategy is noauth: NO X-Project-Id / X-Roles headers
 * (the request then runs as admin; sending X-Project-Id gives HTTP 400). With one (the cloud twin:
 * auth_strategy = keystone) every request carries the admin's Keystone token; a 401 fetches a new
 * one and retries once (a token expires after an hour).
 */
export class NeutronApiError extends Error {
  constructor(
    public readonly resource: string,
    public readonly status: number,
    public readonly neutronMessage: string,
  ) {
    // status 0: no HTTP answer at all (curl failed: neutron-server down or restarting).
    super(status === 0 ? `Neutron did not answer ${resource}: ${neutronMessage}` : `Neutron rejected ${resource}: HTTP ${status}: ${neutronMessage}`);
  }
}

/** Keystone tokens for the API (lib/twin/cloud/rest.ts CloudRest is one). */
export interface TokenSource {
  token(): Promise<string>;
  /** Forgets the cached token (the next token() asks Keystone). */
  invalidate(): void;
}

export class NeutronApi {
  constructor(
    private readonly controllerPid: number,
    private readonly baseUrl: string,
    private readonly auth?: TokenSource,
  ) {}

  public async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, resource?: string): Promise<T> {
    try {
      return await this.once<T>(method, path, body, resource);
    } catch (e) {
      if (!(this.auth && e instanceof NeutronApiError && e.status === 401)) throw e;
      this.auth.invalidate();
      return this.once<T>(method, path, body, resource);
    }
  }

  private async once<T>(method: string, path: string, body?: unknown, resource?: string): Promise<T> {
    const argv = ["nsenter", "-t", String(this.controllerPid), "-n", "--", "curl", "-sS", "-m", "60", "-X", method];
    argv.push("-H", "Accept: application/json", "-w", "\n%{http_code}");
    if (this.auth) argv.push("-H", `X-Auth-Token: ${await this.auth.token()}`);
    if (body !== undefined) argv.push("-H", "Content-Type: application/json", "--data-binary", "@-");
    argv.push(`${this.baseUrl}/v2.0${path}`);
    const r = await run(argv, { input: body !== undefined ? JSON.stringify(body) : "", timeoutMs: 70000 });
    const what = resource ?? `${method} ${path}`;
    if (r.code !== 0) throw new NeutronApiError(what, 0, `curl failed: ${r.stderr.trim()}`);
    const cut = r.stdout.lastIndexOf("\n");
    const status = Number(r.stdout.slice(cut + 1));
    const text = r.stdout.slice(0, cut);
    if (status < 200 || status >= 300) {
      let message = text.trim();
      try {
        const j = JSON.parse(text) as { NeutronError?: { message?: string; type?: string } };
        if (j.NeutronError?.message) message = `${j.NeutronError.type ?? "error"}: ${j.NeutronError.message}`;
      } catch {
        /* not JSON */
      }
      throw new NeutronApiError(what, status, message);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  public async up(): Promise<boolean> {
    try {
      await this.call("GET", "/networks?limit=1");
      return true;
    } catch {
      return false;
    }
  }
}

export interface AgentInfo {
  id: string;
  agent_type: string;
  host: string;
  alive: boolean;
  admin_state_up: boolean;
  binary: string;
  configurations: Record<string, unknown>;
}

export interface PortInfo {
  id: string;
  name: string;
  status: string;
  mac_address: string;
  device_owner: string;
  device_id: string;
  network_id: string;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  "binding:host_id": string;
  "binding:vif_type"?: string;
}
