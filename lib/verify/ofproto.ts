/**
 * The OVS datapath's own explanation of a located break (docs/VERIFY.md "Hop trace"): where the
 * markers stopped between a VM port, a router's port and a tunnel, the verifier asks the host's
 * Open vSwitch what it does with that very packet (`ovs-appctl ofproto/trace`, read-only: it
 * changes no flow, sends nothing) and says whether OVS would hand it to the next point.
 *
 * Pure: requests are built from the break and the lab's ids; one probe script per host; the output
 * parsed into fields. lib/verify/run.ts runs it only for directions that have a break.
 */
import type { LabDescription } from "../model/topology";
import type { Resolved } from "./gate";
import { SECTION, splitSections } from "./parsers";
import { scriptHeader, shJoin } from "./shell";
import type { RunResult } from "./types";
import type { DirectionResult, OfprotoResult, TraceBreak, TraceStep } from "./verdict";

export type { OfprotoResult };

/** Where the traced packet enters OVS: a Neutron port's interface (by iface-id) or a VXLAN tunnel. */
export type TraceEntry =
  | { readonly kind: "port"; readonly portId: string; readonly label: string }
  | { readonly kind: "tunnel"; readonly remoteIp: string; readonly localIp: string; readonly vni: number; readonly label: string };

/** The next point of the expected path: a Neutron port's interface, or the tunnel to a host. */
export type TraceTarget = { readonly kind: "port"; readonly portId: string; readonly label: string } | { readonly kind: "tunnel"; readonly remoteIp: string; readonly label: string };

export interface OfprotoRequest {
  /** Unique per run: "<row>/<direction>". */
  readonly key: string;
  readonly host: string;
  readonly bridge: "br-int" | "br-tun";
  readonly entry: TraceEntry;
  readonly target: TraceTarget;
  /** The packet as it enters OVS there. */
  readonly dlSrc: string;
  readonly dlDst: string;
  readonly nwSrc: string;
  readonly nwDst: string;
}

/** What the ids of the lab give the request builder. `gatewayPorts`: subnet name -> its router port on the gateway IP. */
export interface OfprotoInputs {
  readonly description: LabDescription;
  readonly resolved: Resolved;
  readonly gatewayPorts: Readonly<Record<string, { readonly id: string; readonly mac: string }>>;
  /** The inner source MAC the receiving underlay saw for a direction (most frequent), when any. */
  readonly innerSource?: string;
}

const vmOf = (d: LabDescription, name: string) => d.vms.find((v) => v.name === name);

/** The subnets a direction's OVS trace needs gateway ports of (source and target VM subnets). */
export function subnetsForTrace(d: LabDescription, r: Pick<DirectionResult, "from" | "to" | "break">): string[] {
  if (!r.break) return [];
  return [vmOf(d, r.from)?.subnet, vmOf(d, r.to)?.subnet].filter((x): x is string => !!x);
}

/**
 * The ofproto/trace request for a direction's break, or undefined where OVS is not the place in
 * question (a break inside a namespace, on the underlay wire, or towards an external address) or
 * an id is missing. VM-to-VM directions; the source is a VM for the source-port entry.
 *  - VM port (sent) -> router/tunnel: the VM's frame to its gateway MAC, entering br-int at its tap;
 *  - router (out) -> VM port/tunnel on the same host: the router's frame to the target VM's MAC,
 *    entering br-int at the router's port on the target's subnet;
 *  - underlay (received) -> VM port/router: the VXLAN frame from the sender (VNI of the inner
 *    frame's network, the inner source MAC the capture saw), entering br-tun at the tunnel port.
 */
