/**
 * Parsers for what the probes print on a node. Formats follow iproute2, Linux /proc/net/snmp,
 * Open vSwitch `ovs-ofctl dump-flows`, tcpdump 4.99 (`-nne`, LINUX_SLL2 on `-i any`, and the older
 * LINUX_SLL / EN10MB forms) and iputils / BusyBox ping. Pure functions; fixtures in test/verify.
 */

/** Section separator the probe scripts print: `### DVRLAB <kind> [<label>]`. */
export const SECTION = "### DVRLAB";

export interface Section {
  readonly kind: string;
  readonly label: string;
  readonly body: string;
}

/** Splits probe output into sections (text before the first separator is dropped). */
export function splitSections(output: string): Section[] {
  const out: Section[] = [];
  let current: { kind: string; label: string; lines: string[] } | undefined;
  for (const line of output.split("\n")) {
    if (line.startsWith(SECTION + " ")) {
      if (current) out.push({ kind: current.kind, label: current.label, body: current.lines.join("\n") });
      const [kind, ...rest] = line.slice(SECTION.length + 1).trim().split(/\s+/);
      current = { kind, label: rest.join(" "), lines: [] };
    } else if (current) {
      current.lines.push(line);
    }
  }
  if (current) out.push({ kind: current.kind, label: current.label, body: current.lines.join("\n") });
  return out;
}

/** `ip netns list` ("name" or "name (id: N)" per line). */
export function parseNetnsList(output: string): string[] {
  return output
    .split("\n")
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n) => !!n && /^[A-Za-z0-9_.-]+$/.test(n));
}

export type RouterNamespaceKind = "qrouter" | "snat" | "fip";

/** Splits "qrouter-<id>", "snat-<id>", "fip-<ext net id>"; undefined for other namespaces. */
export function classifyNamespace(ns: string): { kind: RouterNamespaceKind; id: string } | undefined {
  const m = /^(qrouter|snat|fip)-(.+)$/.exec(ns);
  return m ? { kind: m[1] as RouterNamespaceKind, id: m[2] } : undefined;
}

/**
 * A counter from /proc/net/snmp: the file has pairs of lines "Ip: <names>" / "Ip: <values>".
 * Returns undefined when the group or the field is absent or the value is not a number.
 */
export function parseSnmpCounter(output: string, group = "Ip", field = "ForwDatagrams"): number | undefined {
  const lines = output.split("\n").filter((l) => l.startsWith(group + ":"));
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i].split(/\s+/).slice(1);
    const values = lines[i + 1].split(/\s+/).slice(1);
    const idx = names.indexOf(field);
    if (idx >= 0) {
      const v = Number(values[idx]);
      return Number.isFinite(v) && values[idx] !== undefined && values[idx] !== "" ? v : undefined;
    }
  }
  return undefined;
}

const MAC = "[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}";

/**
 * The host's DVR MAC from `ovs-ofctl dump-flows br-tun table=1`: the `mod_dl_src:` of the DVR
 * process flows (Neutron rewrites the gateway MAC to this host's DVR MAC there). Returns every
 * distinct value; a healthy host has exactly one.
 */
export function parseDvrMacFromFlows(output: string): string[] {
  const macs = new Set<string>();
  const re = new RegExp(`mod_dl_src:(${MAC})`, "g");
  for (const line of output.split("\n")) {
    if (!/table=1\b/.test(line) && /table=\d+/.test(line)) continue;
    for (const m of line.matchAll(re)) macs.add(m[1].toLowerCase());
  }
  return [...macs];
}

/** The OVS agent's start-up log line "L2 Agent operating in DVR Mode with MAC <mac>" (last one wins). */
export function parseDvrMacFromLog(output: string): string | undefined {
  const re = new RegExp(`operating in DVR Mode with MAC (${MAC})`, "g");
  let last: string | undefined;
  for (const m of output.matchAll(re)) last = m[1].toLowerCase();
  return last;
}

/** `ip -o -4 addr show`: interface name that holds an address (e.g. the VXLAN local_ip). */
export function interfaceWithAddress(output: string, ip: string): string | undefined {
  for (const line of output.split("\n")) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+([0-9.]+)\//.exec(line.trim());
    if (m && m[2] === ip) return m[1];
  }
  return undefined;
}

export type IcmpKind = "request" | "reply";

