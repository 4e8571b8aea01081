/**
 * The verdict engine: from the evidence of one measurement window (per-namespace IpForwDatagrams
 * deltas, marker-filtered captures inside every router namespace, underlay VXLAN frames) it decides,
 * per row and direction, WHERE the packets were routed, and compares that with the row's `routedAt`.
 * Pure: no I/O. See docs/VERIFY.md for the rules in prose.
 */
import type { DirectionExpectation, RoutingHop, TopologyRow } from "../model/topology";
import type { RouterNamespaceKind, VxlanFrame } from "./parsers";

export type Verdict = "pass" | "fail" | "inconclusive";

/** What was measured in one router namespace during a window. */
export interface NamespaceObservation {
  readonly host: string;
  readonly namespace: string;
  readonly kind: RouterNamespaceKind;
  /** Router name (or the id when the router is not in the description; fip: the external network). */
  readonly owner: string;
  /** IpForwDatagrams after - before; undefined when either read failed. */
  readonly delta?: number;
  /** Whether the marker capture in this namespace was running. */
  readonly captureStarted: boolean;
  /** Marker packets this namespace TRANSMITTED ("Out" in the -i any capture), per `${rowId}/${direction}`. */
  readonly forwarded: Readonly<Record<string, number>>;
  /** Marker packets this namespace RECEIVED ("In"), per `${rowId}/${direction}` (undefined: not counted). */
  readonly received?: Readonly<Record<string, number>>;
  /** The interfaces they came in on, per `${rowId}/${direction}`. */
  readonly receivedOn?: Readonly<Record<string, readonly string[]>>;
}

export interface UnderlayObservation {
  readonly host: string;
  readonly started: boolean;
  readonly frames: readonly VxlanFrame[];
}

/** What the capture of a VM's port (the host side of its tap) saw during a window. */
export interface PortObservation {
  readonly host: string;
  readonly vm: string;
  /** The host-side device ("tap" + the port id's first 11 characters, as Nova/os-vif name it). */
  readonly device: string;
  /** Whether the host's port capture was running. */
  readonly started: boolean;
  /** Marker packets the VM sent (In on the device), per `${rowId}/${direction}`. */
  readonly fromVm: Readonly<Record<string, number>>;
  /** Marker packets delivered to the VM (Out on the device), per `${rowId}/${direction}`. */
  readonly toVm: Readonly<Record<string, number>>;
}

export interface WindowEvidence {
  readonly namespaces: readonly NamespaceObservation[];
  readonly underlay: readonly UnderlayObservation[];
  /** The VMs' ports (absent: not captured, as in evidence from an older verifier). */
  readonly ports?: readonly PortObservation[];
  /** Hosts whose snapshot, counters or capture failed, with the reason (their evidence is missing). */
  readonly hostErrors: Readonly<Record<string, string>>;
}

export interface JudgeContext {
  /** Pings per row (after the warm-up). */
  readonly pings: number;
  /** Marker packets a namespace must forward for a direction to count as routed there (default = pings). */
  readonly minForwarded: number;
  /** Resolves a routing hop of the description to its namespace name (undefined: id unknown). */
  readonly namespaceOf: (hop: RoutingHop) => string | undefined;
  /** host -> DVR MAC (from the structure snapshot). */
  readonly dvrMacs: Readonly<Record<string, string>>;
  /** VM name -> host (from the description). */
  readonly vmHost: (vm: string) => string | undefined;
  /** IP total length -> row id (the size markers of this window). */
  readonly rowOfLength: ReadonlyMap<number, string>;
  /**
   * The VNI a frame routed by a qrouter (inner source = a DVR MAC) must travel in: the network of
   * the next hop, i.e. the destination VM's subnet, or for traffic to the outside the source VM's
   * subnet (its sg- port). Undefined: not resolved (no check).
   */
  readonly dvrVni?: { readonly vni: number; readonly subnet: string };
  /** Ping outcome of the row (undefined when no ping ran). */
  readonly ping?: { readonly ran: boolean; readonly transmitted: number; readonly received: number };
  /** host -> its tunnel IP (the underlay steps of the hop trace need it). @default - no underlay steps */
  readonly tunnelIpOf?: (host: string) => string | undefined;
}

/**
 * One observation point of a direction's expected path, in path order: the source VM's port
 * (`sent`), each router namespace (`in`, then `out`), the sending host's underlay (`sent`) and the
 * receiving host's (`received`) where the path changes host, the target VM's port (`received`).
 */
