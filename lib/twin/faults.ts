import type { IniSetting } from "../push/desired-config";
import type { NeutronFile } from "../push/neutron-paths";
import { ProvisionerResource } from "../push/provisioner-resource";
import { sha256 } from "../push/remote-script";
import type { LabDescription, VmModel } from "../model/topology";

/**
 * REAL deviations of a deployed lab (`dvr-lab lab --fault NAME`), to prove that the verifier catches
 * them. Each is what a mistaken user or a drifting cloud would do to a lab that Terraform deployed:
 * the synthesized stack edited (the copy Terraform applies; what re-synthesizing with the mistake
 * would write, triggers included), a setting changed or a service stopped on a node, or the cloud's
 * state changed through its API. The verifier is never told: the VerifyHook judges the lab by its
 * own description, which no fault touches.
 */
export const FAULT_NAMES = [
  "legacy-instead-of-dvr",
  "l3-agent-down",
  "no-dvr-flows",
  "vm-on-wrong-host",
  "no-l2pop-server",
  "qrouter-redirects",
  "qrouter-no-forwarding",
  "qrouter-firewall-drop",
  "vm-port-dead-vlan",
  "qrouter-port-down",
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** What a fault needs from the running lab (lib/twin/deploy.ts implements it on the twin). */
export interface FaultTarget {
  /** Runs a bash script on a node (as root, like an operator's SSH session). */
  sh(host: string, script: string, what: string): Promise<string>;
  /** The cloud's Neutron API, as the cloud's admin. */
  neutron<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Router name -> id (Neutron). */
  routerIds(): Promise<Readonly<Record<string, string>>>;
  /** Waits until Neutron reports the host's agent of this type alive (true) or dead (false). */
  waitAgent(host: string, agentType: string, alive: boolean, timeoutMs: number): Promise<void>;
  /** Waits until no L3 agent has a router update in progress. */
  waitL3Idle(timeoutMs: number): Promise<void>;
  /** Flushes ICMP redirects the VMs' kernels hold (route cache). */
  clearVmRedirects(): Promise<void>;
}

export interface FaultPlan {
  readonly name: FaultName;
  /** One line: what is done, with the names of this lab. */
  readonly summary: string;
  /**
   * Edits the synthesized stack (a parsed copy of cdk.tf.json, in place); returns the addresses of
   * the edited resources. Terraform applies the copy; the revert is a targeted apply of the
   * original stack for these addresses.
   */
  readonly editStack?: (stack: Record<string, unknown>) => string[];
  /**
   * The edited resources are also replaced (`-replace`) by the fault's apply and by the revert: an
   * edit the provider does not act on by itself (terraform-provider-openstack suppresses the diff
   * of an instance's `availability_zone` whose zone part is unchanged: "nova:com1" against the
   * state's "nova"), which a user then forces.
   */
  readonly replaceEdited?: boolean;
  /**
   * The edited stack is applied from the lab's FIRST apply on: the symptom needs a cloud that never
   * had the right setting (at most one fault of a run can be this).
   */
  readonly fromFirstApply?: boolean;
  /** Changes the running lab (after the apply); returns one line per change made. */
  readonly inject?: (lab: FaultTarget) => Promise<string[]>;
  /** Restores what `inject` changed, or (stack edits) what the revert apply cannot (restarts); returns what it did. */
  readonly undo?: (lab: FaultTarget) => Promise<string[]>;
  /**
   * Site settings of the controller's neutron.conf the fault needs from the start of the twin
   * (the run's twin boots with them; they are valid for every other fault too).
   */
  readonly serverSiteSettings?: readonly IniSetting[];
}

function dvrVmHost(d: LabDescription, fault: string): string {
  const h = d.hosts.find((x) => x.role === "dvr" && d.vms.some((v) => v.host === x.name));
  if (!h) throw new Error(`fault ${fault}: the lab has no dvr host with VMs`);
  return h.name;
}

export function isFaultName(s: string): s is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(s);
}

type Resources = Record<string, Record<string, Record<string, unknown>>>;

/** The stack's resources of a type whose `name` attribute is `name` (addresses and bodies). */
export function resourcesNamed(stack: Record<string, unknown>, type: string, name: string): { address: string; body: Record<string, unknown> }[] {
  const of = ((stack.resource as Resources | undefined) ?? {})[type] ?? {};
  return Object.entries(of)
    .filter(([, b]) => b.name === name)
    .map(([id, body]) => ({ address: `${type}.${id}`, body }));
}