export function ofprotoRequest(key: string, r: Pick<DirectionResult, "from" | "to" | "break">, x: OfprotoInputs): OfprotoRequest | undefined {
  const b: TraceBreak | undefined = r.break;
  if (!b) return undefined;
  const d = x.description;
  const src = vmOf(d, r.from);
  const dst = vmOf(d, r.to);
  if (!src || !dst) return undefined;
  const srcPort = x.resolved.vmPorts[src.name];
  const dstPort = x.resolved.vmPorts[dst.name];
  const srcGw = x.gatewayPorts[src.subnet];
  const dstGw = x.gatewayPorts[dst.subnet];
  const tunnelIp = (h: string) => x.resolved.tunnelIps[h] ?? d.hosts.find((y) => y.name === h)?.tunnelIp;
  const { last, first } = b;
  // Whose frame crosses OVS between the two points: before the router (source subnet) or after it.
  const beforeRouter = last.kind === "vm-port" || (last.kind === "underlay" && first.kind === "namespace");

  let entry: TraceEntry | undefined;
  let dlSrc: string | undefined;
  let dlDst: string | undefined;
  const host = last.host;
  let bridge: OfprotoRequest["bridge"] = "br-int";
  if (last.kind === "vm-port" && last.stage === "sent" && srcPort && srcGw) {
    entry = { kind: "port", portId: srcPort.id, label: `VM ${src.name}'s port` };
    dlSrc = srcPort.mac;
    dlDst = srcGw.mac;
  } else if (last.kind === "namespace" && last.stage === "out" && last.namespace?.startsWith("qrouter-") && dstGw && dstPort) {
    entry = { kind: "port", portId: dstGw.id, label: `the router's port on ${dst.subnet}` };
    dlSrc = dstGw.mac;
    dlDst = dstPort.mac;
  } else if (last.kind === "underlay" && last.stage === "received" && last.peer) {
    const remoteIp = tunnelIp(last.peer);
    const localIp = tunnelIp(last.host);
    const subnet = beforeRouter ? src.subnet : dst.subnet;
    const vni = x.resolved.segmentationIds[subnet];
    const inner = x.innerSource ?? (beforeRouter ? srcPort?.mac : undefined);
    dlDst = beforeRouter ? (first.host === last.host ? srcGw?.mac : undefined) : dstPort?.mac;
    if (!remoteIp || !localIp || vni === undefined || !inner || !dlDst) return undefined;
    entry = { kind: "tunnel", remoteIp, localIp, vni, label: `the VXLAN tunnel from ${last.peer}` };
    dlSrc = inner;
    bridge = "br-tun";
  }
  if (!entry || !dlSrc || !dlDst) return undefined;

  const target = targetOf(first, host, beforeRouter, { srcGw, dstPort, dst: dst.name, src: src.subnet, tunnelIp });
  if (!target) return undefined;
  return { key, host, bridge, entry, target, dlSrc, dlDst, nwSrc: src.fixedIp, nwDst: dst.fixedIp };
}

function targetOf(
  first: TraceStep,
  host: string,
  beforeRouter: boolean,
  x: { srcGw?: { id: string }; dstPort?: { id: string }; dst: string; src: string; tunnelIp: (h: string) => string | undefined },
): TraceTarget | undefined {
  if (first.kind === "underlay" && first.stage === "sent" && first.host === host && first.peer) {
    const remoteIp = x.tunnelIp(first.peer);
    return remoteIp ? { kind: "tunnel", remoteIp, label: `the VXLAN tunnel to ${first.peer} (${remoteIp})` } : undefined;
  }
  if (first.host !== host) return undefined;
  if (first.kind === "vm-port" && first.stage === "received" && x.dstPort && !beforeRouter) return { kind: "port", portId: x.dstPort.id, label: `VM ${x.dst}'s port` };
  if (first.kind === "namespace" && first.stage === "in" && first.namespace?.startsWith("qrouter-") && x.srcGw && beforeRouter) {
    return { kind: "port", portId: x.srcGw.id, label: `the router's port on ${x.src}` };
  }
  return undefined;
}

/** The flow text after `in_port=<name>,` (ofproto/trace's flow syntax). */
export function flowFields(q: OfprotoRequest): string {
  const tun = q.entry.kind === "tunnel" ? `tun_id=${q.entry.vni},tun_src=${q.entry.remoteIp},tun_dst=${q.entry.localIp},` : "";
  return `${tun}dl_src=${q.dlSrc},dl_dst=${q.dlDst},dl_type=0x0800,nw_src=${q.nwSrc},nw_dst=${q.nwDst},nw_proto=1,nw_ttl=64,icmp_type=8,icmp_code=0`;
}

/**
 * One read-only script per host: per request, the entry and target interfaces found by their
 * Neutron port ids (`ovs-vsctl find Interface external_ids:iface-id=…`) or the tunnel port by its
 * remote IP, then `ovs-appctl ofproto/trace <bridge> <flow>`; at the end `ovs-appctl dpif/show`
 * (datapath port numbers, to read the trace's outputs).
 */
export function ofprotoScript(reqs: readonly OfprotoRequest[], ovsPrefix: readonly string[] = []): string {
  const vsctl = (argv: string[]) => shJoin([...ovsPrefix, "ovs-vsctl", ...argv]);
  const ifaceOf = (portId: string) => `$(${vsctl(["--bare", "--columns=name", "find", "Interface", `external_ids:iface-id=${portId}`])} 2>/dev/null | head -n 1)`;
  const tunnelTo = (ip: string) => `$(${vsctl(["--bare", "--columns=name", "find", "Interface", "type=vxlan", `options:remote_ip=${ip}`])} 2>/dev/null | head -n 1)`;
  const parts = [scriptHeader("ofproto-trace")];
  reqs.forEach((q, i) => {
    parts.push(`echo "${SECTION} ofproto ${i}"`);
    parts.push(`in=${q.entry.kind === "port" ? ifaceOf(q.entry.portId) : tunnelTo(q.entry.remoteIp)}`);
    parts.push(`target=${q.target.kind === "port" ? ifaceOf(q.target.portId) : tunnelTo(q.target.remoteIp)}`);
    parts.push(`echo "in-port $in"; echo "target-port $target"`);
    parts.push(
      `if [ -n "$in" ]; then ${shJoin([...ovsPrefix, "ovs-appctl", "ofproto/trace", q.bridge])} "in_port=$in,${flowFields(q)}" 2>&1; echo "ovs-appctl-rc=$?"; fi`,
    );
  });
  parts.push(`echo "${SECTION} dpif"`, `${shJoin([...ovsPrefix, "ovs-appctl", "dpif/show"])} 2>&1`, `echo "${SECTION} end"`);
  return parts.join("\n") + "\n";
}

