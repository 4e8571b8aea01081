/**
 * The data plane must be measured once the L3 and OVS agents have finished wiring the lab's routers,
 * not while they still are. Right after a deploy they may not have: the pushes restart every agent,
 * then Terraform adds the routers' interfaces, and an L3 agent in dvr_snat mode takes tens of
 * seconds per update of a distributed router on a busy node (measured on the twin: 46 s and 39 s for
 * two updates; a csnat `sg-` port reached OVS, and got its DVR flow, 12 s after the VerifyHook had
 * measured, and the verifier, seeing markers enter com1 and none reach the snat namespace, rightly
 * called it a break). Neutron's API alone cannot say when a host is done: a distributed `qr-` port is
 * ACTIVE as soon as ONE host bound it.
 *
 * So before the structure checks, the verifier waits (bounded) until, for every routing hop the
 * rows expect (a router namespace on a host), the namespace exists on that host and holds the
 * router's interfaces the hop routes through, each with its OVS port bound by the OVS agent (a local
 * VLAN tag, not the dead VLAN, and the agent's `net_uuid` in the port's other_config: the agent
 * writes both after it installed the port's DVR flows), and until Neutron shows every router port
 * ACTIVE. What is still missing when the wait ends becomes a failed `router-wiring` check at that
 * hop, so a break there is explained by it.
 */
import type { LabDescription, RoutingHop } from "../model/topology";
import { gateCheck, type GateCheck } from "./checks";
import { namespaceOf, namespaceOwner, type Resolved } from "./gate";
import { DEAD_VLAN, type HostSnapshot } from "./probes";
import type { NeutronApi } from "./types";

/** Router port device owners (Neutron) and the prefix of the device the L3 agent makes of each. */
const DEVICE_PREFIX: Readonly<Record<string, "qr-" | "sg-" | "qg-">> = {
  "network:router_interface_distributed": "qr-",
  "network:router_interface": "qr-",
  "network:router_centralized_snat": "sg-",
  "network:router_gateway": "qg-",
};

/** One port of a lab router, as Neutron lists it. */
export interface RouterPort {
  readonly router: string;
  readonly id: string;
  readonly owner: string;
  /** The device in the router's namespace: qr-/sg-/qg- and the port id's first 11 characters. */
  readonly device: string;
  readonly status: string;
  /** Subnet ids of its fixed IPs. */
  readonly subnetIds: readonly string[];
}

/** One device a routing hop needs, and whether the host has it wired. */
export interface HopDevice {
  readonly host: string;
  readonly namespace: string;
  readonly namespaceKind: RoutingHop["namespace"];
  /** Router name (or the external network's, for fip). */
  readonly owner: string;
  /** The device, or undefined when the hop only needs its namespace. */
  readonly device?: string;
  /** Empty when wired; else what is missing, as a sentence. */
  readonly missing?: string;
}

/** Neutron's ports of the lab's routers (one GET per router). */
export async function listRouterPorts(api: NeutronApi, resolved: Resolved): Promise<RouterPort[]> {
  const out: RouterPort[] = [];
  for (const [router, id] of Object.entries(resolved.routerIds)) {
    for (const p of await api.portsOfDevice(id)) {
      const prefix = DEVICE_PREFIX[String(p.device_owner ?? "")];
      if (!prefix) continue;
      const fixed = Array.isArray(p.fixed_ips) ? (p.fixed_ips as { subnet_id?: string }[]) : [];
      out.push({
        router,
        id: String(p.id),
        owner: String(p.device_owner),
        device: `${prefix}${String(p.id).slice(0, 11)}`,
        status: String(p.status ?? ""),
        subnetIds: fixed.map((f) => String(f.subnet_id ?? "")).filter(Boolean),
      });
    }
  }
  return out;
}

/**
 * The hops every row expects (host, namespace), each with the devices it routes through: a qrouter
 * its router's qr- ports on the subnets of the row's two ends (and qg- for a legacy router's traffic
 * to the external network); a snat namespace its router's sg- port on the source's subnet and qg-;
 * a fip namespace only itself. Pure.
 */
