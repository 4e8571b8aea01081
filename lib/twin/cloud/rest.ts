import { enter } from "../proc";
import { run } from "../../common/process";
import { splitCurlResponse } from "../curl-response";
import { NamespaceRecord } from "./namespace";

/**
 * The cloud's REST APIs as the twin's bring-up calls them: curl inside the cloud's network
 * namespace (no Python start-up per call), authenticated with a Keystone v3 token of the admin user
 * (project admin). The tests use the real client (python3-openstackclient) instead.
 */
export class CloudApiError extends Error {
  constructor(
    public readonly service: string,
    public readonly resource: string,
    public readonly status: number,
    public readonly apiMessage: string,
  ) {
    super(`dvr-lab cloud: ${service} rejected ${resource}: HTTP ${status}: ${apiMessage}`);
  }
}

export interface Credentials {
  readonly authUrl: string;
  readonly username: string;
  readonly password: string;
  readonly project: string;
}

export interface CallOptions {
  readonly body?: unknown;
  /** Upload this file (octet-stream) instead of a JSON body. */
  readonly file?: string;
  readonly headers?: Record<string, string>;
  /** Send no token (the token request itself). */
  readonly anonymous?: boolean;
}

export class CloudRest {
  private cachedToken?: string;
  private pendingToken?: Promise<string>;

  constructor(
    private readonly ns: NamespaceRecord,
    private readonly creds: Credentials,
  ) {}

  /** One request; returns the parsed JSON body and the response headers (lower-case names). */
  public async request<T = Record<string, unknown>>(
    service: string,
    resource: string,
    method: string,
    url: string,
    opts: CallOptions = {},
  ): Promise<{ body: T; headers: Record<string, string> }> {
    const argv = [...enter(this.ns.pid, { n: true }), "curl", "-sS", "-m", "60", "-X", method, "-D", "-", "-w", "\n%{http_code}"];
    argv.push("-H", "Accept: application/json");
    if (!opts.anonymous) argv.push("-H", `X-Auth-Token: ${await this.token()}`);
    for (const [k, v] of Object.entries(opts.headers ?? {})) argv.push("-H", `${k}: ${v}`);
    if (opts.file) argv.push("-H", "Content-Type: application/octet-stream", "--data-binary", `@${opts.file}`);
    else if (opts.body !== undefined) argv.push("-H", "Content-Type: application/json", "--data-binary", "@-");
    argv.push(url);
    const r = await run(argv, { input: opts.body !== undefined && !opts.file ? JSON.stringify(opts.body) : "", timeoutMs: 70000 });
    if (r.code !== 0) throw new CloudApiError(service, resource, 0, `curl failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-1)[0]}`);
    const { status, headers, body: text } = splitCurlResponse(r.stdout);
    if (status < 200 || status >= 300) throw new CloudApiError(service, resource, status, errorMessage(text));
    let body = {} as T;
    if (text.trim()) {
      try {
        body = JSON.parse(text) as T;
      } catch {
        body = { text } as T;
      }
    }
    return { body, headers };
  }

  public async call<T = Record<string, unknown>>(service: string, resource: string, method: string, url: string, opts: CallOptions = {}): Promise<T> {
    return (await this.request<T>(service, resource, method, url, opts)).body;
  }

  /** Forgets the cached token (expired: Keystone's default lifetime is an hour). */
  public invalidate(): void {
    this.cachedToken = undefined;
  }

  /**
   * A project-scoped Keystone v3 token (password method), cached until invalidate(). Callers that
   * ask while it is being fetched share that one request (as a keystoneauth session does), so a
   * burst of first calls sends Keystone one password authentication, not one each.
   */
  public token(): Promise<string> {
    if (this.cachedToken) return Promise.resolve(this.cachedToken);
    this.pendingToken ??= this.fetchToken().finally(() => (this.pendingToken = undefined));
    return this.pendingToken;
  }

  private async fetchToken(): Promise<string> {
    const { headers } = await this.request("Keystone", `a token for ${this.creds.username}`, "POST", `${this.creds.authUrl}/v3/auth/tokens`, {
      anonymous: true,
      body: {
        auth: {
          identity: { methods: ["password"], password: { user: { name: this.creds.username, domain: { id: "default" }, password: this.creds.password } } },
          scope: { project: { name: this.creds.project, domain: { id: "default" } } },
        },
      },
    });
    const token = headers["x-subject-token"];
    if (!token) throw new CloudApiError("Keystone", `a token for ${this.creds.username}`, 201, "no X-Subject-Token header in the answer");
    this.cachedToken = token;
    return token;
  }
}

/** The message of an OpenStack error body (Keystone {error}, Nova {<kind>: {message}}, Glance text). */
export function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const e = j.error as { message?: string; title?: string } | undefined;
    if (e?.message) return `${e.title ? `${e.title}: ` : ""}${e.message}`;
    for (const v of Object.values(j)) {
      const m = (v as { message?: string } | null)?.message;
      if (typeof m === "string") return m;
    }
  } catch {
    /* not JSON */
  }
  return text.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").trim().slice(0, 500);
}
