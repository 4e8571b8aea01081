/**
 * The verify run: control-plane gate, structure snapshot, then per measurement window: warm-up,
 * captures on, counters, marked pings from inside the VMs, counters, captures off, verdicts.
 * Every dependency is injected (Transport, VmExecutor, NeutronApi), so the lab twin and the unit
 * tests plug in their own.
 */
import type { LabDescription, TopologyRow, VmModel } from "../model/topology";
import { gateCheck, type GateCheck } from "./checks";
import { namespaceOf, namespaceOwner, runGate, type GateResult, type Resolved } from "./gate";
import { awaitAgentReports } from "./agent-reports";
import { awaitRouterWiring, wiringChecks } from "./router-wiring";
import { causeOf } from "./checks";
import { groupBy } from "./vm-executor";
import { ofprotoRequest, ofprotoScript, parseOfprotoOutput, subnetsForTrace, withOfproto, type OfprotoRequest, type OfprotoResult } from "./ofproto";
import {
  DEAD_VLAN,
  HostSnapshot,
  READY_MARKER,
  captureScript,
  countersScript,
  parseCaptureOutput,
  parseCounters,
  parseSnapshot,
  snapshotScript,
  type CaptureResult,
} from "./probes";
import type { AccessInfo, BackgroundJob, NeutronApi, PingOutcome, PingRequest, PlannedCommand, Transport, VmExecutor } from "./types";
import {
  counterConfirmation,
  judgeDirection,
  markerKey,
  worst,
  type DirectionResult,
  type TraceStep,
  type NamespaceObservation,
  type PortObservation,
  type UnderlayObservation,
  type Verdict,
  type WindowEvidence,
} from "./verdict";

export const REPORT_SCHEMA = "dvr-lab/verify-report@1";

export type WindowMode = "all" | "row";

/** How `verify()` measures. */
export interface VerifyOptions {
  /** Marked pings per row (after one warm-up ping). @default 5 */
  readonly pings?: number;
  /** "all": every row in one window (fewest node commands); "row": one window per row (per-row counters). @default "all" */
  readonly window?: WindowMode;
  /** Marker packets a namespace must forward per direction. @default the number of pings */
  readonly minForwarded?: number;
  /** Run the data plane even when the gate fails (verdicts still reported; exit stays non-zero). @default false */
  readonly continueAfterGateFailure?: boolean;
  /** Per-reply wait of each ping (`ping -W`), in seconds. @default 2 */
  readonly waitSeconds?: number;
  /** Pause after captures start and before they stop (ms). @default 700 */
  readonly settleMs?: number;
  /**
   * Longest wait (s) before the gate for every alive expected agent's next state report, so that the
   * gate judges the configuration an agent runs with now, not one a process the push just restarted
   * reported (lib/verify/agent-reports.ts); 0: judge the agent list as first read. @default 40
   */
  readonly agentReportWaitSeconds?: number;
  /**
   * Longest wait (s) after the gate until the L3 and OVS agents have wired every routing hop the rows
   * expect (the router namespace on its host, its qr-/sg-/qg- devices plugged and bound by the OVS
   * agent, Neutron's router ports ACTIVE; lib/verify/router-wiring.ts); what is still missing then is
   * a failed `router-wiring` check. 0: judge the first snapshot. Only waited for when the gate passed.
   * @default 90
   */
  readonly routerWiringWaitSeconds?: number;
  /**
   * Times a row left inconclusive is measured again (a data plane still converging loses a few
   * marker packets), while the run can still pass: never after a failed row, gate or structure check.
   * @default 1
   */
  readonly retries?: number;
  /** Pause before a row is measured again (ms). @default 5000 */
  readonly retryDelayMs?: number;
}