export interface TraceStep {
  /** The point as text: "com2 VM a port tap0123abcd-ef", "com2 qrouter (qrouter-…)", "underlay com2 -> com1". */
  readonly at: string;
  readonly host: string;
  readonly kind: "vm-port" | "namespace" | "underlay";
  readonly stage: "sent" | "in" | "out" | "received";
  /** Marker packets of this direction seen there; undefined: not observed (capture not running, device or address unknown). */
  readonly count?: number;
  /** What else the point saw: interfaces, VNI and inner source MAC. */
  readonly detail?: string;
  /** The namespace (namespace steps) or the VM (vm-port steps). */
  readonly namespace?: string;
  readonly vm?: string;
  /** The underlay's other end (underlay steps). */
  readonly peer?: string;
}

/** Where a direction's markers stopped: the last step that saw them and the first expected one that did not. */
export interface TraceBreak {
  readonly last: TraceStep;
  readonly first: TraceStep;
  /** The sentence: "broken at …" / "broken between … and …" / "broken on the underlay …". */
  readonly text: string;
}

export interface NamespaceEvidence {
  readonly host: string;
  readonly namespace: string;
  readonly kind: RouterNamespaceKind;
  readonly owner: string;
  readonly expected: boolean;
  readonly delta?: number;
  readonly forwardedMarked: number;
  /** Marker packets that came in (undefined: not counted). */
  readonly receivedMarked?: number;
  /** The counter moved by at least what the captures attribute to this namespace in the window. */
  readonly counterConfirms: boolean;
}

/** The OVS datapath's explanation of a break (lib/verify/ofproto.ts). */
export interface OfprotoResult {
  readonly key: string;
  readonly host: string;
  readonly bridge: string;
  /** The flow as passed to ofproto/trace (port names resolved on the node). */
  readonly flow: string;
  readonly entry: string;
  readonly target: string;
  /** The final line of the trace ("drop", "push_vlan(...),3", "tnl_push(...)"); undefined: no trace. */
  readonly datapathActions?: string;
  /** Whether OVS outputs the packet to the target; undefined: could not tell (no trace, port unknown). */
  readonly reachesTarget?: boolean;
  /** The trace's rule and decision lines (bridge, table/priority lines, "->" notes), at most 60. */
  readonly lines: readonly string[];
  /** Why there is no trace (interface not found, ovs-appctl failed). */
  readonly error?: string;
}

export interface DirectionResult {
  readonly direction: DirectionExpectation["direction"];
  readonly from: string;
  readonly to: string;
  readonly expected: string[];
  readonly observed: string[];
  readonly verdict: Verdict;
  readonly reasons: string[];
  /** The hop trace: every observation point of the expected path, in order (absent: not built). */
  readonly trace?: TraceStep[];
  /** The located break, when the markers reached a point and not the next. */
  readonly break?: TraceBreak;
  /** What Open vSwitch does with the packet at the break (ofproto/trace), when OVS is the place in question. */
  readonly ofproto?: OfprotoResult;
  readonly evidence: {
    readonly namespaces: NamespaceEvidence[];
    readonly underlay: {
      readonly frames: number;
      readonly innerSources: { mac: string; host?: string; count: number }[];
      readonly vnis: number[];
    };
  };
}

export function markerKey(rowId: string, direction: string): string {
  return `${rowId}/${direction}`;
}

export function hopLabel(host: string, kind: string): string {
  return `${host} ${kind}`;
}

/**
 * Per namespace: the counter confirms the captures when IpForwDatagrams moved by at least
 * `minForwarded` for every (row, direction) the captures say it routed in this window. Computed once
 * per window because a namespace's counter is shared by all rows measured together.
 */
export function counterConfirmation(evidence: WindowEvidence, minForwarded: number): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const ns of evidence.namespaces) {
    const claims = Object.values(ns.forwarded).filter((c) => c >= minForwarded).length;
    out.set(`${ns.host}/${ns.namespace}`, ns.delta !== undefined && ns.delta >= claims * minForwarded);
  }
  return out;
}

/** Unique marker frames of one row/direction across all hosts (each frame is seen by sender and receiver). */
function underlayFrames(evidence: WindowEvidence, rowId: string, direction: string, ctx: JudgeContext): VxlanFrame[] {
  const seen = new Map<string, VxlanFrame>();
  const icmp = direction === "request" ? "request" : "reply";
  for (const u of evidence.underlay) {
    for (const f of u.frames) {
      if (ctx.rowOfLength.get(f.ipLength) !== rowId || f.icmp !== icmp) continue;
      seen.set([f.outerSrc, f.outerDst, f.vni, f.innerSrcMac, f.innerDstMac, f.id, f.seq].join("|"), f);
    }
  }
  return [...seen.values()];
}