interface PushDocument {
  node: string;
  files: { file: string; settings: IniSetting[] }[];
}

/**
 * Edits one setting of a node's push document in the stack (the ConfigPush's inline `file`
 * content) and its `config_sha256` trigger, as re-synthesizing the node with that setting writes
 * them; returns the push resource's address.
 */
export function editPushDocument(
  stack: Record<string, unknown>,
  node: string,
  edit: { readonly file: NeutronFile; readonly section: string; readonly key: string; readonly value: (pushed: string | undefined) => string },
): string {
  for (const { address, body } of ProvisionerResource.entriesOf(stack)) {
    const b = body as { provisioner?: { file?: { content?: string; destination?: string } }[]; triggers_replace?: Record<string, string>; triggers?: Record<string, string> };
    const triggers = b.triggers_replace ?? b.triggers;
    if (triggers?.node !== node || triggers.config_sha256 === undefined) continue;
    const p = (b.provisioner ?? []).find((x) => x.file?.content !== undefined);
    if (!p?.file?.content) continue;
    const doc = JSON.parse(p.file.content) as PushDocument;
    const f = doc.files.find((x) => x.file === edit.file);
    if (!f) throw new Error(`fault: the push document of ${node} has no ${edit.file}`);
    const s = f.settings.find((x) => x.section === edit.section && x.key === edit.key);
    if (s) (s as { value: string }).value = edit.value(s.value);
    else f.settings.push({ section: edit.section, key: edit.key, value: edit.value(undefined) });
    p.file.content = JSON.stringify(doc, null, 2) + "\n";
    triggers.config_sha256 = sha256(p.file.content);
    return address;
  }
  throw new Error(`fault: the stack has no ConfigPush for node ${node}`);
}

/** Waits until Neutron has the router's new attributes and the L3 agents finished updating it. */
async function settleRouters(lab: FaultTarget): Promise<void> {
  await lab.waitL3Idle(120000);
}

/** Converts routers between distributed and centralized as an admin does (admin_state_up off, change, on). */
async function setDistributed(lab: FaultTarget, routers: readonly string[], distributed: boolean): Promise<string[]> {
  const ids = await lab.routerIds();
  const out: string[] = [];
  for (const r of routers) {
    const id = ids[r];
    if (!id) throw new Error(`fault: router ${r} not found in Neutron`);
    await lab.neutron("PUT", `/routers/${id}`, { router: { admin_state_up: false } });
    await lab.neutron("PUT", `/routers/${id}`, { router: { distributed } });
    await lab.neutron("PUT", `/routers/${id}`, { router: { admin_state_up: true } });
    out.push(`router ${r} (${id}): admin_state_up false, distributed ${distributed}, admin_state_up true (Neutron API)`);
  }
  await settleRouters(lab);
  return out;
}

/** The distributed routers serving a VM on `host` (with an external gateway if `gateway`). */
function dvrRoutersOf(d: LabDescription, host: string, gateway: boolean): string[] {
  return d.routers.filter((r) => r.distributed && (!gateway || r.externalGateway) && d.vms.some((v) => v.host === host && r.subnets.includes(v.subnet))).map((r) => r.name);
}

/** Sets a sysctl in `host`'s qrouter namespaces of `routers` (ids from Neutron); one line per namespace. */
function qrouterSysctl(lab: FaultTarget, fault: string, host: string, routers: readonly string[], key: string, value: 0 | 1): Promise<string[]> {
  return inQrouters(lab, fault, host, routers, `sysctl -qw ${key}=${value}`, `${key}=${value}`);
}

/** Runs one shell line in each of `host`'s qrouter namespaces of `routers`; one result line per namespace. */
async function inQrouters(lab: FaultTarget, fault: string, host: string, routers: readonly string[], command: string, what: string): Promise<string[]> {
  const ids = await lab.routerIds();
  const lines = routers.map((r) => {
    if (!ids[r]) throw new Error(`fault ${fault}: router ${r} has no id`);
    return `ip netns exec qrouter-${ids[r]} ${command}`;
  });
  await lab.sh(host, lines.join("\n"), `fault ${fault}: ${what} in ${host}'s qrouter namespaces`);
  return routers.map((r) => `${host} qrouter-${ids[r]} (${r}): ${what}`);
}

/**
 * A fault that changes the qrouter namespaces of the DVR routers serving the VMs of the lab's first
 * dvr host with VMs, on the node after the apply, and reverts it: `inject`/`undo` are [shell line
 * run in each namespace, what it did].
 */