export interface VerifyDeps {
  readonly transport: Transport;
  readonly vm: VmExecutor;
  readonly neutron: NeutronApi;
  readonly access?: AccessInfo;
  readonly log?: (line: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

export interface RowResult {
  readonly id: string;
  readonly kind: TopologyRow["kind"];
  readonly router: string;
  readonly distributed: boolean;
  readonly source: string;
  readonly target: string;
  /** "com2 -> com2", "com1 -> external" */
  readonly nodes: string;
  /** "net-a -> net-b" */
  readonly subnets: string;
  readonly marker: { readonly payloadSize: number; readonly ipLength: number };
  readonly window: number;
  /** IpForwDatagrams delta of every router namespace during this row's window (shared by `windowRows`). */
  readonly windowCounters: { host: string; kind: string; owner: string; namespace: string; delta?: number }[];
  readonly windowRows: string[];
  readonly ping?: PingOutcome;
  readonly directions: DirectionResult[];
  readonly verdict: Verdict;
  /** Earlier measurements of this row, oldest first, when it was inconclusive and measured again (`VerifyOptions.retries`). */
  readonly attempts?: RowAttempt[];
}

/** One earlier measurement of a row that was measured again. */
export interface RowAttempt {
  readonly window: number;
  readonly verdict: Verdict;
  /** The directions' reasons, each prefixed with its direction ("request: ..."). */
  readonly reasons: string[];
}

function attemptOf(r: RowResult): RowAttempt {
  return { window: r.window, verdict: r.verdict, reasons: r.directions.flatMap((x) => x.reasons.map((why) => `${x.direction}: ${why}`)) };
}

export interface Report {
  readonly schema: string;
  readonly lab: string;
  readonly release: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: { pings: number; minForwarded: number; window: WindowMode; retries: number };
  readonly gate: GateResult;
  readonly structure: HostSnapshot[];
  /** Per-node structural checks from the snapshot (VXLAN tunnels the rows need); a failed one fails the run. */
  readonly structureChecks: GateCheck[];
  readonly rows: RowResult[];
  readonly verdict: Verdict;
  /** 0 all pass, 1 gate failed or a row failed, 3 inconclusive (nothing failed). */
  readonly exitCode: number;
  readonly notes: string[];
}

/** The size marker of row `index`: ping payload and the IP total length it gives (payload + 28). */
export function markerFor(index: number): { payloadSize: number; ipLength: number } {
  const payloadSize = index < 32 ? 1111 + 8 * index : 503 + 8 * ((index - 32) % 60);
  return { payloadSize, ipLength: payloadSize + 28 };
}

export const WARMUP_PAYLOAD = 700;

/** Hosts that carry router namespaces or VMs: every non-controller host. */
export function probeHosts(d: LabDescription): string[] {
  return d.hosts.filter((h) => h.role !== "controller").map((h) => h.name);
}

export function windowsOf(d: LabDescription, mode: WindowMode): number[][] {
  const idx = d.rows.map((_, i) => i);
  return mode === "row" ? idx.map((i) => [i]) : idx.length ? [idx] : [];
}

/** The description's VM of that name ("external" and unknown names: undefined). */
function vmNamed(d: LabDescription, name: string): VmModel | undefined {
  return d.vms.find((v) => v.name === name);
}

function pingTarget(d: LabDescription, row: TopologyRow): string | undefined {
  if (row.target === "external") return d.external?.probeTarget;
  return vmNamed(d, row.target)?.fixedIp;
}

function pingBatch(d: LabDescription, rows: readonly number[], count: number, waitSeconds: number, warmup: boolean): PingRequest[] {
  const out: PingRequest[] = [];
  for (const i of rows) {
    const row = d.rows[i];
    const vm = vmNamed(d, row.source);
    const target = pingTarget(d, row);
    if (!vm || !target) continue;
    out.push({ key: row.id, vm, target, count, payloadSize: warmup ? WARMUP_PAYLOAD : markerFor(i).payloadSize, waitSeconds });
  }
  return out;
}

/**
 * The node commands (and API requests) a verify run makes, in order. The count grows with
 * hosts x windows (plus the VM executor's groups), not with VM pairs.
 */
export function plan(d: LabDescription, vm: VmExecutor, options: VerifyOptions = {}): PlannedCommand[] {
  const pings = options.pings ?? 5;
  const hosts = probeHosts(d);
  const out: PlannedCommand[] = [];
  const apiCalls = 1 + d.routers.length + (d.external ? 1 : 0) + 2 * d.subnets.length + d.vms.length;
  out.push({ host: "neutron-api", phase: "gate", detail: `${apiCalls} GET requests (agents, routers, networks, subnets, ports), after GET /agents each second until every alive agent reported (at most ${options.agentReportWaitSeconds ?? 40} s)` });
  for (const h of hosts) out.push({ host: h, phase: "snapshot", detail: `ip netns list; ovs-ofctl dump-flows br-tun table=1; ip -o -4 addr; ovs-appctl dpif/show (VXLAN ports); ovs-ofctl --no-names dump-flows br-tun (output ports); ovs-vsctl list Port (tags); again every 2 s, with GET /ports?device_id= per router, until the routers are wired (at most ${options.routerWiringWaitSeconds ?? 90} s)` });
  windowsOf(d, options.window ?? "all").forEach((rows, w) => {
    for (const c of vm.plan(pingBatch(d, rows, 1, 2, true), d)) out.push({ ...c, phase: "warmup", window: w });
    for (const h of hosts) out.push({ host: h, phase: "capture-start", window: w, detail: "tcpdump in every router namespace + the VMs' ports + underlay (one background job)" });
    for (const h of hosts) out.push({ host: h, phase: "counters-before", window: w, detail: "IpForwDatagrams in every router namespace" });
    for (const c of vm.plan(pingBatch(d, rows, pings, 2, false), d)) out.push({ ...c, window: w });
    for (const h of hosts) out.push({ host: h, phase: "counters-after", window: w, detail: "IpForwDatagrams in every router namespace" });
    for (const h of hosts) out.push({ host: h, phase: "capture-stop", window: w, detail: "stop captures, collect lines" });
  });
  return out;
}

export async function verify(d: LabDescription, deps: VerifyDeps, options: VerifyOptions = {}): Promise<Report> {
  const now = deps.now ?? (() => new Date());
  const log = deps.log ?? (() => undefined);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pings = options.pings ?? 5;
  const minForwarded = options.minForwarded ?? pings;
  const mode = options.window ?? "all";
  const waitSeconds = options.waitSeconds ?? 2;
  const settleMs = options.settleMs ?? 700;
  const retries = options.retries ?? 1;
  const retryDelayMs = options.retryDelayMs ?? 5000;
  const startedAt = now().toISOString();
  const notes: string[] = [];
  const hosts = probeHosts(d);

  log(`gate: asking Neutron`);
  let listed: Record<string, unknown>[] | undefined;
  try {
    const w = await awaitAgentReports(d, deps.neutron, { seconds: options.agentReportWaitSeconds ?? 40, sleep, log });
    listed = w.agents;
    for (const s of w.stale) notes.push(`${s.agent} on ${s.host} sent no state report within ${options.agentReportWaitSeconds ?? 40} s (last heartbeat ${s.heartbeat}): the gate judged the configuration it reported then.`);
  } catch {
    listed = undefined; // the gate's own GET reports the API failure as a check
  }
  const gate = await runGate(d, deps.neutron, listed);
  log(`gate: ${gate.ok ? "passed" : "FAILED"} (${gate.checks.filter((c) => !c.ok).length} of ${gate.checks.length} checks failed)`);

  let structureChecks: GateCheck[] = [];
  const finish = (structure: HostSnapshot[], rows: RowResult[]): Report => {
    const structureOk = structureChecks.every((c) => c.ok);
    const verdict = gate.ok && structureOk ? worst(rows.map((r) => r.verdict)) : "fail";
    const exitCode = !gate.ok || verdict === "fail" ? 1 : verdict === "inconclusive" ? 3 : 0;
    return {
      schema: REPORT_SCHEMA,
      lab: d.name,
      release: d.release,
      startedAt,
      finishedAt: now().toISOString(),
      settings: { pings, minForwarded, window: mode, retries },
      gate,
      structure,
      structureChecks,
      rows,
      verdict,
      exitCode,
      notes,
    };
  };

  if (!gate.ok && !options.continueAfterGateFailure) {
    notes.push("The control-plane gate failed, so no traffic was sent (use --continue-after-gate-failure to measure anyway).");
    return finish([], d.rows.map((row, i) => skippedRow(d, row, i, "control-plane gate failed")));
  }

  // Structure snapshot, one command per host; again until the routers are wired (or the wait ends).
  const tunnelIp = (h: string) => gate.resolved.tunnelIps[h] ?? d.hosts.find((x) => x.name === h)?.tunnelIp;
  const snapshotAll = () =>
    Promise.all(hosts.map(async (h) => parseSnapshot(h, await deps.transport.run(h, { script: snapshotScript(deps.access?.hosts[h]) }, { timeoutMs: 60000 }), tunnelIp(h))));
  const wiringWait = options.routerWiringWaitSeconds ?? 90;
  const wired = await awaitRouterWiring(d, deps.neutron, gate.resolved, snapshotAll, { seconds: gate.ok ? wiringWait : 0, sleep, log });
  const structure = wired.snapshots;
  const notWired = wired.devices.filter((x) => x.missing).length;
  if (notWired && gate.ok && wiringWait > 0) notes.push(`${notWired} routing hop device(s) were still not wired after ${Math.round(wired.waitedMs / 1000)} s (router-wiring checks); the data plane was measured as it was.`);
  for (const s of structure) {
    log(`snapshot ${s.host}: ${s.ok ? `${s.routerNamespaces.length} router namespaces, DVR MAC ${s.dvrMac ?? "unknown"}` : s.error}`);
    if (s.dvrMacsSeen.length > 1) notes.push(`${s.host}: several mod_dl_src values in br-tun table=1 (${s.dvrMacsSeen.join(", ")}); DVR MAC not attributed`);
    if (s.ok && !s.tcpdump) notes.push(`${s.host}: tcpdump is not installed; captures cannot run there`);
  }
  const snap = new Map(structure.map((s) => [s.host, s]));
  const tunnels = tunnelChecks(d, snap, tunnelIp);
  structureChecks = [
    ...dvrFlowChecks(d, snap),
    ...redirectChecks(d, snap, gate.resolved),
    ...forwardingChecks(snap, gate.resolved, d),
    ...namespaceStateChecks(snap, gate.resolved, d),
    ...deadVlanChecks(d, snap, gate.resolved),
    ...wiringChecks(wired.devices),
    ...tunnels.checks,
  ];
  for (const c of structureChecks.filter((x) => !x.ok)) log(`structure: ${c.subject}: ${c.actual}`);
  const dvrMacs: Record<string, string> = {};
  for (const s of structure) if (s.dvrMac) dvrMacs[s.host] = s.dvrMac;

  const ctxBase = {
    description: d,
    transport: deps.transport,
    networkIdOf: (subnet: string) => gate.resolved.networkIds[subnet],
    namespacesOn: (h: string) => snap.get(h)?.namespaces ?? [],
  };

  /** Measures the rows `idx` in one window (number `w`): warm-up, captures, counters, marked pings, verdicts. */
  const measure = async (idx: readonly number[], w: number): Promise<RowResult[]> => {
    const rows: RowResult[] = [];
    await deps.vm.ping(pingBatch(d, idx, 1, waitSeconds, true), ctxBase);

    const lengths = idx.map((i) => markerFor(i).ipLength);
    const hostErrors: Record<string, string> = {};
    for (const s of structure) if (!s.ok) hostErrors[s.host] = s.error ?? "snapshot failed";
    const maxSeconds = pings * (waitSeconds + 1) + 120;
    const jobs = new Map<string, BackgroundJob>();
    await Promise.all(
      hosts.map(async (h) => {
        const s = snap.get(h)!;
        if (!s.ok) return;
        const access = deps.access?.hosts[h];
        const iface = access?.underlayInterface ?? "any";
        try {
          const hasVms = Object.values(gate.resolved.vmPorts).some((p) => p.host === h);
          const job = await deps.transport.startBackground(h, captureScript(s.routerNamespaces, lengths, { iface, tunnelIp: tunnelIp(h) }, maxSeconds, hasVms), {
            maxSeconds: maxSeconds + 10,
            readyMarker: READY_MARKER,
            readyTimeoutMs: 10000,
          });
          jobs.set(h, job);
        } catch (e) {
          hostErrors[h] = `capture: ${(e as Error).message}`;
        }
      }),
    );
    await sleep(settleMs);

    const readCounters = async () =>
      new Map(
        await Promise.all(
          hosts.map(async (h) => {
            const s = snap.get(h)!;
            if (!s.ok) return [h, undefined] as const;
            const res = await deps.transport.run(h, { script: countersScript(s.routerNamespaces) }, { timeoutMs: 60000 });
            if (res.code !== 0) hostErrors[h] = `counters: exit ${res.code}: ${res.stderr.trim().slice(0, 200)}`;
            return [h, parseCounters(res)] as const;
          }),
        ),
      );
    const before = await readCounters();
    const outcomes = await deps.vm.ping(pingBatch(d, idx, pings, waitSeconds, false), ctxBase);
    const after = await readCounters();
    await sleep(settleMs);

    const captures = new Map<string, CaptureResult>();
    await Promise.all(
      [...jobs].map(async ([h, job]) => {
        const res = await job.stop();
        const c = parseCaptureOutput(res);
        if (!c.complete) hostErrors[h] = `capture: output incomplete (exit ${res.code}: ${res.stderr.trim().slice(0, 200)})`;
        captures.set(h, c);
      }),
    );

    const rowOfLength = new Map(idx.map((i) => [markerFor(i).ipLength, d.rows[i].id] as const));
    const evidence = buildEvidence(d, hosts, snap, before, after, captures, rowOfLength, gate.resolved, hostErrors);
    const confirmed = counterConfirmation(evidence, minForwarded);
    const windowCounters = evidence.namespaces.map((n) => ({
      host: n.host,
      kind: n.kind,
      owner: n.owner,
      namespace: n.namespace,
      ...(n.delta !== undefined ? { delta: n.delta } : {}),
    }));
    for (const i of idx) {
      const row = d.rows[i];
      const ping = outcomes.find((o) => o.key === row.id);
      const directions = row.directions.map((exp) =>
        withBreakCause(structureChecks, gate.resolved, withVmRoute(d, row, exp, ping, withMissingTunnels(d, exp, tunnels.missing, judgeDirection(row, exp, evidence, confirmed, {
          pings,
          minForwarded,
          namespaceOf: (hop) => namespaceOf(hop, gate.resolved),
          dvrMacs,
          vmHost: (vm) => vmNamed(d, vm)?.host,
          ...dvrVniOf(d, exp, gate.resolved),
          rowOfLength,
          tunnelIpOf: tunnelIp,
          ...(ping ? { ping } : {}),
        })))),
      );
      rows.push({
        ...rowHeader(d, row, i),
        window: w,
        windowCounters,
        windowRows: idx.map((j) => d.rows[j].id),
        ...(ping ? { ping } : {}),
        directions,
        verdict: worst(directions.map((x) => x.verdict)),
      });
      log(`row ${row.id}: ${worst(directions.map((x) => x.verdict))}`);
    }
    return rows;
  };

  /**
   * A data plane still converging right after a deploy loses a few marker packets (seen on the twin:
   * 4 of 5 lost on com1 between the tunnel and the snat namespace), which leaves a row inconclusive.
   * Such rows are measured again, in one window of the rows still inconclusive, after `retryDelayMs`,
   * at most `retries` times; only while the run can still pass (the gate and the structure checks
   * passed and no row failed): a failed row is positive evidence and fails the run whatever a second
   * measurement says. A re-measured row carries its earlier measurements in `attempts`.
   */
  const remeasureInconclusive = async (first: RowResult[], nextWindow: number): Promise<RowResult[]> => {
    let current = first;
    for (let attempt = 1; attempt <= retries; attempt++) {
      if (!gate.ok || !structureChecks.every((c) => c.ok) || current.some((r) => r.verdict === "fail")) break;
      const again = current.filter((r) => r.verdict === "inconclusive").map((r) => d.rows.findIndex((x) => x.id === r.id));
      if (!again.length) break;
      const w = nextWindow + attempt - 1;
      log(`window ${w + 1}: ${again.length} inconclusive row(s) measured again in ${retryDelayMs / 1000} s (attempt ${attempt + 1} of at most ${retries + 1}): ${again.map((i) => d.rows[i].id).join(", ")}`);
      await sleep(retryDelayMs);
      const fresh = new Map((await measure(again, w)).map((r) => [r.id, r] as const));
      current = current.map((r) => {
        const f = fresh.get(r.id);
        return f ? { ...f, attempts: [...(r.attempts ?? []), attemptOf(r)] } : r;
      });
    }
    return current;
  };

  let rows: RowResult[] = [];
  const windows = windowsOf(d, mode);
  for (let w = 0; w < windows.length; w++) {
    log(`window ${w + 1}/${windows.length}: rows ${windows[w].map((i) => d.rows[i].id).join(", ")}`);
    rows.push(...(await measure(windows[w], w)));
  }
  rows = await remeasureInconclusive(rows, windows.length);
  if (!gate.ok) notes.push("The control-plane gate failed; the data plane was measured anyway (--continue-after-gate-failure).");
  return finish(structure, await explainBreaks(d, deps, gate.resolved, rows, log));
}

/**
 * The OVS datapath's own explanation of every located break where OVS is the place in question
 * (lib/verify/ofproto.ts): the router ports of the subnets involved from Neutron (one GET per
 * subnet), then one read-only `ofproto/trace` script per host. Runs only when a direction has a
 * break; an error becomes the direction's "no trace (…)" line, never a failed run.
 */
async function explainBreaks(d: LabDescription, deps: VerifyDeps, resolved: Resolved, rows: RowResult[], log: (line: string) => void): Promise<RowResult[]> {
  const broken = rows.flatMap((row) => row.directions.filter((x) => x.break).map((x) => ({ row, x })));
  if (!broken.length) return rows;
  const gatewayPorts: Record<string, { id: string; mac: string }> = {};
  for (const subnet of new Set(broken.flatMap(({ x }) => subnetsForTrace(d, x)))) {
    const gw = d.subnets.find((s) => s.name === subnet)?.gatewayIp;
    const id = resolved.subnetIds[subnet];
    if (!gw || !id) continue;
    try {
      const ports = await deps.neutron.portsByFixedIp(gw, id);
      if (ports.length === 1) gatewayPorts[subnet] = { id: String(ports[0].id), mac: String(ports[0].mac_address ?? "") };
    } catch (e) {
      log(`ofproto/trace: the router port of ${subnet} not found: ${(e as Error).message}`);
    }
  }
  const requests: OfprotoRequest[] = [];
  for (const { row, x } of broken) {
    const innerSource = [...x.evidence.underlay.innerSources].sort((a, b) => b.count - a.count)[0]?.mac;
    const q = ofprotoRequest(markerKey(row.id, x.direction), x, { description: d, resolved, gatewayPorts, ...(innerSource ? { innerSource } : {}) });
    if (q) requests.push(q);
  }
  if (!requests.length) return rows;
  const results = new Map<string, OfprotoResult>();
  await Promise.all(
    [...groupBy(requests, (q) => q.host)].map(async ([host, qs]) => {
      log(`ofproto/trace on ${host}: ${qs.length} packet(s) at a break`);
      const res = await deps.transport.run(host, { script: ofprotoScript(qs, deps.access?.hosts[host]?.ovsPrefix) }, { timeoutMs: 60000 });
      for (const o of parseOfprotoOutput(qs, res)) results.set(o.key, o);
    }),
  );
  return rows.map((row) => ({
    ...row,
    directions: row.directions.map((x) => {
      const o = results.get(markerKey(row.id, x.direction));
      return o ? withOfproto(x, o) : x;
    }),
  }));
}

export { namespaceOf } from "./gate";

function buildEvidence(
  d: LabDescription,
  hosts: readonly string[],
  snap: ReadonlyMap<string, HostSnapshot>,
  before: ReadonlyMap<string, Map<string, number | undefined> | undefined>,
  after: ReadonlyMap<string, Map<string, number | undefined> | undefined>,
  captures: ReadonlyMap<string, CaptureResult>,
  rowOfLength: ReadonlyMap<number, string>,
  r: Resolved,
  hostErrors: Record<string, string>,
): WindowEvidence {
  const namespaces: NamespaceObservation[] = [];
  const underlay: UnderlayObservation[] = [];
  const ports: PortObservation[] = [];
  for (const h of hosts) {
    const s = snap.get(h);
    if (!s?.ok) continue;
    const cap = captures.get(h);
    if (!cap) hostErrors[h] ??= "capture did not run";
    for (const ns of s.routerNamespaces) {
      const { kind, owner } = namespaceOwner(ns, r, d)!;
      const b = before.get(h)?.get(ns);
      const a = after.get(h)?.get(ns);
      const c = cap?.namespaces.get(ns);
      const forwarded: Record<string, number> = {};
      const received: Record<string, number> = {};
      const receivedOn: Record<string, string[]> = {};
      for (const p of c?.packets ?? []) {
        const rowId = rowOfLength.get(p.ipLength);
        if (!rowId) continue;
        const k = markerKey(rowId, p.icmp);
        if (p.pktDirection === "Out") forwarded[k] = (forwarded[k] ?? 0) + 1;
        else if (p.pktDirection === "In") {
          received[k] = (received[k] ?? 0) + 1;
          if (p.iface && !(receivedOn[k] ??= []).includes(p.iface)) receivedOn[k].push(p.iface);
        }
      }
      namespaces.push({
        host: h,
        namespace: ns,
        kind,
        owner,
        ...(a !== undefined && b !== undefined ? { delta: a - b } : {}),
        captureStarted: c?.started ?? false,
        forwarded,
        received,
        receivedOn,
      });
    }
    if (cap?.underlay) underlay.push({ host: h, started: cap.underlay.started, frames: cap.underlay.frames });
    for (const [vm, p] of Object.entries(r.vmPorts)) {
      if (p.host !== h || !cap?.ports) continue;
      const device = vmTap(p.id);
      const fromVm: Record<string, number> = {};
      const toVm: Record<string, number> = {};
      for (const pkt of cap.ports.packets) {
        const rowId = rowOfLength.get(pkt.ipLength);
        if (!rowId || pkt.iface !== device) continue;
        const k = markerKey(rowId, pkt.icmp);
        // From the VM: "In", or "P" (PACKET_OTHERHOST) as a veth/tap shows a frame addressed to
        // another MAC than its own (the router's, the other VM's).
        if (pkt.pktDirection === "In" || pkt.pktDirection === "P") fromVm[k] = (fromVm[k] ?? 0) + 1;
        else if (pkt.pktDirection === "Out") toVm[k] = (toVm[k] ?? 0) + 1;
      }
      ports.push({ host: h, vm, device, started: cap.ports.started, fromVm, toVm });
    }
  }
  return { namespaces, underlay, ports, hostErrors };
}

function rowHeader(d: LabDescription, row: TopologyRow, i: number) {
  const vm = (name: string) => vmNamed(d, name);
  const src = vm(row.source);
  const dst = row.target === "external" ? undefined : vm(row.target);
  return {
    id: row.id,
    kind: row.kind,
    router: row.router,
    distributed: row.distributed,
    source: row.source,
    target: row.target,
    nodes: `${src?.host ?? "?"} -> ${row.target === "external" ? "external" : (dst?.host ?? "?")}`,
    subnets: `${src?.subnet ?? "?"} -> ${row.target === "external" ? (d.external?.network ?? "external") : (dst?.subnet ?? "?")}`,
    marker: markerFor(i),
  };
}

function skippedRow(d: LabDescription, row: TopologyRow, i: number, why: string): RowResult {
  return {
    ...rowHeader(d, row, i),
    window: -1,
    windowCounters: [],
    windowRows: [],
    directions: row.directions.map((exp) => ({
      direction: exp.direction,
      from: exp.from,
      to: exp.to,
      expected: exp.routedAt.map((h) => `${h.host} ${h.namespace}`),
      observed: [],
      verdict: "inconclusive" as const,
      reasons: [why],
      evidence: { namespaces: [], underlay: { frames: 0, innerSources: [], vnis: [] } },
    })),
    verdict: "inconclusive",
  };
}

/** Hosts a direction's packets pass, in order: the sender's host, the routing hops, the receiver's host. */
export function pathHosts(d: LabDescription, exp: TopologyRow["directions"][number]): string[] {
  const vmHost = (name: string) => vmNamed(d, name)?.host;
  const path = [vmHost(exp.from), ...exp.routedAt.map((h) => h.host), vmHost(exp.to)].filter((h): h is string => !!h);
  return path.filter((h, i) => i === 0 || h !== path[i - 1]);
}

/**
 * Structural check of the underlay (docs/DVR.md §4.2): every pair of hosts a row's packets must cross
 * between needs a VXLAN port to the other's tunnel IP on each side (l2population creates them).
 * Returns the checks and the missing tunnels as "from>to" keys.
 */
export function tunnelChecks(
  d: LabDescription,
  snap: ReadonlyMap<string, HostSnapshot>,
  tunnelIp: (host: string) => string | undefined,
): { checks: GateCheck[]; missing: Map<string, string> } {
  const needs = new Map<string, Set<string>>();
  for (const row of d.rows) {
    for (const exp of row.directions) {
      const path = pathHosts(d, exp);
      for (let i = 1; i < path.length; i++) {
        for (const [a, b] of [[path[i - 1], path[i]], [path[i], path[i - 1]]]) {
          const k = `${a}>${b}`;
          needs.set(k, (needs.get(k) ?? new Set()).add(row.id));
        }
      }
    }
  }
  const checks: GateCheck[] = [];
  const missing = new Map<string, string>();
  for (const [k, rows] of [...needs].sort(([x], [y]) => x.localeCompare(y))) {
    const [a, b] = k.split(">");
    const s = snap.get(a);
    const ip = tunnelIp(b);
    if (!s?.ok || !s.tunnelRemotes || !ip) continue;
    const hasPort = s.tunnelRemotes.includes(ip);
    // A port alone carries nothing: with l2population, br-tun forwards (floods and unicasts) to a
    // peer only after the server sent the agent forwarding entries for the peer's ports.
    const port = s.tunnelPorts?.find((p) => p.remote === ip && p.ofport >= 0);
    const used = !hasPort || !port || !s.tunOutputPorts ? true : s.tunOutputPorts.includes(port.ofport);
    const ok = hasPort && used;
    const actual = !hasPort
      ? `no VXLAN port to ${ip} in br-tun (tunnel ports to: ${s.tunnelRemotes.join(", ") || "none"})`
      : !used
        ? `VXLAN port ${port!.name} to ${ip} (ofport ${port!.ofport}) exists, but no br-tun flow outputs to it: the agent on ${a} has no forwarding entry for ${b} (l2population sent none)`
        : `VXLAN port to ${ip}${port && s.tunOutputPorts ? ", used by br-tun flows" : ""}`;
    checks.push(gateCheck({ id: "vxlan-tunnel", target: { kind: "tunnel", host: a, peer: b }, ok, expected: `VXLAN port to ${ip}, used by br-tun flows (rows ${[...rows].join(", ")})`, actual }));
    if (!hasPort) missing.set(k, `no VXLAN tunnel from ${a} to ${b} (${ip}): br-tun on ${a} has ${s.tunnelRemotes.length ? `tunnel ports to ${s.tunnelRemotes.join(", ")} only` : "no tunnel port"}`);
    else if (!used) missing.set(k, `no VXLAN tunnel from ${a} to ${b} (${ip}) in use: br-tun on ${a} has the port ${port!.name} but no flow that outputs to it`);
  }
  return { checks, missing };
}

/** A direction whose path needs a tunnel that does not exist cannot have worked as described: fail, naming the tunnel. */
function withMissingTunnels(d: LabDescription, exp: TopologyRow["directions"][number], missing: ReadonlyMap<string, string>, r: DirectionResult): DirectionResult {
  if (r.verdict === "pass" || missing.size === 0) return r;
  const path = pathHosts(d, exp);
  const lacking: string[] = [];
  for (let i = 1; i < path.length; i++) {
    const m = missing.get(`${path[i - 1]}>${path[i]}`) ?? missing.get(`${path[i]}>${path[i - 1]}`);
    if (m && !lacking.includes(m)) lacking.push(m);
  }
  if (!lacking.length) return r;
  return { ...r, verdict: "fail", reasons: [...lacking.map((m) => `path ${path.join(" -> ")} needs a tunnel: ${m}`), ...r.reasons] };
}

/** JudgeContext.dvrVni of a direction: the next hop's network (destination VM's subnet, else the source VM's). */
export function dvrVniOf(d: LabDescription, exp: TopologyRow["directions"][number], r: Resolved): { dvrVni?: { vni: number; subnet: string } } {
  const vm = vmNamed(d, exp.to) ?? vmNamed(d, exp.from);
  const vni = vm ? r.segmentationIds[vm.subnet] : undefined;
  return vm && vni !== undefined ? { dvrVni: { vni, subnet: vm.subnet } } : {};
}

/**
 * The source VM's route to the target after its pings: a next hop other than its subnet's gateway
 * (e.g. an ICMP redirect to the snat namespace's sg- port) means its packets did not go to its
 * node's qrouter, whatever the lab's routers do. Named first in a request direction that did not
 * pass; a passing direction keeps its verdict (the route is the one after the pings).
 */
export function withVmRoute(d: LabDescription, row: TopologyRow, exp: TopologyRow["directions"][number], ping: PingOutcome | undefined, r: DirectionResult): DirectionResult {
  if (exp.direction !== "request" || !ping?.route) return r;
  const vm = vmNamed(d, exp.from);
  const gw = vm && d.subnets.find((s) => s.name === vm.subnet)?.gatewayIp;
  const via = /\bvia (\d+\.\d+\.\d+\.\d+)/.exec(ping.route)?.[1];
  if (!vm || !gw || !via || via === gw) return r;
  const redirected = /<redirected>/.test(ping.route);
  const line =
    `VM ${vm.name} routes ${pingTarget(d, row) ?? row.target} (${row.target}) via ${via}, not its gateway ${gw}` +
    (redirected ? " (its kernel holds an ICMP redirect: `cache <redirected>`)" : "") +
    `: its packets skip ${vm.host}'s qrouter (route: ${ping.route})`;
  return { ...r, reasons: r.verdict === "pass" ? [...r.reasons, line] : [line, ...r.reasons] };
}

/**
 * Structural check (docs/DVR.md §1.3): every host whose qrouter is expected to route a DVR row must run
 * its OVS agent in DVR mode: br-tun table=1 rewrites to the host's DVR MAC (or, before the first
 * DVR flow, the agent logged "operating in DVR Mode with MAC").
 */
export function dvrFlowChecks(d: LabDescription, snap: ReadonlyMap<string, HostSnapshot>): GateCheck[] {
  const hosts = new Set<string>();
  for (const row of d.rows) {
    if (!row.distributed) continue;
    for (const exp of row.directions) for (const h of exp.routedAt) if (h.namespace === "qrouter") hosts.add(h.host);
  }
  const checks: GateCheck[] = [];
  for (const h of [...hosts].sort()) {
    const s = snap.get(h);
    if (!s?.ok) continue;
    checks.push(gateCheck({
      id: "dvr-flows",
      target: { kind: "host", host: h },
      ok: !!s.dvrMac,
      expected: "DVR MAC (br-tun table=1 mod_dl_src, or the OVS agent's DVR mode log line)",
      actual: s.dvrMac
        ? `${s.dvrMac} (${s.dvrMacSource})`
        : s.dvrMacsSeen.length > 1
          ? `several mod_dl_src values: ${s.dvrMacsSeen.join(", ")}`
          : "no DVR flow in br-tun table=1 and no DVR mode line in the OVS agent log",
    }));
  }
  return checks;
}

/**
 * Structural check (docs/VERIFY.md "ICMP redirects"): a distributed router with a gateway must not send ICMP redirects from
 * any of its qrouter namespaces. Its SNAT rule forwards a VM's external traffic to the sg- port out
 * of the SAME qr- interface it came in on, so a redirecting qrouter tells the VM to send there
 * directly, and the VM bypasses its node's qrouter for the route cache's 300 s. Neutron sets
 * net.ipv4.conf.all.send_redirects=0 when it adds the router's gateway on a node (the per-interface 0
 * it sets with each SNAT rule does not suffice: the kernel redirects when all OR the interface says 1).
 */
/**
 * Every router namespace found must forward (`net.ipv4.ip_forward = 1`, as the L3 agent sets it):
 * with 0 the namespace receives the packets it should route and drops them all.
 */
export function forwardingChecks(snap: ReadonlyMap<string, HostSnapshot>, resolved: Resolved, d: LabDescription): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const s of [...snap.values()].sort((a, b) => a.host.localeCompare(b.host))) {
    if (!s.ok || !s.ipForward) continue;
    for (const [ns, on] of Object.entries(s.ipForward)) {
      const o = namespaceOwner(ns, resolved, d);
      if (!o) continue;
      checks.push(
        gateCheck({
          id: "namespace-forwarding",
          target: { kind: "router-namespace", host: s.host, namespaceKind: o.kind, owner: o.owner, namespace: ns },
          ok: on,
          setting: { key: "net.ipv4.ip_forward", expected: "1", actual: on ? "1" : "0" },
        }),
      );
    }
  }
  return checks;
}