/** One marker packet seen inside a router namespace (`tcpdump -lnne -i any`). */
export interface NamespacePacket {
  /** Interface (LINUX_SLL2 only; undefined for LINUX_SLL / per-device captures). */
  readonly iface?: string;
  /** "In" / "Out" (cooked captures); undefined when the capture has no direction. */
  readonly pktDirection?: "In" | "Out" | "B" | "M" | "P";
  readonly src: string;
  readonly dst: string;
  readonly icmp: IcmpKind;
  readonly id: number;
  readonly seq: number;
  /** IP total length (ICMP length + 20). */
  readonly ipLength: number;
}

const ICMP_RE =
  /([0-9.]+) > ([0-9.]+): ICMP echo (request|reply), id (\d+), seq (\d+), length (\d+)/;

type IcmpFields = Pick<NamespacePacket, "src" | "dst" | "icmp" | "id" | "seq" | "ipLength">;

/** The ICMP_RE groups of a match, starting at group `at` (IP total length = ICMP length + 20). */
function icmpFields(m: RegExpExecArray, at: number): IcmpFields {
  return { src: m[at], dst: m[at + 1], icmp: m[at + 2] as IcmpKind, id: Number(m[at + 3]), seq: Number(m[at + 4]), ipLength: Number(m[at + 5]) + 20 };
}

/**
 * Interface and direction from the text before the packet: LINUX_SLL2 of tcpdump >= 4.99 on `-i any`
 * ("qr-5e1c2a7b-3d Out ifindex 10 ..."), LINUX_SLL of older tcpdump ("Out ..."), none for Ethernet.
 */
function cookedHead(head: string): { iface?: string; pktDirection?: NamespacePacket["pktDirection"] } {
  const sll2 = /^\S+\s+(\S+)\s+(In|Out|B|M|P)\s+ifindex\s+\d+/.exec(head);
  if (sll2) return { iface: sll2[1], pktDirection: sll2[2] as NamespacePacket["pktDirection"] };
  const sll = /^\S+\s+(In|Out|B|M|P)\s+/.exec(head);
  return sll ? { pktDirection: sll[1] as NamespacePacket["pktDirection"] } : {};
}

/**
 * Parses a namespace capture (`cookedHead` for the capture forms). Lines without an ICMP echo are
 * ignored.
 */
export function parseNamespaceCapture(output: string): NamespacePacket[] {
  const out: NamespacePacket[] = [];
  for (const line of output.split("\n")) {
    const m = ICMP_RE.exec(line);
    if (m) out.push({ ...cookedHead(line.slice(0, m.index)), ...icmpFields(m, 1) });
  }
  return out;
}

/** One VXLAN frame carrying a marker packet, seen on a node's underlay. */
export interface VxlanFrame {
  readonly iface?: string;
  readonly pktDirection?: string;
  readonly outerSrc: string;
  readonly outerDst: string;
  readonly vni: number;
  readonly innerSrcMac: string;
  readonly innerDstMac: string;
  readonly src: string;
  readonly dst: string;
  readonly icmp: IcmpKind;
  readonly id: number;
  readonly seq: number;
  readonly ipLength: number;
}

/**
 * Parses an underlay capture (`tcpdump -lnne ... 'udp port 4789 ...'`). tcpdump prints the outer
 * header and "VXLAN, flags [I] (0x08), vni N" on one line and the inner frame
 * ("<src mac> > <dst mac>, ethertype IPv4 (0x0800), length L: a > b: ICMP echo ...") on the next
 * line of the same packet.
 */
export function parseVxlanCapture(output: string): VxlanFrame[] {
  const out: VxlanFrame[] = [];
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const outer = /([0-9.]+)\.\d+ > ([0-9.]+)\.\d+: VXLAN, flags \[[^\]]*\] \([^)]*\), vni (\d+)/.exec(lines[i]);
    if (!outer) continue;
    // The inner frame normally follows on the next line; accept it on the same line too.
    const rest = lines[i].slice(outer.index + outer[0].length) + "\n" + (lines[i + 1] ?? "");
    const inner = new RegExp(`(${MAC}) > (${MAC}), ethertype IPv4 \\(0x0800\\), length \\d+: ` + ICMP_RE.source).exec(rest);
    if (!inner) continue;
    out.push({
      ...cookedHead(lines[i].slice(0, outer.index)),
      outerSrc: outer[1],
      outerDst: outer[2],
      vni: Number(outer[3]),
      innerSrcMac: inner[1].toLowerCase(),
      innerDstMac: inner[2].toLowerCase(),
      ...icmpFields(inner, 3),
    });
  }
  return out;
}

