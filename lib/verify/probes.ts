/**
 * Read-only probe scripts run on the nodes, one script per host and phase (so the number of node
 * commands grows with hosts, not with rows or VM pairs), and the parsers of their output.
 */
import {
  NamespacePacket,
  VxlanFrame,
  captureStarted,
  classifyNamespace,
  interfaceWithAddress,
  parseDvrMacFromFlows,
  parseDvrMacFromLog,
  parseNamespaceCapture,
  parseNetnsList,
  parseSnmpCounter,
  parseVxlanCapture,
  parseOutputPorts,
  parseVxlanPorts,
  parseVxlanRemotes,
  type VxlanPort,
  splitSections,
  SECTION,
} from "./parsers";
import { scriptHeader, shJoin, shq } from "./shell";
import type { HostAccess, RunResult } from "./types";

export const READY_MARKER = "DVRLAB-CAPTURE-READY";

/** Where the OVS agent logs (DVR MAC fallback when br-tun table 1 has no DVR flow yet). */
const OVS_AGENT_LOGS = "/var/log/neutron/*openvswitch*agent*.log /var/log/kolla/neutron/*openvswitch*agent*.log";

/** Prints `<qrouter namespace> <net.ipv4.conf.all.send_redirects>` per qrouter namespace (parseSendRedirects). */
export const SEND_REDIRECTS_PROBE =
  "for n in $(ip netns list | awk '/^qrouter-/ {print $1}'); do echo \"$n $(ip netns exec \"$n\" sysctl -n net.ipv4.conf.all.send_redirects 2>/dev/null)\"; done";

/** Prints `<router namespace> <net.ipv4.ip_forward>` per qrouter-/snat-/fip- namespace (parseSendRedirects' format). */
export const IP_FORWARD_PROBE =
  "for n in $(ip netns list | awk '/^(qrouter|snat|fip)-/ {print $1}'); do echo \"$n $(ip netns exec \"$n\" sysctl -n net.ipv4.ip_forward 2>/dev/null)\"; done";

/**
 * Per router namespace (qrouter-, snat-, fip-): its links (`<ns> link <ip -o link line>`) and its
 * filter FORWARD chain (`<ns> fw <iptables -S FORWARD line>`), for parseNamespaceState.
 */
export const NAMESPACE_STATE_PROBE =
  "for n in $(ip netns list | awk '/^(qrouter|snat|fip)-/ {print $1}'); do ip netns exec \"$n\" ip -o link show 2>/dev/null | sed \"s|^|$n link |\"; ip netns exec \"$n\" iptables -S FORWARD 2>/dev/null | sed \"s|^|$n fw |\"; done";

/** The OVS agent's dead VLAN: a port it could not bind gets this tag, and OVS forwards nothing of it. */
export const DEAD_VLAN = 4095;

export function snapshotScript(access?: HostAccess): string {
  const ovs = shJoin([...(access?.ovsPrefix ?? []), "ovs-ofctl", "dump-flows", "br-tun", "table=1"]);
  const tunnels = shJoin([...(access?.ovsPrefix ?? []), "ovs-appctl", "dpif/show"]);
  const tunFlows = shJoin([...(access?.ovsPrefix ?? []), "ovs-ofctl", "--no-names", "dump-flows", "br-tun"]);
  const deadPorts = shJoin([...(access?.ovsPrefix ?? []), "ovs-vsctl", "--bare", "--columns=name", "find", "Port", `tag=${DEAD_VLAN}`]);
  const ovsPorts = shJoin([...(access?.ovsPrefix ?? []), "ovs-vsctl", "--format=json", "--columns=name,tag,other_config", "list", "Port"]);
  return (
    scriptHeader("snapshot") +
    `echo "${SECTION} netns"
ip netns list
echo "${SECTION} br-tun-table1"
${ovs} 2>&1
echo "${SECTION} agent-log"
grep -h "operating in DVR Mode with MAC" ${OVS_AGENT_LOGS} 2>/dev/null | tail -n 1
echo "${SECTION} addr"
ip -o -4 addr show
echo "${SECTION} tunnels"
t=$(${tunnels} 2>&1); rc=$?; echo "$t" | grep -i vxlan; echo "ovs-appctl-rc=$rc"
echo "${SECTION} tun-outputs"
f=$(${tunFlows} 2>&1); rc=$?; echo "$f" | grep -o 'output:[0-9]*' | sort -u; echo "ovs-ofctl-rc=$rc"
echo "${SECTION} redirects"
${SEND_REDIRECTS_PROBE}
echo "${SECTION} ip-forward"
${IP_FORWARD_PROBE}
echo "${SECTION} ns-state"
${NAMESPACE_STATE_PROBE}
echo "${SECTION} dead-ports"
p=$(${deadPorts} 2>&1); rc=$?; echo "$p"; echo "ovs-vsctl-rc=$rc"
echo "${SECTION} ovs-ports"
p=$(${ovsPorts} 2>&1); rc=$?; echo "$p"; echo "ovs-vsctl-rc=$rc"
echo "${SECTION} tools"
command -v tcpdump >/dev/null 2>&1 && echo tcpdump=yes || echo tcpdump=no
echo "${SECTION} end"
`
  );
}