const STAGE_TEXT: Readonly<Record<TraceStep["stage"], string>> = { sent: "sent", in: "in", out: "out", received: "received" };

/** The hop trace of one direction (see TraceStep), from the window's evidence. */
export function traceOf(exp: DirectionExpectation, evidence: WindowEvidence, ctx: JudgeContext, key: string): TraceStep[] {
  const steps: TraceStep[] = [];
  const port = (vm: string) => evidence.ports?.find((p) => p.vm === vm);
  const byNs = new Map(evidence.namespaces.map((n) => [`${n.host}/${n.namespace}`, n]));
  const macHost = new Map(Object.entries(ctx.dvrMacs).map(([h, m]) => [m.toLowerCase(), h]));
  const [rowId, direction] = key.split("/");
  const icmp = direction === "request" ? "request" : "reply";
  const underlay = (a: string, b: string) => {
    const ipA = ctx.tunnelIpOf?.(a);
    const ipB = ctx.tunnelIpOf?.(b);
    const seenOn = (h: string) => {
      const u = evidence.underlay.find((x) => x.host === h);
      if (!u?.started || !ipA || !ipB) return undefined;
      const frames = new Map<string, VxlanFrame>();
      for (const f of u.frames) {
        if (f.outerSrc !== ipA || f.outerDst !== ipB || f.icmp !== icmp || ctx.rowOfLength.get(f.ipLength) !== rowId) continue;
        frames.set([f.vni, f.innerSrcMac, f.id, f.seq].join("|"), f);
      }
      return [...frames.values()];
    };
    const describe = (frames: VxlanFrame[] | undefined) => {
      if (!frames?.length) return undefined;
      const vnis = [...new Set(frames.map((f) => f.vni))].join(",");
      const macs = [...new Set(frames.map((f) => f.innerSrcMac))].map((m) => (macHost.has(m) ? `${m} (DVR MAC of ${macHost.get(m)})` : m)).join(", ");
      return `VNI ${vnis}, inner source ${macs}`;
    };
    const sent = seenOn(a);
    const got = seenOn(b);
    steps.push({ at: `underlay ${a} -> ${b}`, host: a, peer: b, kind: "underlay", stage: "sent", ...(sent ? { count: sent.length } : {}), ...(describe(sent) ? { detail: describe(sent) } : {}) });
    steps.push({ at: `underlay ${a} -> ${b}`, host: b, peer: a, kind: "underlay", stage: "received", ...(got ? { count: got.length } : {}), ...(describe(got) ? { detail: describe(got) } : {}) });
  };
  // A VM's port: what the VM sent (source) or what it was delivered (target).
  const portStep = (vm: string, host: string, stage: "sent" | "received"): TraceStep => {
    const p = port(vm);
    return {
      at: `${host} VM ${vm} port${p ? ` ${p.device}` : ""}`,
      host,
      kind: "vm-port",
      stage,
      vm,
      ...(p?.started ? { count: (stage === "sent" ? p.fromVm : p.toVm)[key] ?? 0 } : {}),
    };
  };
  let here = ctx.vmHost(exp.from);
  if (here) steps.push(portStep(exp.from, here, "sent"));
  for (const hop of exp.routedAt) {
    if (here && here !== hop.host) underlay(here, hop.host);
    here = hop.host;
    const ns = ctx.namespaceOf(hop);
    const n = ns ? byNs.get(`${hop.host}/${ns}`) : undefined;
    const at = `${hopLabel(hop.host, hop.namespace)}${ns ? ` (${ns})` : ""}`;
    const on = n?.receivedOn?.[key]?.length ? `on ${n.receivedOn[key].join(", ")}` : undefined;
    steps.push({ at, host: hop.host, kind: "namespace", stage: "in", ...(ns ? { namespace: ns } : {}), ...(n?.captureStarted && n.received ? { count: n.received[key] ?? 0 } : {}), ...(on ? { detail: on } : {}) });
    steps.push({ at, host: hop.host, kind: "namespace", stage: "out", ...(ns ? { namespace: ns } : {}), ...(n?.captureStarted ? { count: n.forwarded[key] ?? 0 } : {}) });
  }
  const dstHost = ctx.vmHost(exp.to);
  if (dstHost) {
    if (here && here !== dstHost) underlay(here, dstHost);
    steps.push(portStep(exp.to, dstHost, "received"));
  }
  return steps;
}