/** Whether a tcpdump stderr shows the capture actually started. */
export function captureStarted(stderr: string): boolean {
  return /listening on /.test(stderr);
}

/** iputils ("5 received") and BusyBox ("5 packets received") ping summaries. */
export function parsePingSummary(output: string): { transmitted: number; received: number } | undefined {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(output);
  return m ? { transmitted: Number(m[1]), received: Number(m[2]) } : undefined;
}

/** Neutron agent `configurations` (API) or `configuration` (newer OSC output); {} when absent. */
export function agentConfiguration(agent: Record<string, unknown>): Record<string, unknown> {
  for (const key of ["configurations", "configuration"]) {
    const v = agent[key];
    if (v && typeof v === "object") return v as Record<string, unknown>;
    if (typeof v === "string") {
      try {
        const parsed = JSON.parse(v);
        if (parsed && typeof parsed === "object") return parsed as Record<string, unknown>;
      } catch {
        // OSC's table form: agent_mode='dvr', l2_population='True', ...
        const kv: Record<string, unknown> = {};
        for (const m of v.matchAll(/([A-Za-z_][\w.-]*)\s*[=:]\s*'?([^',}]*)'?/g)) kv[m[1]] = m[2].trim();
        if (Object.keys(kv).length > 0) return kv;
      }
    }
  }
  return {};
}

/** Neutron/OSC booleans: true, "True", "true", "yes", 1. */
export function truthy(v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "number") return v !== 0;
  if (typeof v === "string") return /^(true|yes|1|on)$/i.test(v.trim());
  return false;
}

/** Whether a MAC is from Neutron's default DVR base (fa:16:3f:...). */
export function looksLikeDvrMac(mac: string): boolean {
  return /^fa:16:3f:/i.test(mac);
}

/**
 * Remote IPs of the VXLAN tunnel ports in OVS, from `ovs-appctl dpif/show | grep -i vxlan`
 * ("vxlan-c000020c 2/4789: (vxlan: key=flow, local_ip=192.0.2.11, remote_ip=192.0.2.12)").
 * Undefined when the listing failed (no ovs-appctl, vswitchd not reachable).
 */
export function parseVxlanRemotes(output: string): string[] | undefined {
  const ports = parseVxlanPorts(output);
  return ports ? [...new Set(ports.map((p) => p.remote))].sort() : undefined;
}

/** One VXLAN port of `ovs-appctl dpif/show`: its name, OpenFlow port number (on its bridge) and remote IP. */
export interface VxlanPort {
  readonly name: string;
  readonly ofport: number;
  readonly remote: string;
}

/** The VXLAN ports of `ovs-appctl dpif/show | grep -i vxlan` ("vxlan-c000020c 2/4789: (vxlan: ..., remote_ip=192.0.2.12)"); undefined when the listing failed. */
export function parseVxlanPorts(output: string): VxlanPort[] | undefined {
  if (/ovs-appctl-rc=(\d+)/.exec(output)?.[1] !== "0") return undefined;
  const out: VxlanPort[] = [];
  for (const line of output.split("\n")) {
    const m = /^\s*(\S+) (\d+)\/\S+: \(vxlan:.*\bremote_ip="?([0-9]{1,3}(?:\.[0-9]{1,3}){3})"?/.exec(line);
    if (m) out.push({ name: m[1], ofport: Number(m[2]), remote: m[3] });
    else {
      // A line whose port number did not parse still names the remote (older output shapes).
      const r = /remote_ip="?([0-9]{1,3}(?:\.[0-9]{1,3}){3})"?/.exec(line);
      if (r) out.push({ name: "?", ofport: -1, remote: r[1] });
    }
  }
  return out;
}

/** OpenFlow ports that some flow outputs to, from `ovs-ofctl --no-names dump-flows BR | grep -o 'output:[0-9]*'`. */
export function parseOutputPorts(output: string): number[] {
  return [...new Set([...output.matchAll(/output:(\d+)/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
}