export function hopDevices(d: LabDescription, resolved: Resolved, ports: readonly RouterPort[]): { host: string; namespace: string; namespaceKind: RoutingHop["namespace"]; owner: string; devices: string[] }[] {
  const subnetOfVm = (name: string) => d.vms.find((v) => v.name === name)?.subnet;
  const hops = new Map<string, { host: string; namespace: string; namespaceKind: RoutingHop["namespace"]; owner: string; devices: Set<string> }>();
  for (const row of d.rows) {
    for (const dir of row.directions) {
      const ends = [dir.from, dir.to].map(subnetOfVm).filter((s): s is string => !!s).map((s) => resolved.subnetIds[s]).filter(Boolean);
      const external = dir.from === "external" || dir.to === "external";
      for (const hop of dir.routedAt) {
        const ns = namespaceOf(hop, resolved);
        const owner = ns && namespaceOwner(ns, resolved, d)?.owner;
        if (!ns || !owner) continue;
        const e = hops.get(`${hop.host} ${ns}`) ?? { host: hop.host, namespace: ns, namespaceKind: hop.namespace, owner, devices: new Set<string>() };
        hops.set(`${hop.host} ${ns}`, e);
        if (hop.namespace === "fip") continue;
        for (const p of ports) {
          if (p.router !== hop.router) continue;
          const onEnd = p.subnetIds.some((s) => ends.includes(s));
          if (hop.namespace === "qrouter" && p.device.startsWith("qr-") && onEnd) e.devices.add(p.device);
          if (hop.namespace === "snat" && p.device.startsWith("sg-") && onEnd) e.devices.add(p.device);
          if (p.device.startsWith("qg-") && external && (hop.namespace === "snat" || !row.distributed)) e.devices.add(p.device);
        }
      }
    }
  }
  return [...hops.values()].map((h) => ({ ...h, devices: [...h.devices].sort() })).sort((a, b) => `${a.host} ${a.namespace}`.localeCompare(`${b.host} ${b.namespace}`));
}

/** The port id prefix of a device (qr-/sg-/qg-/tap + 11 characters): its OVS port may carry any of those prefixes (ovs_use_veth names it tap…). */
const idPart = (device: string) => device.slice(3);

/** Whether each hop's namespace and devices are wired on its host (from the host snapshots). Pure. */
export function wiring(d: LabDescription, resolved: Resolved, ports: readonly RouterPort[], snap: ReadonlyMap<string, HostSnapshot>): HopDevice[] {
  const out: HopDevice[] = [];
  for (const h of hopDevices(d, resolved, ports)) {
    const s = snap.get(h.host);
    if (!s?.ok) continue; // the snapshot's own failure is reported elsewhere
    const base = { host: h.host, namespace: h.namespace, namespaceKind: h.namespaceKind, owner: h.owner };
    if (!s.namespaces.includes(h.namespace)) {
      out.push({ ...base, missing: `namespace ${h.namespace} not on ${h.host} yet` });
      continue;
    }
    if (!h.devices.length) out.push(base);
    const links = s.namespaceState?.[h.namespace]?.links;
    for (const device of h.devices) {
      const port = ports.find((p) => p.device === device);
      let missing: string | undefined;
      if (links && !links.some((l) => l.name === device)) missing = `${device} not in ${h.namespace} on ${h.host} yet (the L3 agent has not plugged it)`;
      else if (s.ovsPorts && !device.startsWith("qg-")) {
        const ovs = s.ovsPorts.find((p) => /^(qr-|sg-|qg-|tap)/.test(p.name) && p.name.slice(3) === idPart(device));
        if (!ovs) missing = `${device} has no OVS port on ${h.host} yet`;
        else if (ovs.tag === undefined || ovs.tag === DEAD_VLAN || !ovs.netUuid) missing = `${ovs.name} on ${h.host}'s br-int not bound by the OVS agent yet (tag ${ovs.tag ?? "none"}${ovs.netUuid ? "" : ", no net_uuid"})`;
      }
      if (!missing && port && port.status !== "ACTIVE") missing = `Neutron shows port ${device} ${port.status || "without status"}`;
      out.push({ ...base, device, ...(missing ? { missing } : {}) });
    }
  }
  return out;
}

