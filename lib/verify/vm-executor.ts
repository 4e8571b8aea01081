import type { LabDescription, VmModel } from "../model/topology";
import { parsePingSummary, splitSections, SECTION } from "./parsers";
import { scriptHeader, shJoin } from "./shell";
import type { PingOutcome, PingRequest, PlannedCommand, VmExecutor, VmExecutorContext } from "./types";

/** The ping run inside the VM (works with iputils and BusyBox: -c -s -W only). */
export function pingArgv(p: PingRequest): string[] {
  return ["ping", "-c", String(p.count), "-s", String(p.payloadSize), "-W", String(p.waitSeconds), p.target];
}

/** Marks the line with the VM's route to the target (printed after the ping). */
export const ROUTE_MARKER = "DVRLAB-ROUTE";

/**
 * The shell line run inside the VM: the ping, then the route the VM used for the target as its
 * kernel has it now (`ip route get`: iproute2 and BusyBox; iproute2 adds "cache <redirected>" when an
 * ICMP redirect changed it), on one line. The ping's exit code is kept.
 */
export function vmProbeScript(p: PingRequest): string {
  return `${shJoin(pingArgv(p))}; rc=$?; echo ${ROUTE_MARKER} $(ip route get ${shJoin([p.target])} 2>&1 | head -n 2); exit $rc`;
}

/**
 * One script per node that starts all pings of the batch in parallel (each through `prefix(p)`)
 * and prints each output in its own section; so a batch costs one command per node.
 */
export function groupedPingScript(batch: readonly PingRequest[], prefix: (p: PingRequest) => string): string {
  const starts = batch.map(
    (p, i) => `( ${prefix(p)} > "$d/${i}" 2>&1; echo "DVRLAB-RC $?" >> "$d/${i}" ) < /dev/null &`,
  );
  const dumps = batch.map((p, i) => `echo "${SECTION} ping ${p.key}"; cat "$d/${i}"`);
  return (
    scriptHeader("ping") +
    `d=$(mktemp -d /tmp/dvr-lab-ping.XXXXXX) || exit 1
${starts.join("\n")}
wait
${dumps.join("\n")}
echo "${SECTION} end"
rm -rf "$d"
`
  );
}

/** Outcomes from a grouped ping script's output (missing sections => ran=false). */
export function parseGroupedPings(batch: readonly PingRequest[], stdout: string, stderr: string): PingOutcome[] {
  const sections = splitSections(stdout);
  return batch.map((p) => {
    const s = sections.find((x) => x.kind === "ping" && x.label === p.key);
    const summary = s ? parsePingSummary(s.body) : undefined;
    const route = s ? new RegExp(`^${ROUTE_MARKER} (.*)$`, "m").exec(s.body)?.[1].replace(/\s+/g, " ").trim() : undefined;
    return {
      key: p.key,
      ran: !!summary,
      transmitted: summary?.transmitted ?? 0,
      received: summary?.received ?? 0,
      output: s ? s.body.trim() : stderr.trim() || "(no output)",
      ...(route ? { route } : {}),
    };
  });
}

export function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    m.set(k, [...(m.get(k) ?? []), it]);
  }
  return m;
}

/** How `QdhcpSshVmExecutor` reaches the VMs from the DHCP node. */
export interface QdhcpSshOptions {
  /** VM login user. @default "cirros" */
  readonly user?: string;
  /** Private key path on the DHCP node. @default - the node's default ssh identity */
  readonly keyFileOnNode?: string;
  /** Host to reach the VMs from. @default the first host of the description whose agents include "DHCP agent" */
  readonly viaHost?: string;
  /** ssh's ConnectTimeout to the VM (seconds). @default 10 */
  readonly connectTimeoutSeconds?: number;
  /**
   * How long to wait for the qdhcp namespace to have a route to the VM before ssh (seconds): right
   * after an apply the DHCP agent may still be configuring the namespace of a new network, and ssh
   * then fails at once with "Network is unreachable". @default 60
   */
  readonly routeWaitSeconds?: number;
}

/**
 * `sh` that waits (up to `seconds`) until namespace `ns` has a route to `ip`; then returns,
 * whether or not it has one (the ssh after it reports the failure as it is).
 */
export function routeWaitScript(ns: string, ip: string, seconds: number): string {
  return `i=0; until ${shJoin(["ip", "netns", "exec", ns, "ip", "-4", "route", "get", ip])} >/dev/null 2>&1 || [ $i -ge ${seconds} ]; do sleep 1; i=$((i+1)); done`;
}

/**
 * Real labs: reaches each VM with `ip netns exec qdhcp-<network id> ssh <user>@<fixed ip> ping ...`
 * on the DHCP node (the qdhcp namespace is on the VM's own subnet, so this SSH is never routed and
 * never moves a router counter). The VMs' host keys are not known in advance: this hop uses
 * StrictHostKeyChecking=no with a throw-away known_hosts (it carries only a ping command).
 */
export class QdhcpSshVmExecutor implements VmExecutor {
  constructor(private readonly opts: QdhcpSshOptions = {}) {}

