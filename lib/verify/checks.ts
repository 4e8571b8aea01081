/**
 * The verifier's checks as data, and the ONE place that turns them into text.
 *
 * A check says what it is about with fields (`CheckTarget`: the agent and its host, the router, the
 * VM...) and, when it compares one setting, the setting's key and both values as reported
 * (`CheckedSetting`). `gateCheck` fills the text fields (`subject`, `expected`, `actual`) from those
 * fields once; `causeOf` and `failLine` write a failed check's sentence from the fields too. Nothing
 * reads a check's text back: a report that needs the host of a check reads `target.host`.
 */

/** What a check is about. */
export type CheckTarget =
  /** An agent of a host ("L3 agent on com2"). */
  | { readonly kind: "agent"; readonly agent: string; readonly host: string }
  | { readonly kind: "router"; readonly router: string }
  | { readonly kind: "network"; readonly network: string }
  | { readonly kind: "subnet"; readonly subnet: string }
  /** A VM's port, with the fixed IP it was looked up by when known. */
  | { readonly kind: "vm"; readonly vm: string; readonly fixedIp?: string }
  /** The API request that looked up a VM's port. */
  | { readonly kind: "vm-port"; readonly vm: string }
  /** An API request that could not be made ("GET /v2.0/agents"). */
  | { readonly kind: "request"; readonly request: string }
  /** A node as a whole (its OVS bridges). */
  | { readonly kind: "host"; readonly host: string }
  /** The VXLAN tunnel from `host` to `peer` (br-tun on `host`). */
  | { readonly kind: "tunnel"; readonly host: string; readonly peer: string }
  /** The qrouter namespace of `router` on `host`. */
  | { readonly kind: "qrouter"; readonly host: string; readonly router: string; readonly namespace: string }
  /** A router namespace on `host` (qrouter-, snat- or fip-), of `owner` (a router or the external network). */
  | { readonly kind: "router-namespace"; readonly host: string; readonly namespaceKind: "qrouter" | "snat" | "fip"; readonly owner: string; readonly namespace: string };

/** The one setting a check compares, with the described value and the observed one as reported. */
export interface CheckedSetting {
  /** The setting ("agent_mode", "l2_population", "binding:host_id", "net.ipv4.conf.all.send_redirects"). */
  readonly key: string;
  /** The value the description asks for. */
  readonly expected: string;
  /** The value observed; undefined when the node or the API did not report it. */
  readonly actual?: string;
}

/** The ids of the verifier's checks (docs/DVR.md §4.1, §4.2). */
export type CheckId =
  | "api"
  | "agent-present"
  | "agent-alive"
  | "agent-admin-up"
  | "l3-agent-mode"
  | "ovs-l2-population"
  | "ovs-distributed-routing"
  | "ovs-tunneling-ip"
  | "router-unique"
  | "router-distributed"
  | "router-gateway"
  | "external-network"
  | "subnet-unique"
  | "vm-port-bound"
  | "dvr-flows"
  | "qrouter-redirects"
  | "namespace-forwarding"
  | "namespace-links"
  | "namespace-firewall"
  | "port-dead-vlan"
  | "router-wiring"
  | "vxlan-tunnel";

/** One control-plane or structure check (docs/DVR.md §4.1, §4.2). */
export interface GateCheck {
  readonly id: CheckId;
  /** What was checked, as fields. */
  readonly target: CheckTarget;
  /** `target` as text ("L3 agent on com2"), for tables and logs (`formatTarget`). */
  readonly subject: string;
  readonly ok: boolean;
  /** The setting compared, when the check compares one. */
  readonly setting?: CheckedSetting;
  /** What the description expects, as text ("agent_mode=dvr"). */
  readonly expected: string;
  /** What was observed, as text ("agent_mode=dvr_snat"). */
  readonly actual: string;
}

/** What a check records; `gateCheck` adds the text. */
export interface CheckFields {
  readonly id: CheckId;
  readonly target: CheckTarget;
  readonly ok: boolean;
  /** The setting compared: `expected` and `actual` default to `key=value`. */
  readonly setting?: CheckedSetting;
  /** What the description expects, when no setting says it. */
  readonly expected?: string;
  /** What was observed, when no setting says it (or the setting was not reported). */
  readonly actual?: string;
}

const SHORT_AGENT: Readonly<Record<string, string>> = { "Open vSwitch agent": "OVS agent" };

/** Why a redirecting qrouter fails a lab (docs/VERIFY.md "ICMP redirects"). */
export const REDIRECT_EFFECT = "its VMs' SNAT traffic is redirected straight to the snat namespace (the router's gateway set-up on this node did not finish)";