export function redirectChecks(d: LabDescription, snap: ReadonlyMap<string, HostSnapshot>, resolved: Resolved): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const r of d.routers) {
    const id = resolved.routerIds[r.name];
    if (!r.distributed || !r.externalGateway || !id) continue;
    const ns = `qrouter-${id}`;
    for (const s of [...snap.values()].sort((a, b) => a.host.localeCompare(b.host))) {
      const v = s.ok ? s.sendRedirects?.[ns] : undefined;
      if (v === undefined) continue;
      checks.push(
        gateCheck({
          id: "qrouter-redirects",
          target: { kind: "qrouter", host: s.host, router: r.name, namespace: ns },
          ok: !v,
          setting: { key: "net.ipv4.conf.all.send_redirects", expected: "0", actual: v ? "1" : "0" },
        }),
      );
    }
  }
  return checks;
}

/** The host-side device of a VM's port, as Nova's libvirt driver and os-vif name it. */
export function vmTap(portId: string): string {
  return `tap${portId.slice(0, 11)}`;
}

/** Interfaces a router namespace routes through (Neutron's prefixes; `lo` and others are not checked). */
const ROUTER_LINK = /^(qr|rfp|fpr|fg|qg|sg)-/;

/** A FORWARD line that drops what the namespace routes: the chain's policy DROP, or a rule of its own jumping to DROP/REJECT. */
function dropsForwarded(line: string): boolean {
  return /^-P FORWARD DROP\b/.test(line) || /^-A FORWARD\b.*\s-j (DROP|REJECT)\b/.test(line);
}