  public viaHost(description: LabDescription): string {
    if (this.opts.viaHost) return this.opts.viaHost;
    const h = description.hosts.find((x) => x.agents.includes("DHCP agent"));
    if (!h) throw new Error("no host runs a DHCP agent in the description; set vm.viaHost in the access info or --vm-via");
    return h.name;
  }

  public plan(batch: readonly PingRequest[], description: LabDescription): PlannedCommand[] {
    if (batch.length === 0) return [];
    return [{ host: this.viaHost(description), phase: "ping", detail: `${batch.length} pings from VMs via qdhcp namespaces (one script)` }];
  }

  /**
   * The node whose qdhcp namespace of `networkId` pings a VM: `viaHost` when given; otherwise the
   * first DHCP host whose namespaces (the structure snapshot) include `qdhcp-<network id>` (with
   * several DHCP agents, Neutron schedules each network to one of them: dhcp_agents_per_network = 1),
   * else the description's first DHCP host.
   */
  public hostFor(networkId: string, ctx: VmExecutorContext): string {
    if (this.opts.viaHost) return this.opts.viaHost;
    const ns = `qdhcp-${networkId}`;
    const h = ctx.description.hosts.find((x) => x.agents.includes("DHCP agent") && ctx.namespacesOn(x.name).includes(ns));
    return h ? h.name : this.viaHost(ctx.description);
  }

  public async ping(batch: readonly PingRequest[], ctx: VmExecutorContext): Promise<PingOutcome[]> {
    if (batch.length === 0) return [];
    const user = this.opts.user ?? "cirros";
    const sshOpts = [
      "-o", "StrictHostKeyChecking=no",
      "-o", "UserKnownHostsFile=/dev/null",
      "-o", "BatchMode=yes",
      "-o", "LogLevel=ERROR",
      "-o", `ConnectTimeout=${this.opts.connectTimeoutSeconds ?? 10}`,
      ...(this.opts.keyFileOnNode ? ["-i", this.opts.keyFileOnNode] : []),
    ];
    const missing: PingOutcome[] = [];
    const runnable = batch.filter((p) => {
      const net = ctx.networkIdOf(p.vm.subnet);
      if (!net) missing.push({ key: p.key, ran: false, transmitted: 0, received: 0, output: `no network id for subnet ${p.vm.subnet}` });
      return !!net;
    });
    const groups = groupBy(runnable, (p) => this.hostFor(ctx.networkIdOf(p.vm.subnet)!, ctx));
    const results = await Promise.all(
      [...groups].map(async ([host, ps]) => {
        const wait = this.opts.routeWaitSeconds ?? 60;
        const script = groupedPingScript(ps, (p) => {
          const ns = `qdhcp-${ctx.networkIdOf(p.vm.subnet)}`;
          return `${routeWaitScript(ns, p.vm.fixedIp, wait)}; ${shJoin(["ip", "netns", "exec", ns, "ssh", ...sshOpts, `${user}@${p.vm.fixedIp}`, vmProbeScript(p)])}`;
        });
        const timeoutMs = Math.max(...ps.map((p) => p.count * (p.waitSeconds + 1))) * 1000 + (60 + wait) * 1000;
        const res = await ctx.transport.run(host, { script }, { timeoutMs });
        return parseGroupedPings(ps, res.stdout, res.stderr);
      }),
    );
    const byKey = new Map([...results.flat(), ...missing].map((o) => [o.key, o]));
    return batch.map((p) => byKey.get(p.key)!);
  }
}

/** Where a twin VM lives: its host and the argv prefix that enters its network namespace. */
export interface VmLocation {
  readonly host: string;
  /** e.g. ["ip", "netns", "exec", "vm-r1-a-com2"] or ["nsenter", "-t", "4242", "-n"] */
  readonly prefix: readonly string[];
}

/**
 * The lab twin (and any lab whose VMs are network namespaces): runs the ping in the VM's namespace
 * on its host, one grouped script per host.
 */
export class NamespaceVmExecutor implements VmExecutor {
  constructor(private readonly locate: (vm: VmModel) => VmLocation) {}

  public plan(batch: readonly PingRequest[]): PlannedCommand[] {
    return [...groupBy(batch, (p) => this.locate(p.vm).host)].map(([host, ps]) => ({
      host,
      phase: "ping" as const,
      detail: `${ps.length} pings inside VM namespaces (one script)`,
    }));
  }

  public async ping(batch: readonly PingRequest[], ctx: VmExecutorContext): Promise<PingOutcome[]> {
    const groups = groupBy(batch, (p) => this.locate(p.vm).host);
    const results = await Promise.all(
      [...groups].map(async ([host, ps]) => {
        const script = groupedPingScript(ps, (p) => shJoin([...this.locate(p.vm).prefix, "sh", "-c", vmProbeScript(p)]));
        const timeoutMs = Math.max(...ps.map((p) => p.count * (p.waitSeconds + 1))) * 1000 + 30000;
        const res = await ctx.transport.run(host, { script }, { timeoutMs });
        return parseGroupedPings(ps, res.stdout, res.stderr);
      }),
    );
    const byKey = new Map(results.flat().map((o) => [o.key, o]));
    return batch.map((p) => byKey.get(p.key)!);
  }
}