export interface HostSnapshot {
  readonly host: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly namespaces: string[];
  /** Router namespaces (qrouter-, snat-, fip-) the counters and captures cover. */
  readonly routerNamespaces: string[];
  readonly dvrMac?: string;
  readonly dvrMacSource?: "br-tun table=1" | "agent log";
  /** All mod_dl_src values seen (more than one is reported). */
  readonly dvrMacsSeen: string[];
  /** Interface holding the host's tunnel IP, when found. */
  readonly tunnelInterface?: string;
  readonly tcpdump: boolean;
  /** Remote IPs of the host's VXLAN tunnel ports (undefined: not listed, e.g. an older probe). */
  readonly tunnelRemotes?: string[];
  /** The VXLAN ports (name, OpenFlow port, remote IP). */
  readonly tunnelPorts?: VxlanPort[];
  /** OpenFlow ports of br-tun that some br-tun flow outputs to (undefined: not read). */
  readonly tunOutputPorts?: number[];
  /** qrouter namespace -> its net.ipv4.conf.all.send_redirects (undefined: not read). */
  readonly sendRedirects?: Readonly<Record<string, boolean>>;
  /** Router namespace -> its net.ipv4.ip_forward (undefined: not read). */
  readonly ipForward?: Readonly<Record<string, boolean>>;
  /** Router namespace -> its links and its FORWARD chain (undefined: not read). */
  readonly namespaceState?: Readonly<Record<string, NamespaceState>>;
  /** br-int/br-tun ports in the dead VLAN (undefined: not read). */
  readonly deadPorts?: readonly string[];
  /** Every OVS port: its name, VLAN tag and the OVS agent's net_uuid in other_config (undefined: not read). */
  readonly ovsPorts?: readonly OvsPort[];
}

/** An OVS port as the OVS agent leaves it once bound: a local VLAN tag and its network in other_config. */
export interface OvsPort {
  readonly name: string;
  readonly tag?: number;
  readonly netUuid?: string;
}

/**
 * The ovs-ports section: `ovs-vsctl --format=json --columns=name,tag,other_config list Port`, then
 * `ovs-vsctl-rc=N` (undefined when the command failed or printed no table). OVSDB's JSON writes an
 * empty tag as `["set",[]]` and a map as `["map",[[k,v],…]]`.
 */
export function parseOvsPorts(body: string): OvsPort[] | undefined {
  if (!/ovs-vsctl-rc=0\b/.test(body)) return undefined;
  const json = body.split("\n").find((l) => l.trim().startsWith("{"));
  if (!json) return undefined;
  try {
    const t = JSON.parse(json) as { headings?: string[]; data?: unknown[][] };
    const col = (n: string) => (t.headings ?? []).indexOf(n);
    const [ni, ti, oi] = [col("name"), col("tag"), col("other_config")];
    if (ni < 0 || !Array.isArray(t.data)) return undefined;
    return t.data.map((row) => {
      const tag = row[ti];
      const oc = row[oi];
      const map = Array.isArray(oc) && oc[0] === "map" && Array.isArray(oc[1]) ? (oc[1] as [string, string][]) : [];
      const netUuid = map.find(([k]) => k === "net_uuid")?.[1];
      return { name: String(row[ni]), ...(typeof tag === "number" ? { tag } : {}), ...(netUuid ? { netUuid } : {}) };
    });
  } catch {
    return undefined;
  }
}

/** What a router namespace's own network stack says: its links (admin state) and its FORWARD chain. */
export interface NamespaceState {
  readonly links: readonly { readonly name: string; readonly up: boolean }[];
  /** `iptables -S FORWARD` lines (the policy line first). */
  readonly forward: readonly string[];
}