/**
 * The located break: the first observed step that saw NONE of the direction's markers after a step
 * that saw some (a partial loss, 5 then 3, is not a break: the markers got through). Steps not
 * observed are skipped, so a break may lie between two observed points with one unobserved between.
 */
export function traceBreak(steps: readonly TraceStep[]): TraceBreak | undefined {
  let last: TraceStep | undefined;
  for (const s of steps) {
    if (s.count === undefined) continue;
    if (s.count > 0) {
      last = s;
      continue;
    }
    // None before anything was seen: not a break (the markers did not start there, or that
    // point's capture missed them); look further.
    if (!last) continue;
    const text =
      last.kind === "namespace" && s.kind === "namespace" && last.at === s.at
        ? `broken at ${s.at}: ${last.count} marker packets in${last.detail ? ` ${last.detail}` : ""}, ${s.count} out`
        : last.kind === "underlay" && s.kind === "underlay" && last.at === s.at
          ? `broken on the ${s.at}: ${last.count} VXLAN frames sent from ${last.host}${last.detail ? ` (${last.detail})` : ""}, ${s.count} arrived at ${s.host}`
          : `broken between ${last.at}${last.kind === "underlay" ? ` (${STAGE_TEXT[last.stage]} at ${last.host})` : ""} and ${s.at}${s.kind === "underlay" ? ` (${STAGE_TEXT[s.stage]} at ${s.host})` : ""}: ${last.count} marker packets ${last.kind === "vm-port" ? "left the VM" : last.stage === "out" ? "out" : "seen"}, ${s.count} ${s.kind === "vm-port" ? "reached the VM" : s.stage === "in" ? "in" : "seen"}`;
    return { last, first: s, text };
  }
  return undefined;
}

/** One line per trace step, for reports: "com2 qrouter (qrouter-…) in: 5 on qr-…". */
export function traceLine(s: TraceStep): string {
  const where = s.kind === "underlay" ? `${s.at} ${STAGE_TEXT[s.stage]} at ${s.host}` : `${s.at} ${STAGE_TEXT[s.stage]}`;
  return `${where}: ${s.count === undefined ? "not observed" : s.count}${s.detail ? ` (${s.detail})` : ""}`;
}

