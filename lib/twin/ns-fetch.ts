import type { FetchLike } from "../verify/neutron";
import { splitCurlResponse } from "./curl-response";
import { enter, run } from "./proc";

/**
 * The verifier's HTTP (its `FetchLike`) from inside a twin namespace: the twin's APIs listen on its
 * management network, which exists only in the twin's namespaces, so a client on this machine
 * reaches them as a workstation on that network would, with curl in the namespace. Status, headers
 * (X-Subject-Token) and body as fetch returns them.
 */
export function namespaceFetch(pid: number): FetchLike {
  return async (url, init = {}) => {
    const argv = [...enter(pid, { n: true }), "curl", "-sS", "-m", "60", "-X", init.method ?? "GET", "-D", "-", "-w", "\n%{http_code}"];
    for (const [k, v] of Object.entries(init.headers ?? {})) argv.push("-H", `${k}: ${v}`);
    if (init.body !== undefined) argv.push("--data-binary", "@-");
    argv.push(url);
    const r = await run(argv, { input: init.body ?? "", timeoutMs: 70000 });
    if (r.code !== 0) throw new Error(`${init.method ?? "GET"} ${url}: curl failed (exit ${r.code}): ${r.stderr.trim().split("\n").slice(-1)[0]}`);
    const { status, headers, body } = splitCurlResponse(r.stdout);
    return { status, headers: { get: (name: string) => headers[name.toLowerCase()] ?? null }, text: async () => body };
  };
}
