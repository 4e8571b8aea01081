import * as fs from "node:fs";
import * as https from "node:https";
import type { NeutronApi } from "./types";

/** Minimal fetch signature (global fetch of Node 20, or a test double). */
export type FetchLike = (
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{ status: number; headers: { get(name: string): string | null }; text(): Promise<string> }>;

/** How `NeutronClient` reaches the API: a noauth URL, or Keystone v3 from OS_* variables. */
export interface NeutronClientOptions {
  /**
   * Plain URL mode (noauth neutron): base URL such as http://192.0.2.2:9696. No auth headers are sent.
   * @default - Keystone v3 password mode from `env`
   */
  readonly url?: string;
  /**
   * Keystone v3 password mode: OS_* variables (OS_AUTH_URL, OS_USERNAME, ...; OS_CACERT honoured).
   * @default - no variables: only `url` mode works
   */
  readonly env?: NodeJS.ProcessEnv;
  /** The HTTP client. @default the global fetch (an https client trusting OS_CACERT when that is set) */
  readonly fetch?: FetchLike;
  /** Time limit per API request (ms). @default 30000 */
  readonly timeoutMs?: number;
}

/**
 * Neutron API client with two modes: plain URL (noauth: the request runs as admin; sending
 * X-Project-Id or X-Roles would be refused, so none are sent) and Keystone v3 password auth from
 * OS_* variables (the network endpoint comes from the token's catalog).
 */
export class NeutronClient implements NeutronApi {
  private base?: string;
  private token?: string;
  private readonly fetchImpl: FetchLike;

  constructor(private readonly opts: NeutronClientOptions) {
    const ca = !opts.url ? opts.env?.OS_CACERT : undefined;
    this.fetchImpl = opts.fetch ?? (ca ? httpsFetchWithCa(fs.readFileSync(ca)) : (globalThis.fetch as unknown as FetchLike));
    if (opts.url) this.base = apiBase(opts.url);
  }

  /** Describes the mode for reports, without secrets. */
  public describe(): string {
    if (this.opts.url) return `noauth ${this.opts.url}`;
    const e = this.opts.env ?? {};
    return `keystone ${e.OS_AUTH_URL ?? "?"} user ${e.OS_USERNAME ?? "?"} project ${e.OS_PROJECT_NAME ?? "?"}`;
  }

  public async listAgents() {
    return this.list("agents", "/agents");
  }
  public async routersByName(name: string) {
    return this.list("routers", `/routers?name=${encodeURIComponent(name)}`);
  }
  public async networksByName(name: string) {
    return this.list("networks", `/networks?name=${encodeURIComponent(name)}`);
  }
  public async subnetsByName(name: string) {
    return this.list("subnets", `/subnets?name=${encodeURIComponent(name)}`);
  }
  public async portsByFixedIp(ip: string, subnetId: string) {
    const q = `fixed_ips=${encodeURIComponent(`ip_address=${ip}`)}&fixed_ips=${encodeURIComponent(`subnet_id=${subnetId}`)}`;
    return this.list("ports", `/ports?${q}`);
  }

  public async portsOfDevice(deviceId: string) {
    return this.list("ports", `/ports?device_id=${encodeURIComponent(deviceId)}`);
  }

  private async list(key: string, path: string): Promise<Record<string, unknown>[]> {
    const body = await this.get(path);
    const v = (body as Record<string, unknown>)[key];
    if (!Array.isArray(v)) throw new Error(`neutron ${path}: response has no "${key}" list`);
    return v as Record<string, unknown>[];
  }

  private async get(path: string): Promise<unknown> {
    await this.authenticate();
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.token) headers["X-Auth-Token"] = this.token;
    const res = await this.withTimeout(this.fetchImpl(this.base + path, { method: "GET", headers }));
    const text = await res.text();
    if (res.status !== 200) throw new Error(`neutron GET ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  }

  private async authenticate(): Promise<void> {
    if (this.base) return;
    const e = this.opts.env ?? {};
    const missing = ["OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME"].filter((k) => !e[k]);
    if (missing.length) throw new Error(`neutron: no --neutron-url and ${missing.join(", ")} not set`);
    let authUrl = e.OS_AUTH_URL!.replace(/\/+$/, "");
    if (!/\/v3$/.test(authUrl)) authUrl += "/v3";
    const body = {
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: { name: e.OS_USERNAME, password: e.OS_PASSWORD, domain: { name: e.OS_USER_DOMAIN_NAME ?? "Default" } },
          },
        },
        scope: { project: { name: e.OS_PROJECT_NAME, domain: { name: e.OS_PROJECT_DOMAIN_NAME ?? "Default" } } },
      },
    };
    const res = await this.withTimeout(
      this.fetchImpl(`${authUrl}/auth/tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      }),
    );
    const text = await res.text();
    if (res.status !== 201 && res.status !== 200) throw new Error(`keystone: HTTP ${res.status}: ${text.slice(0, 300)}`);
    const token = res.headers.get("x-subject-token");
    if (!token) throw new Error("keystone: no X-Subject-Token in the response");
    const catalog = ((JSON.parse(text) as { token?: { catalog?: CatalogEntry[] } }).token?.catalog ?? []) as CatalogEntry[];
    const endpoint = pickEndpoint(catalog, e.OS_REGION_NAME, e.OS_INTERFACE ?? e.OS_ENDPOINT_TYPE ?? "public");
    if (!endpoint) throw new Error(`keystone: no "network" endpoint in the catalog${e.OS_REGION_NAME ? ` for region ${e.OS_REGION_NAME}` : ""}`);
    this.token = token;
    this.base = apiBase(endpoint);
  }

  private withTimeout<T>(p: Promise<T>): Promise<T> {
    const ms = this.opts.timeoutMs ?? 30000;
    let timer: NodeJS.Timeout;
    return Promise.race([
      p.finally(() => clearTimeout(timer)),
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`neutron: no answer within ${ms} ms`)), ms);
      }),
    ]);
  }
}

interface CatalogEntry {
  type?: string;
  endpoints?: { interface?: string; region?: string; region_id?: string; url?: string }[];
}

export function pickEndpoint(catalog: CatalogEntry[], region: string | undefined, iface: string): string | undefined {
  const wanted = iface.replace(/URL$/, "");
  for (const entry of catalog) {
    if (entry.type !== "network") continue;
    const eps = (entry.endpoints ?? []).filter((ep) => !region || ep.region === region || ep.region_id === region);
    const ep = eps.find((x) => x.interface === wanted) ?? eps.find((x) => x.interface === "public") ?? eps[0];
    if (ep?.url) return ep.url;
  }
  return undefined;
}

/** Neutron base URL including "/v2.0". */
export function apiBase(url: string): string {
  const u = url.replace(/\/+$/, "");
  return /\/v2\.0$/.test(u) ? u : `${u}/v2.0`;
}

/** fetch-like over node:https with an extra CA (OS_CACERT); global fetch cannot take a CA per call. */
function httpsFetchWithCa(ca: Buffer): FetchLike {
  return (url, init = {}) =>
    new Promise((resolve, reject) => {
      const req = https.request(url, { method: init.method ?? "GET", headers: init.headers, ca }, (res) => {
        let data = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (data += d));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: {
              get: (n: string) => {
                const v = res.headers[n.toLowerCase()];
                return Array.isArray(v) ? v[0] : (v ?? null);
              },
            },
            text: async () => data,
          }),
        );
      });
      req.on("error", reject);
      if (init.body) req.write(init.body);
      req.end();
    });
}