export function judgeDirection(
  row: TopologyRow,
  exp: DirectionExpectation,
  evidence: WindowEvidence,
  confirmed: ReadonlyMap<string, boolean>,
  ctx: JudgeContext,
): DirectionResult {
  const key = markerKey(row.id, exp.direction);
  const T = ctx.minForwarded;
  const reasons: string[] = [];
  const expectedLabels = exp.routedAt.map((h) => hopLabel(h.host, h.namespace));

  // Resolve the expected namespaces.
  const expected = new Map<string, RoutingHop>();
  const unresolved: RoutingHop[] = [];
  for (const hop of exp.routedAt) {
    const ns = ctx.namespaceOf(hop);
    if (ns) expected.set(`${hop.host}/${ns}`, hop);
    else unresolved.push(hop);
  }

  const byKey = new Map(evidence.namespaces.map((n) => [`${n.host}/${n.namespace}`, n]));
  const nsEvidence: NamespaceEvidence[] = [];
  const observed: NamespaceObservation[] = [];
  const weak: NamespaceObservation[] = [];
  for (const n of evidence.namespaces) {
    const k = `${n.host}/${n.namespace}`;
    const c = n.forwarded[key] ?? 0;
    const isExpected = expected.has(k);
    const ok = confirmed.get(k) ?? false;
    if (isExpected || c > 0) {
      nsEvidence.push({
        host: n.host,
        namespace: n.namespace,
        kind: n.kind,
        owner: n.owner,
        expected: isExpected,
        ...(n.delta !== undefined ? { delta: n.delta } : {}),
        forwardedMarked: c,
        ...(n.received ? { receivedMarked: n.received[key] ?? 0 } : {}),
        counterConfirms: ok,
      });
    }
    if (c >= T && ok) observed.push(n);
    else if (c > 0) weak.push(n);
  }
  // Expected hops first, in routedAt order, then the unexpected ones.
  const order = [...expected.keys()];
  const rank = (n: NamespaceObservation) => {
    const i = order.indexOf(`${n.host}/${n.namespace}`);
    return i < 0 ? order.length : i;
  };
  observed.sort((a, b) => rank(a) - rank(b));
  const observedLabels = observed.map((n) => hopLabel(n.host, n.kind));

  // Underlay corroboration.
  const frames = underlayFrames(evidence, row.id, exp.direction, ctx);
  const macHost = new Map(Object.entries(ctx.dvrMacs).map(([h, m]) => [m.toLowerCase(), h]));
  const sources = new Map<string, number>();
  for (const f of frames) sources.set(f.innerSrcMac, (sources.get(f.innerSrcMac) ?? 0) + 1);
  const innerSources = [...sources].map(([mac, count]) => ({ mac, count, ...(macHost.has(mac) ? { host: macHost.get(mac)! } : {}) }));
  const vnis = [...new Set(frames.map((f) => f.vni))].sort((a, b) => a - b);
  const underlayContradictions: string[] = [];
  const qrouterHosts = new Set(exp.routedAt.filter((h) => h.namespace === "qrouter").map((h) => h.host));
  for (const s of innerSources) {
    const dvrLike = s.host !== undefined || /^fa:16:3f:/i.test(s.mac);
    if (!dvrLike) continue;
    if (!row.distributed) underlayContradictions.push(`underlay: legacy flow carries a DVR MAC ${s.mac}${s.host ? ` (${s.host})` : ""}`);
    else if (s.host && !qrouterHosts.has(s.host)) underlayContradictions.push(`underlay: inner source is ${s.host}'s DVR MAC ${s.mac}, but ${s.host}'s qrouter is not expected to route this direction`);
  }
  if (row.distributed && ctx.dvrVni) {
    const want = ctx.dvrVni;
    const off = [...new Set(frames.filter((f) => (macHost.has(f.innerSrcMac) || /^fa:16:3f:/i.test(f.innerSrcMac)) && f.vni !== want.vni).map((f) => f.vni))];
    if (off.length) underlayContradictions.push(`underlay: routed frame(s) (inner source a DVR MAC) in VNI ${off.join(",")}, expected VNI ${want.vni} (${want.subnet}): a routed frame crosses in the next hop's network`);
  }
  const involved = new Set<string>(exp.routedAt.map((h) => h.host));
  for (const end of [exp.from, exp.to]) {
    const h = ctx.vmHost(end);
    if (h) involved.add(h);
  }
  if (involved.size === 1 && frames.length > 0) {
    underlayContradictions.push(`underlay: ${frames.length} marker frame(s) crossed a tunnel although everything is expected on ${[...involved][0]}`);
  }

  const trace = traceOf(exp, evidence, ctx, key);
  const broken = traceBreak(trace);
  const result = (verdict: Verdict, located = false): DirectionResult => ({
    direction: exp.direction,
    from: exp.from,
    to: exp.to,
    expected: expectedLabels,
    observed: observedLabels,
    verdict,
    reasons,
    trace,
    ...(located && broken ? { break: broken } : {}),
    evidence: { namespaces: nsEvidence, underlay: { frames: frames.length, innerSources, vnis } },
  });

  // 1. Without the expected namespaces' names nothing can be compared.
  if (unresolved.length > 0) {
    reasons.push(`cannot name the namespace of ${unresolved.map((h) => `${h.host} ${h.namespace} (${h.router})`).join(", ")}: id not resolved from the API`);
    return result("inconclusive");
  }

  // 2. Another namespace routed this direction: fail, whatever else is missing.
  const unexpected = observed.filter((n) => !expected.has(`${n.host}/${n.namespace}`));
  if (unexpected.length > 0) {
    for (const n of unexpected) {
      reasons.push(`${hopLabel(n.host, n.kind)} (${n.namespace}) forwarded ${n.forwarded[key]} marker packets (IpForwDatagrams +${n.delta}); not in routedAt`);
    }
    return result("fail");
  }

  // 3. Missing evidence.
  if (!ctx.ping || !ctx.ping.ran) {
    reasons.push("no traffic was generated from the VM for this row");
    return result("inconclusive");
  }
  const failedHosts = Object.keys(evidence.hostErrors);
  if (failedHosts.length > 0) {
    for (const h of failedHosts) reasons.push(`no complete evidence from ${h}: ${evidence.hostErrors[h]}`);
    return result("inconclusive");
  }

  // 4. An expected namespace that does not exist on its host cannot have routed: fail.
  const absent = [...expected].filter(([k]) => !byKey.has(k));
  if (absent.length > 0) {
    for (const [k, hop] of absent) reasons.push(`expected namespace ${k.split("/")[1]} does not exist on ${hop.host}`);
    return result("fail");
  }

  const notStarted = [...expected.keys()].map((k) => byKey.get(k)!).filter((n) => !n.captureStarted);
  if (notStarted.length > 0) {
    for (const n of notStarted) reasons.push(`marker capture did not start in ${n.namespace} on ${n.host}`);
    return result("inconclusive");
  }
  const unobservable = evidence.namespaces.filter((n) => !n.captureStarted);
  if (unobservable.length > 0) {
    for (const n of unobservable) reasons.push(`marker capture did not start in ${n.namespace} on ${n.host}: cannot rule out that it routed`);
    return result("inconclusive");
  }

  // 5. Expected namespaces that did not (fully) route. One that RECEIVED the markers and sent
  // (almost) none out is where the path broke: positive evidence, fail, naming the hop.
  const missing = [...expected.keys()].filter((k) => !observed.some((n) => `${n.host}/${n.namespace}` === k));
  if (missing.length > 0) {
    const anyMarker = evidence.namespaces.some((n) => (n.forwarded[key] ?? 0) > 0 || (n.received?.[key] ?? 0) > 0);
    const breaks: string[] = [];
    for (const k of missing) {
      const n = byKey.get(k)!;
      const c = n.forwarded[key] ?? 0;
      const got = n.received?.[key] ?? 0;
      if (got >= T && c < T) {
        const on = n.receivedOn?.[key]?.length ? ` on ${n.receivedOn[key].join(", ")}` : "";
        breaks.push(`broken at ${hopLabel(n.host, n.kind)} (${n.namespace}): ${got} marker packets in${on}, ${c} out`);
      } else if (c >= T) reasons.push(`${hopLabel(n.host, n.kind)}: capture shows ${c} forwarded, but IpForwDatagrams moved only +${n.delta ?? "?"} (counter does not confirm)`);
      else reasons.push(`${hopLabel(n.host, n.kind)}: ${c} of ${T} marker packets forwarded (IpForwDatagrams +${n.delta ?? "?"})`);
    }
    if (broken) {
      reasons.unshift(broken.text);
      return result("fail", true);
    }
    if (breaks.length) {
      reasons.unshift(...breaks);
      return result("fail");
    }
    const source = trace.find((x) => x.kind === "vm-port" && x.stage === "sent");
    if (source?.count === 0) reasons.push(`the source VM sent no marker packet of this direction (its port ${source.at} saw none)`);
    else if (!anyMarker) reasons.push(`no namespace forwarded a marker packet of this direction (ping ${ctx.ping.received}/${ctx.ping.transmitted} answered): packets lost before any router`);
    return result("inconclusive");
  }

  // 5b. Routed where expected, but the markers stopped after that (the target never got them).
  if (broken) {
    reasons.push(broken.text);
    return result("fail", true);
  }

  // 6. Expected namespaces all routed; nothing else did. Anything contradictory?
  const strayWeak = weak.filter((n) => !expected.has(`${n.host}/${n.namespace}`));
  for (const n of strayWeak) reasons.push(`${hopLabel(n.host, n.kind)} (${n.namespace}) also forwarded ${n.forwarded[key]} marker packet(s) (below ${T})`);
  reasons.push(...underlayContradictions);
  if (strayWeak.length > 0 || underlayContradictions.length > 0) return result("inconclusive");

  for (const n of observed) reasons.push(`${hopLabel(n.host, n.kind)}: ${n.forwarded[key]} marker packets forwarded, IpForwDatagrams +${n.delta}`);
  const corroborating = innerSources.filter((s) => s.host);
  if (corroborating.length) {
    const vniNote = ctx.dvrVni && vnis.length === 1 && vnis[0] === ctx.dvrVni.vni ? ` = ${ctx.dvrVni.subnet}'s` : "";
    reasons.push(`underlay: inner source ${corroborating.map((s) => `${s.mac} = DVR MAC of ${s.host}`).join(", ")} in VNI ${vnis.join(",")}${vniNote}`);
  }
  return result("pass");
}

export function worst(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.includes("fail")) return "fail";
  if (verdicts.includes("inconclusive") || verdicts.length === 0) return "inconclusive";
  return "pass";
}