/** The ns-state section: `<ns> link <ip -o link line>` and `<ns> fw <iptables -S line>`. */
export function parseNamespaceState(body: string): Record<string, NamespaceState> {
  const out: Record<string, { links: { name: string; up: boolean }[]; forward: string[] }> = {};
  for (const line of body.split("\n")) {
    const m = /^((?:qrouter|snat|fip)-\S+) (link|fw) (.*)$/.exec(line.trim());
    if (!m) continue;
    const e = (out[m[1]] ??= { links: [], forward: [] });
    if (m[2] === "fw") {
      e.forward.push(m[3].trim());
      continue;
    }
    const l = /^\d+:\s+([^:@\s]+)(?:@\S+)?:\s+<([^>]*)>/.exec(m[3]);
    if (l) e.links.push({ name: l[1], up: l[2].split(",").includes("UP") });
  }
  return out;
}

/** The dead-ports section: port names, one per line, then `ovs-vsctl-rc=N` (undefined when the command failed). */
export function parseDeadPorts(body: string): string[] | undefined {
  if (!/ovs-vsctl-rc=0\b/.test(body)) return undefined;
  return body.split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("ovs-vsctl-rc="));
}

/** `<namespace> <0|1>` lines of the snapshot's redirects or ip-forward section (other lines ignored). */
export function parseSendRedirects(body: string): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const line of body.split("\n")) {
    const m = /^((?:qrouter|snat|fip)-\S+) ([01])$/.exec(line.trim());
    if (m) out[m[1]] = m[2] === "1";
  }
  return out;
}

export function parseSnapshot(host: string, res: RunResult, tunnelIp?: string): HostSnapshot {
  const sections = splitSections(res.stdout);
  const body = (kind: string) => sections.find((s) => s.kind === kind)?.body ?? "";
  const ovsPorts = parseOvsPorts(body("ovs-ports"));
  const complete = sections.some((s) => s.kind === "end");
  const namespaces = parseNetnsList(body("netns"));
  const flowMacs = parseDvrMacFromFlows(body("br-tun-table1"));
  const logMac = parseDvrMacFromLog(body("agent-log"));
  const dvrMac = flowMacs.length === 1 ? flowMacs[0] : flowMacs.length === 0 ? logMac : undefined;
  const tunnelInterface = tunnelIp ? interfaceWithAddress(body("addr"), tunnelIp) : undefined;
  return {
    host,
    ok: res.code === 0 && complete,
    ...(res.code !== 0 || !complete ? { error: `snapshot: exit ${res.code}: ${(res.stderr || res.stdout).trim().slice(0, 300)}` } : {}),
    namespaces,
    routerNamespaces: namespaces.filter((n) => classifyNamespace(n) !== undefined),
    ...(dvrMac ? { dvrMac, dvrMacSource: flowMacs.length === 1 ? ("br-tun table=1" as const) : ("agent log" as const) } : {}),
    dvrMacsSeen: flowMacs.length ? flowMacs : logMac ? [logMac] : [],
    ...(tunnelInterface ? { tunnelInterface } : {}),
    tcpdump: /tcpdump=yes/.test(body("tools")),
    ...(parseVxlanRemotes(body("tunnels")) ? { tunnelRemotes: parseVxlanRemotes(body("tunnels")) } : {}),
    ...(parseVxlanPorts(body("tunnels")) ? { tunnelPorts: parseVxlanPorts(body("tunnels")) } : {}),
    ...(/ovs-ofctl-rc=0\b/.test(body("tun-outputs")) ? { tunOutputPorts: parseOutputPorts(body("tun-outputs")) } : {}),
    ...(sections.some((x) => x.kind === "redirects") ? { sendRedirects: parseSendRedirects(body("redirects")) } : {}),
    ...(sections.some((x) => x.kind === "ip-forward") ? { ipForward: parseSendRedirects(body("ip-forward")) } : {}),
    ...(sections.some((x) => x.kind === "ns-state") ? { namespaceState: parseNamespaceState(body("ns-state")) } : {}),
    ...(sections.some((x) => x.kind === "dead-ports") && parseDeadPorts(body("dead-ports")) ? { deadPorts: parseDeadPorts(body("dead-ports")) } : {}),
    ...(ovsPorts ? { ovsPorts } : {}),
  };
}

/** Reads /proc/net/snmp inside every given namespace (one command per host). */
export function countersScript(namespaces: readonly string[]): string {
  const lines = namespaces.map((ns) => `echo "${SECTION} snmp ${ns}"\nip netns exec ${shq(ns)} cat /proc/net/snmp 2>&1`);
  return scriptHeader("counters") + lines.join("\n") + `\necho "${SECTION} end"\n`;
}

/** namespace -> IpForwDatagrams (undefined when it could not be read). */
export function parseCounters(res: RunResult): Map<string, number | undefined> {
  const out = new Map<string, number | undefined>();
  for (const s of splitSections(res.stdout)) if (s.kind === "snmp") out.set(s.label, parseSnmpCounter(s.body));
  return out;
}