/**
 * Per router namespace found (docs/VERIFY.md "Hop trace"): every routing interface (qr-, rfp-,
 * fpr-, fg-, qg-, sg-) administratively up, as the L3 agent sets them (`namespace-links`), and a
 * FORWARD chain that does not drop what the namespace routes (`namespace-firewall`: Neutron's own
 * rules live in its neutron-* chains; its FORWARD policy is ACCEPT).
 */
export function namespaceStateChecks(snap: ReadonlyMap<string, HostSnapshot>, resolved: Resolved, d: LabDescription): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const s of [...snap.values()].sort((a, b) => a.host.localeCompare(b.host))) {
    if (!s.ok || !s.namespaceState) continue;
    for (const [ns, st] of Object.entries(s.namespaceState)) {
      const o = namespaceOwner(ns, resolved, d);
      if (!o) continue;
      const target = { kind: "router-namespace" as const, host: s.host, namespaceKind: o.kind, owner: o.owner, namespace: ns };
      const down = st.links.filter((l) => ROUTER_LINK.test(l.name) && !l.up).map((l) => l.name);
      checks.push(gateCheck({
        id: "namespace-links",
        target,
        ok: down.length === 0,
        expected: "every qr-/rfp-/fpr-/fg-/qg-/sg- interface up",
        actual: down.length ? `${down.join(", ")} administratively down` : "all up",
      }));
      if (!st.forward.length) continue;
      const drops = st.forward.filter(dropsForwarded);
      checks.push(gateCheck({
        id: "namespace-firewall",
        target,
        ok: drops.length === 0,
        expected: "FORWARD policy ACCEPT and no DROP/REJECT rule in FORWARD itself",
        actual: drops.length ? drops.join("; ") : "FORWARD accepts",
      }));
    }
  }
  return checks;
}