function qrouterNamespaceFault(
  name: FaultName,
  d: LabDescription,
  x: { change: string; effect: string; inject: [string, string]; undo: [string, string] },
): FaultPlan {
  const host = dvrVmHost(d, name);
  const routers = dvrRoutersOf(d, host, false);
  if (!routers.length) throw new Error(`fault ${name}: no distributed router serves a VM on ${host}`);
  return {
    name,
    summary: `${host}'s qrouter namespace(s) of ${routers.join(", ")} ${x.change} on the node after the apply (${x.effect})`,
    inject: (lab) => inQrouters(lab, name, host, routers, ...x.inject),
    undo: (lab) => inQrouters(lab, name, host, routers, ...x.undo),
  };
}

/** The same-node DVR row on `host` (a VM of one subnet to a VM of another, both there). */
function sameNodeDvrRow(d: LabDescription, host: string, fault: string): { source: VmModel; target: VmModel; router: string } {
  const vm = (n: string) => d.vms.find((v) => v.name === n);
  const row = d.rows.find((r) => r.kind === "same-node" && r.distributed && vm(r.source)?.host === host);
  if (!row || !vm(row.source) || !vm(row.target)) throw new Error(`fault ${fault}: the lab has no same-node DVR row on ${host}`);
  return { source: vm(row.source)!, target: vm(row.target)!, router: row.router };
}