/** A BPF expression matching any of the marker IP total lengths at a byte offset. */
function lengthFilter(accessor: string, lengths: readonly number[]): string {
  return "(" + lengths.map((l) => `${accessor}=${l}`).join(" or ") + ")";
}

/**
 * One background job per host that captures, for every router namespace, marker ICMP inside the
 * namespace (`-i any`: LINUX_SLL2 shows the interface and In/Out), and on the underlay VXLAN frames
 * whose INNER IP total length is a marker (inner IP starts 30 bytes into the UDP payload: 8 UDP +
 * 8 VXLAN + 14 Ethernet, so its total length is `udp[32:2]`).
 */
export function captureScript(
  namespaces: readonly string[],
  lengths: readonly number[],
  underlay: { readonly iface: string; readonly tunnelIp?: string } | undefined,
  maxSeconds: number,
  ports = false,
): string {
  const icmp = `icmp and ${lengthFilter("ip[2:2]", lengths)}`;
  const starts: string[] = [];
  const labels: string[] = [];
  for (const ns of namespaces) {
    labels.push(ns);
    starts.push(`start ${shq(ns)} ip netns exec ${shq(ns)} timeout ${maxSeconds} tcpdump -lnne -i any ${shq(icmp)}`);
  }
  if (ports) {
    // The VMs' ports: the host side of each VM's tap, in the host's own namespace (LINUX_SLL2
    // names the device: In = sent by the VM, Out = delivered to it).
    labels.push("ports");
    starts.push(`start ports timeout ${maxSeconds} tcpdump -lnne -i any ${shq(icmp)}`);
  }
  if (underlay) {
    const host = underlay.tunnelIp && underlay.iface === "any" ? ` and host ${underlay.tunnelIp}` : "";
    const f = `udp port 4789${host} and ${lengthFilter("udp[32:2]", lengths)}`;
    labels.push("underlay");
    starts.push(`start underlay timeout ${maxSeconds} tcpdump -lnne -i ${shq(underlay.iface)} ${shq(f)}`);
  }
  return (
    scriptHeader("capture") +
    `d="$DVRLAB_JOB_DIR"; pids=""
start() { l="$1"; shift; "$@" > "$d/cap.$l" 2> "$d/caperr.$l" < /dev/null & pids="$pids $!"; }
dump() {
  for l in ${labels.map(shq).join(" ")}; do
    echo "${SECTION} capture $l"; cat "$d/cap.$l" 2>/dev/null
    echo "${SECTION} capture-stderr $l"; cat "$d/caperr.$l" 2>/dev/null
  done
  echo "${SECTION} end"
}
trap 'kill -TERM $pids 2>/dev/null; wait; dump; exit 0' TERM INT
${starts.join("\n")}
n=0
while [ $n -lt 60 ]; do
  ok=1
  for l in ${labels.map(shq).join(" ")}; do grep -q "listening on" "$d/caperr.$l" 2>/dev/null || ok=0; done
  [ $ok = 1 ] && break
  sleep 0.1; n=$((n+1))
done
echo ${READY_MARKER}
wait
dump
`
  );
}

export interface CaptureResult {
  /** namespace -> capture; `started` false when tcpdump never reported "listening on". */
  readonly namespaces: Map<string, { started: boolean; packets: NamespacePacket[] }>;
  readonly underlay?: { started: boolean; frames: VxlanFrame[] };
  /** The host-namespace capture of the VMs' ports (when asked for). */
  readonly ports?: { started: boolean; packets: NamespacePacket[] };
  readonly complete: boolean;
}

export function parseCaptureOutput(res: RunResult): CaptureResult {
  const sections = splitSections(res.stdout);
  const namespaces = new Map<string, { started: boolean; packets: NamespacePacket[] }>();
  let underlay: CaptureResult["underlay"];
  let ports: CaptureResult["ports"];
  for (const s of sections) {
    if (s.kind !== "capture") continue;
    const err = sections.find((x) => x.kind === "capture-stderr" && x.label === s.label)?.body ?? "";
    if (s.label === "underlay") underlay = { started: captureStarted(err), frames: parseVxlanCapture(s.body) };
    else if (s.label === "ports") ports = { started: captureStarted(err), packets: parseNamespaceCapture(s.body) };
    else namespaces.set(s.label, { started: captureStarted(err), packets: parseNamespaceCapture(s.body) });
  }
  return { namespaces, ...(underlay ? { underlay } : {}), ...(ports ? { ports } : {}), complete: sections.some((s) => s.kind === "end") };
}