/**
 * Per VM of the lab (docs/VERIFY.md "Hop trace"): its port must not be in the OVS agent's dead VLAN
 * (tag 4095 on br-int: the agent puts a port there when it cannot bind it, and OVS then forwards
 * nothing the VM sends or is sent).
 */
export function deadVlanChecks(d: LabDescription, snap: ReadonlyMap<string, HostSnapshot>, resolved: Resolved): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const vm of d.vms) {
    const p = resolved.vmPorts[vm.name];
    const s = p ? snap.get(p.host) : undefined;
    if (!p || !s?.ok || !s.deadPorts) continue;
    const tap = vmTap(p.id);
    const dead = s.deadPorts.includes(tap);
    checks.push(gateCheck({
      id: "port-dead-vlan",
      target: { kind: "vm", vm: vm.name, fixedIp: vm.fixedIp },
      ok: !dead,
      expected: `port ${tap} on ${p.host}'s br-int in its network's VLAN`,
      actual: dead ? `port ${tap} on ${p.host}'s br-int has tag ${DEAD_VLAN}, the OVS agent's dead VLAN` : `port ${tap} not in VLAN ${DEAD_VLAN}`,
    }));
  }
  return checks;
}

/** The failed checks about a trace step's place: its namespace, its VM, its host's tunnels or the host itself. */
function checksAt(step: TraceStep, checks: readonly GateCheck[], resolved: Resolved): GateCheck[] {
  return checks.filter((c) => {
    if (c.ok) return false;
    const t = c.target;
    switch (t.kind) {
      case "router-namespace":
      case "qrouter":
        return step.kind === "namespace" && t.host === step.host && t.namespace === step.namespace;
      case "vm":
        return step.kind === "vm-port" && t.vm === step.vm && resolved.vmPorts[t.vm]?.host === step.host;
      case "tunnel":
        return step.kind === "underlay" && ((t.host === step.host && t.peer === step.peer) || (t.host === step.peer && t.peer === step.host));
      case "host":
        return t.host === step.host;
      default:
        return false;
    }
  });
}

/**
 * A located break gets the cause a structure check of that hop found: the checks of the point the
 * markers did not get through (the first step that missed them), else of the last that saw them.
 */
export function withBreakCause(checks: readonly GateCheck[], resolved: Resolved, r: DirectionResult): DirectionResult {
  if (!r.break) return r;
  const { first, last } = r.break;
  const found = checksAt(first, checks, resolved);
  const at = found.length ? found : checksAt(last, checks, resolved);
  if (!at.length) return r;
  const i = r.reasons.indexOf(r.break.text);
  const reasons = [...r.reasons];
  reasons.splice(i + 1, 0, ...at.map((c) => `cause at that hop: ${causeOf(c)}`));
  return { ...r, reasons };
}