/** The concrete deviation of a fault for a lab (hosts, routers and VMs picked from its description). */
export function planFault(name: string, d: LabDescription): FaultPlan {
  if (!isFaultName(name)) throw new Error(`unknown fault "${name}" (known: ${FAULT_NAMES.join(", ")})`);
  switch (name) {
    case "legacy-instead-of-dvr": {
      const dvr = d.routers.filter((r) => r.distributed).map((r) => r.name);
      if (!dvr.length) throw new Error(`fault ${name}: the lab has no distributed router`);
      return {
        name,
        summary: `router(s) ${dvr.join(", ")} converted to centralized by an admin through the Neutron API (admin_state_up false, distributed false, admin_state_up true); the description says distributed=true`,
        inject: (lab) => setDistributed(lab, dvr, false),
        undo: (lab) => setDistributed(lab, dvr, true),
      };
    }
    case "l3-agent-down": {
      const host = dvrVmHost(d, name);
      return {
        name,
        summary: `${host}'s L3 agent stopped on the node after the apply (site setting agent_down_time = 30 s, so Neutron reports it dead in 30 s)`,
        serverSiteSettings: [{ section: "DEFAULT", key: "agent_down_time", value: "30" }],
        inject: async (lab) => {
          await lab.sh(host, "systemctl stop neutron-l3-agent", `fault ${name}: stop neutron-l3-agent on ${host}`);
          await lab.waitAgent(host, "L3 agent", false, 90000);
          return [`stopped neutron-l3-agent on ${host}; Neutron reports its L3 agent dead`];
        },
        undo: async (lab) => {
          await lab.sh(host, "systemctl start neutron-l3-agent", `fault ${name}: start neutron-l3-agent on ${host}`);
          await lab.waitAgent(host, "L3 agent", true, 90000);
          // The restarted agent re-syncs every router it hosts.
          await lab.waitL3Idle(120000);
          return [`started neutron-l3-agent on ${host}; alive, routers re-synced`];
        },
      };
    }
    case "no-dvr-flows": {
      const host = dvrVmHost(d, name);
      return {
        name,
        summary: `${host}'s ConfigPush document in the stack sets [agent] enable_distributed_routing = False for its OVS agent (Terraform re-pushes ${host})`,
        editStack: (stack) => [editPushDocument(stack, host, { file: "openvswitch_agent.ini", section: "agent", key: "enable_distributed_routing", value: () => "False" })],
      };
    }
    case "vm-on-wrong-host": {
      const host = dvrVmHost(d, name);
      const vm = d.vms.find((v) => v.host === host)!;
      const other = d.hosts.find((h) => h.name !== host && h.role !== "controller" && h.runsVms);
      if (!other) throw new Error(`fault ${name}: the lab has no second host that runs VMs`);
      return {
        name,
        summary: `VM ${vm.name}'s instance in the stack has availability_zone nova:${other.name}, re-created there (terraform apply -replace: the provider ignores a change of the host part alone); the description pins it to ${host}`,
        replaceEdited: true,
        editStack: (stack) => {
          const found = resourcesNamed(stack, "openstack_compute_instance_v2", vm.name);
          if (found.length !== 1) throw new Error(`fault ${name}: the stack has ${found.length} instances named ${vm.name}`);
          found[0].body.availability_zone = `nova:${other.name}`;
          return [found[0].address];
        },
      };
    }
    case "no-l2pop-server": {
      const ctrl = d.hosts.find((h) => h.role === "controller");
      if (!ctrl) throw new Error(`fault ${name}: the lab has no controller`);
      const ovsHosts = d.hosts.filter((h) => h.role !== "controller").map((h) => h.name);
      return {
        name,
        summary: `${ctrl.name}'s ConfigPush document in the stack sets [ml2] mechanism_drivers without l2population, from the first apply on (the agents keep l2_population = True)`,
        fromFirstApply: true,
        editStack: (stack) => [
          editPushDocument(stack, ctrl.name, {
            file: "ml2_conf.ini",
            section: "ml2",
            key: "mechanism_drivers",
            value: (v) => (v ?? "openvswitch,l2population").split(",").filter((x) => x.trim() !== "l2population").join(","),
          }),
        ],
        // Once the server has l2population again, agents get the full forwarding table only when they
        // (re)start: restart each node's OVS agent, as an operator would after fixing the server.
        undo: async (lab) => {
          for (const h of ovsHosts) {
            await lab.sh(h, "systemctl restart neutron-openvswitch-agent", `fault ${name}: restart the OVS agent on ${h}`);
          }
          for (const h of ovsHosts) await lab.waitAgent(h, "Open vSwitch agent", true, 90000);
          return [`restarted neutron-openvswitch-agent on ${ovsHosts.join(", ")} (the full l2population forwarding table comes with an agent's start)`];
        },
      };
    }
    case "qrouter-no-forwarding":
      return qrouterNamespaceFault(name, d, {
        change: "set net.ipv4.ip_forward = 0",
        effect: "the router gets the packets and drops them",
        inject: ["sysctl -qw net.ipv4.ip_forward=0", "net.ipv4.ip_forward=0"],
        undo: ["sysctl -qw net.ipv4.ip_forward=1", "net.ipv4.ip_forward=1"],
      });
    case "qrouter-firewall-drop":
      return qrouterNamespaceFault(name, d, {
        change: 'get an iptables rule "-I FORWARD 1 -j DROP"',
        effect: "a stray firewall rule: the router gets the packets and drops them",
        inject: ["iptables -I FORWARD 1 -j DROP", "iptables -I FORWARD 1 -j DROP"],
        undo: ["iptables -D FORWARD -j DROP", "iptables -D FORWARD -j DROP"],
      });
    case "vm-port-dead-vlan": {
      const host = dvrVmHost(d, name);
      // The TARGET of the same-node row: the rows towards it still send (the VMs that ping are
      // reachable), so the trace shows where its packets stop; the rows it sends cannot start.
      const { target: vm } = sameNodeDvrRow(d, host, name);
      let tap: string | undefined;
      let tag: string | undefined;
      return {
        name,
        summary: `VM ${vm.name}'s port on ${host}'s br-int is moved to the OVS agent's dead VLAN 4095 after the apply (as the agent does with a port it cannot bind): OVS drops what the VM sends and what is sent to it`,
        inject: async (lab) => {
          const { ports } = await lab.neutron<{ ports: { id: string }[] }>("GET", `/ports?fixed_ips=${encodeURIComponent(`ip_address=${vm.fixedIp}`)}`);
          if (ports.length !== 1) throw new Error(`fault ${name}: ${ports.length} ports have ${vm.fixedIp} (expected 1)`);
          tap = `tap${ports[0].id.slice(0, 11)}`;
          tag = (await lab.sh(host, `ovs-vsctl get Port ${tap} tag`, `fault ${name}: ${tap}'s VLAN tag`)).trim();
          if (!/^\d+$/.test(tag)) throw new Error(`fault ${name}: ${tap} has no VLAN tag (${tag})`);
          await lab.sh(host, `ovs-vsctl set Port ${tap} tag=4095`, `fault ${name}: ${tap} tag=4095`);
          return [`${host} br-int port ${tap} (VM ${vm.name}): tag ${tag} -> 4095`];
        },
        undo: async (lab) => {
          if (!tap || !tag) throw new Error(`fault ${name}: nothing to undo (not injected)`);
          await lab.sh(host, `ovs-vsctl set Port ${tap} tag=${tag}`, `fault ${name}: ${tap} tag=${tag}`);
          return [`${host} br-int port ${tap} (VM ${vm.name}): tag 4095 -> ${tag}`];
        },
      };
    }
    case "qrouter-port-down": {
      const host = dvrVmHost(d, name);
      const { target, router } = sameNodeDvrRow(d, host, name);
      const gw = d.subnets.find((x) => x.name === target.subnet)?.gatewayIp;
      if (!gw) throw new Error(`fault ${name}: subnet ${target.subnet} has no gateway`);
      return {
        name,
        summary: `${host}'s qrouter namespace of ${router} has its interface on ${target.subnet} (gateway ${gw}) set down on the node after the apply (ip link set down); undone by bouncing the router (admin_state_up false, true) so that the L3 agent rebuilds what the down interface lost`,
        inject: async (lab) => {
          const id = (await lab.routerIds())[router];
          if (!id) throw new Error(`fault ${name}: router ${router} has no id`);
          const ns = `qrouter-${id}`;
          const dev = (
            await lab.sh(host, `ip netns exec ${ns} ip -o -4 addr show | awk -v ip=${gw} '$4 ~ "^"ip"/" {print $2}'`, `fault ${name}: the interface with ${gw} in ${ns}`)
          ).trim();
          if (!/^qr-\S+$/.test(dev)) throw new Error(`fault ${name}: no qr- interface holds ${gw} in ${ns} on ${host} (got "${dev}")`);
          await lab.sh(host, `ip netns exec ${ns} ip link set ${dev} down`, `fault ${name}: ${dev} down`);
          return [`${host} ${ns} (${router}): ${dev} (${gw}, ${target.subnet}) set down`];
        },
        undo: async (lab) => {
          const id = (await lab.routerIds())[router];
          const ns = `qrouter-${id}`;
          // The L3 agent drops an admin-down router (its namespaces go) and builds it again when it
          // is up: wait for each, so that the agent does not merge the two updates into one.
          await lab.neutron("PUT", `/routers/${id}`, { router: { admin_state_up: false } });
          await lab.sh(host, `for _ in $(seq 120); do ip netns list | grep -q '^${ns}' || exit 0; sleep 1; done; echo "${ns} still there" >&2; exit 1`, `fault ${name}: ${ns} removed by the L3 agent`);
          await lab.neutron("PUT", `/routers/${id}`, { router: { admin_state_up: true } });
          await lab.sh(
            host,
            `for _ in $(seq 120); do ip netns exec ${ns} ip -o -4 addr show 2>/dev/null | grep -q ' ${gw}/' && exit 0; sleep 1; done; echo "${ns} has no ${gw}" >&2; exit 1`,
            `fault ${name}: ${ns} rebuilt by the L3 agent`,
          );
          await settleRouters(lab);
          return [`router ${router} (${id}): admin_state_up false (${host}'s ${ns} removed), admin_state_up true (rebuilt with ${gw}) (Neutron API)`];
        },
      };
    }
    case "qrouter-redirects": {
      const host = dvrVmHost(d, name);
      const routers = dvrRoutersOf(d, host, true);
      if (!routers.length) throw new Error(`fault ${name}: no distributed router with a gateway serves a VM on ${host}`);
      return {
        name,
        summary: `${host}'s qrouter namespace(s) of ${routers.join(", ")} set net.ipv4.conf.all.send_redirects = 1 on the node after the apply (as before Neutron adds the router's gateway on that node)`,
        inject: (lab) => qrouterSysctl(lab, name, host, routers, "net.ipv4.conf.all.send_redirects", 1),
        undo: async (lab) => {
          const out = await qrouterSysctl(lab, name, host, routers, "net.ipv4.conf.all.send_redirects", 0);
          await lab.clearVmRedirects();
          return [...out, "VMs' route caches flushed (ICMP redirects they hold)"];
        },
      };
    }
  }
}

/**
 * The faults of a run in the order they go: the one that needs the first apply first, then the
 * others in the order given. Throws on an unknown name, a repeat, or two first-apply faults.
 */
export function planFaults(names: readonly string[], d: LabDescription): FaultPlan[] {
  const seen = new Set<string>();
  const plans = names.map((n) => {
    if (seen.has(n)) throw new Error(`fault ${n} is given twice`);
    seen.add(n);
    return planFault(n, d);
  });
  const first = plans.filter((p) => p.fromFirstApply);
  if (first.length > 1) throw new Error(`faults ${first.map((p) => p.name).join(" and ")} both need the first apply: run them in separate labs`);
  return [...first, ...plans.filter((p) => !p.fromFirstApply)];
}