/** The `router-wiring` checks: one per hop device (or per hop needing only its namespace). */
export function wiringChecks(devices: readonly HopDevice[]): GateCheck[] {
  return devices.map((x) =>
    gateCheck({
      id: "router-wiring",
      target: { kind: "router-namespace", host: x.host, namespaceKind: x.namespaceKind, owner: x.owner, namespace: x.namespace },
      ok: !x.missing,
      expected: x.device ? `${x.device} plugged, bound by the OVS agent and ACTIVE` : "namespace present",
      actual: x.missing ?? (x.device ? `${x.device} wired` : "present"),
    }),
  );
}

export interface WiringWait {
  readonly snapshots: HostSnapshot[];
  readonly devices: HopDevice[];
  readonly ports: RouterPort[];
  /** Snapshots taken after the first. */
  readonly polls: number;
  readonly waitedMs: number;
}

export interface WiringWaitOptions {
  /** Longest wait (s); 0: judge the first snapshot as it is. */
  readonly seconds: number;
  /** Between two rounds (ms). @default 2000 */
  readonly pollMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

/**
 * Takes the structure snapshot (`snapshot`: one command per host) and Neutron's router ports again
 * until every hop is wired (above) or `seconds` passed. A failed port list ends the wait (the hops'
 * devices are then unknown and only their namespaces are judged).
 */
export async function awaitRouterWiring(
  d: LabDescription,
  api: NeutronApi,
  resolved: Resolved,
  snapshot: () => Promise<HostSnapshot[]>,
  o: WiringWaitOptions,
): Promise<WiringWait> {
  const now = o.now ?? Date.now;
  const start = now();
  const pollMs = o.pollMs ?? 2000;
  let ports: RouterPort[] = [];
  let portsOk = true;
  const round = async () => {
    if (portsOk) {
      try {
        ports = await listRouterPorts(api, resolved);
      } catch (e) {
        portsOk = false;
        o.log?.(`router wiring: router ports not listed (${(e as Error).message}); judging the namespaces only`);
      }
    }
    const snapshots = await snapshot();
    return { snapshots, devices: wiring(d, resolved, ports, new Map(snapshots.map((s) => [s.host, s]))) };
  };
  let r = await round();
  let polls = 0;
  let lastLog = -Infinity;
  // Bounded twice: by polls (deterministic with an injected sleep) and by the clock (a round itself
  // takes a snapshot of every host, seconds on a busy node).
  const maxPolls = Math.floor((o.seconds * 1000) / pollMs);
  while (r.devices.some((x) => x.missing) && polls < maxPolls && now() - start + pollMs <= o.seconds * 1000) {
    const missing = r.devices.filter((x) => x.missing);
    if (now() - lastLog >= 10000) {
      o.log?.(`router wiring: waiting (up to ${o.seconds} s) for ${missing.length} of ${r.devices.length}: ${missing.slice(0, 3).map((x) => x.missing).join("; ")}${missing.length > 3 ? "; …" : ""}`);
      lastLog = now();
    }
    await o.sleep(pollMs);
    polls++;
    r = await round();
  }
  const waitedMs = now() - start;
  const left = r.devices.filter((x) => x.missing).length;
  if (polls || left) o.log?.(`router wiring: ${left ? `${left} of ${r.devices.length} hop devices still not wired after ${Math.round(waitedMs / 1000)} s` : `every hop wired after ${Math.round(waitedMs / 1000)} s`}`);
  return { ...r, ports, polls, waitedMs };
}