/** `ovs-appctl dpif/show`: interface name -> datapath port number ("    tap0123 5/3: (system)"). */
export function parseDpifPorts(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of body.matchAll(/^\s+(\S+) \d+\/(\d+):/gm)) out.set(m[1], Number(m[2]));
  return out;
}

/** The datapath actions' top-level outputs (bare port numbers), e.g. "push_vlan(vid=1),3,pop_vlan,5" -> [3, 5]. */
export function datapathOutputs(actions: string): number[] {
  const out: number[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of actions + ",") {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      if (/^\d+$/.test(cur.trim())) out.push(Number(cur.trim()));
      cur = "";
    } else cur += ch;
  }
  return out;
}

/** Parses one host's ofprotoScript output (requests in the order given). */
export function parseOfprotoOutput(reqs: readonly OfprotoRequest[], res: RunResult): OfprotoResult[] {
  const sections = splitSections(res.stdout);
  const dpif = parseDpifPorts(sections.find((s) => s.kind === "dpif")?.body ?? "");
  return reqs.map((q, i) => {
    const body = sections.find((s) => s.kind === "ofproto" && s.label === String(i))?.body ?? "";
    const inPort = /^in-port (\S*)/m.exec(body)?.[1] ?? "";
    const targetPort = /^target-port (\S*)/m.exec(body)?.[1] ?? "";
    const base = { key: q.key, host: q.host, bridge: q.bridge, flow: `in_port=${inPort || "?"},${flowFields(q)}`, entry: `${q.entry.label}${inPort ? ` ${inPort}` : ""}`, target: `${q.target.label}${targetPort ? ` ${targetPort}` : ""}` };
    if (!body) return { ...base, lines: [], error: res.code === 0 ? "no output for this trace" : `exit ${res.code}: ${res.stderr.trim().slice(0, 200)}` };
    if (!inPort) return { ...base, lines: [], error: `no OVS interface for ${q.entry.label} on ${q.host}` };
    const rc = /^ovs-appctl-rc=(\d+)/m.exec(body)?.[1];
    const actions = /^Datapath actions: (.*)$/m.exec(body)?.[1]?.trim();
    const lines = body
      .split("\n")
      .filter((l) => /^\s*bridge\(|^\s*\d+\. |->|^Datapath actions:|^Final flow:/.test(l))
      .map((l) => l.replace(/\s+$/, ""))
      .slice(0, 60);
    if (rc !== "0" || actions === undefined) return { ...base, lines, error: `ovs-appctl ofproto/trace failed (rc ${rc ?? "?"}): ${body.split("\n").filter((l) => !/^(in|target)-port |^ovs-appctl-rc=/.test(l)).join(" ").trim().slice(0, 200)}` };
    let reachesTarget: boolean | undefined;
    if (q.target.kind === "tunnel") reachesTarget = actions.includes(`dst=${q.target.remoteIp},`) || actions.includes(`dst=${q.target.remoteIp})`);
    else if (targetPort && dpif.has(targetPort)) reachesTarget = datapathOutputs(actions).includes(dpif.get(targetPort)!);
    return { ...base, datapathActions: actions, ...(reachesTarget !== undefined ? { reachesTarget } : {}), lines };
  });
}

/** The reason line a direction gets: "ofproto/trace on com2 br-int: … OVS does not output it to …; Datapath actions: drop". */
export function ofprotoReason(r: OfprotoResult): string {
  const head = `ofproto/trace on ${r.host} ${r.bridge} (from ${r.entry}: ${r.flow})`;
  if (r.error) return `${head}: no trace (${r.error})`;
  const says =
    r.reachesTarget === undefined
      ? `OVS's verdict for ${r.target} unknown`
      : r.reachesTarget
        ? `OVS outputs it to ${r.target} (the datapath is not where it stops)`
        : `OVS does not output it to ${r.target}`;
  const actions = r.datapathActions ?? "";
  // The actions in full are in the field; a tunnel push header makes them long.
  return `${head}: ${says}; Datapath actions: ${actions.length > 160 ? `${actions.slice(0, 160)}…` : actions}`;
}

/** The direction with the trace's reason after the break (and its causes) and the result as a field. */
export function withOfproto(r: DirectionResult, o: OfprotoResult): DirectionResult {
  const reasons = [...r.reasons];
  let i = r.break ? reasons.indexOf(r.break.text) : -1;
  if (i < 0) i = reasons.length - 1;
  while (i + 1 < reasons.length && reasons[i + 1].startsWith("cause at that hop: ")) i++;
  reasons.splice(i + 1, 0, ofprotoReason(o));
  return { ...r, reasons, ofproto: o };
}