/** A check's target as text. */
export function formatTarget(t: CheckTarget): string {
  switch (t.kind) {
    case "agent":
      return `${t.agent} on ${t.host}`;
    case "router":
      return `router ${t.router}`;
    case "network":
      return `network ${t.network}`;
    case "subnet":
      return `subnet ${t.subnet}`;
    case "vm":
      return t.fixedIp ? `VM ${t.vm} (${t.fixedIp})` : `VM ${t.vm}`;
    case "vm-port":
      return `VM ${t.vm} port`;
    case "request":
      return t.request;
    case "host":
      return t.host;
    case "tunnel":
      return `tunnel ${t.host} -> ${t.peer}`;
    case "qrouter":
      return `${t.host} qrouter of ${t.router} (${t.namespace.slice(0, 16)}…)`;
    case "router-namespace":
      return `${t.host} ${t.namespaceKind} of ${t.owner} (${t.namespace.slice(0, t.namespaceKind.length + 9)}…)`;
  }
}

function settingText(key: string, value: string | undefined): string {
  return `${key}=${value ?? "(not reported)"}`;
}

/** A check with its text, from its fields. */
export function gateCheck(f: CheckFields): GateCheck {
  const s = f.setting;
  let actual = f.actual ?? (s ? settingText(s.key, s.actual) : "");
  if (f.id === "qrouter-redirects" && s?.actual === "1") actual = `${settingText(s.key, s.actual)}: it sends ICMP redirects, so ${REDIRECT_EFFECT}`;
  return {
    id: f.id,
    target: f.target,
    subject: formatTarget(f.target),
    ok: f.ok,
    ...(s ? { setting: s } : {}),
    expected: f.expected ?? (s ? settingText(s.key, s.expected) : ""),
    actual,
  };
}

/** "True"/"False" as Neutron's ini files write them; other values unchanged. */
function iniBoolean(v: string): string {
  return /^(true|false)$/i.test(v) ? `${v[0].toUpperCase()}${v.slice(1).toLowerCase()}` : v;
}

/** One sentence naming what a failed check found. */
export function causeOf(c: GateCheck): string {
  const t = c.target;
  const s = c.setting;
  switch (c.id) {
    case "agent-present":
      return t.kind === "agent" ? `no ${t.agent} registered on ${t.host}` : `${c.subject}: absent`;
    case "agent-alive":
      return t.kind === "agent" ? `no ${t.agent} alive on ${t.host}` : `${c.subject} is not alive`;
    case "agent-admin-up":
      return `${c.subject} is administratively down`;
    case "l3-agent-mode":
    case "ovs-l2-population":
    case "ovs-distributed-routing":
      return t.kind === "agent" && s
        ? `${t.host} ${SHORT_AGENT[t.agent] ?? t.agent} ${s.key}=${iniBoolean(s.actual ?? "(not reported)")}, expected ${s.key}=${s.expected}`
        : `${c.subject}: ${c.actual}`;
    case "router-distributed":
      return `${c.subject} is ${c.actual}, the description says ${c.expected}`;
    case "vm-port-bound":
      return s?.actual !== undefined ? `${c.subject} bound to ${s.actual}, expected ${s.expected}` : `${c.subject}: expected ${c.expected}, got ${c.actual}`;
    case "dvr-flows":
      return `${c.subject} has no DVR flows: ${c.actual}`;
    case "qrouter-redirects":
      return `${c.subject} sends ICMP redirects: ${REDIRECT_EFFECT}`;
    case "namespace-forwarding":
      return `${c.subject} forwards nothing: ${settingText(s?.key ?? "net.ipv4.ip_forward", s?.actual)} in the namespace`;
    case "namespace-links":
      return `${c.subject} routes through a down interface: ${c.actual} (the L3 agent sets them up; a down one has no route and passes nothing)`;
    case "namespace-firewall":
      return `${c.subject} drops what it routes: iptables ${c.actual}`;
    case "port-dead-vlan":
      return `${c.subject}: ${c.actual} (the agent puts a port there when it cannot bind it; OVS forwards nothing to or from it)`;
    case "router-wiring":
      return `${c.subject} was not wired when the data plane was measured: ${c.actual}`;
    case "vxlan-tunnel":
      return t.kind === "tunnel" ? `no VXLAN tunnel ${t.host} -> ${t.peer}: ${c.actual}` : `${c.subject}: ${c.actual}`;
    default:
      return `${c.id} ${c.subject}: expected ${c.expected}, got ${c.actual}`;
  }
}

/** A failed check in a report's list: "FAIL <id> <subject>: expected ..., got ...". */
export function failLine(c: GateCheck): string {
  return `FAIL ${c.id} ${c.subject}: expected ${c.expected}, got ${c.actual}`;
}
