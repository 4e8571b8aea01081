import type { IniSetting } from "../push/desired-config";
import type { NeutronFile, NeutronService } from "../push/neutron-paths";
import type { LabDescription } from "../model/topology";
import { PUSH_DOCUMENT_PATH, PushStep } from "./push";

/**
 * REAL misconfigurations the twin can be brought up with (`dvr-lab lab --fault NAME`), to prove that
 * the verifier catches them. Each fault changes what really happens on the twin (the API call, the
 * push document a node receives, a stopped service, where a VM is plugged) and nothing else: the
 * verifier is never told about it and still judges the lab by its own description.
 */
export const FAULT_NAMES = ["legacy-instead-of-dvr", "l3-agent-down", "no-dvr-flows", "vm-on-wrong-host", "no-l2pop-server", "qrouter-redirects"] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

/** What is wrong with one host's agents as the twin's own agent check sees them (Neutron's agent list). */
export type AgentProblemKind =
  /** An agent the description does not list for the host (`expected`: the listed agents). */
  | "unexpected"
  /** A listed agent that is not registered. */
  | "missing"
  | "not-alive"
  /** The L3 agent's agent_mode (`expected`: the host's role, `actual`: the reported mode). */
  | "agent-mode"
  | "no-distributed-routing"
  | "no-l2-population"
  /** The OVS agent's tunneling_ip (`expected`: the host's tunnel IP, `actual`: the reported one). */
  | "tunneling-ip";

/** One problem of the twin's agent check, as fields. */
export interface AgentProblem {
  readonly host: string;
  /** The agent type as Neutron reports it ("L3 agent", "Open vSwitch agent"). */
  readonly agent: string;
  readonly kind: AgentProblemKind;
  readonly expected?: string;
  readonly actual?: string;
}

const SHORT_AGENT: Readonly<Record<string, string>> = { "Open vSwitch agent": "OVS agent" };

/** An agent problem as one line (the text the twin logs and records as a fault's observation). */
export function formatAgentProblem(p: AgentProblem): string {
  const agent = SHORT_AGENT[p.agent] ?? p.agent;
  switch (p.kind) {
    case "unexpected":
      return `${p.host}: unexpected ${p.agent} (the description lists ${p.expected || "no agent"})`;
    case "missing":
      return `${p.host}: no ${p.agent}`;
    case "not-alive":
      return `${p.host}: ${p.agent} not alive`;
    case "agent-mode":
      return `${p.host}: ${p.agent} mode ${String(p.actual)}, expected ${p.expected}`;
    case "no-distributed-routing":
      return `${p.host}: ${agent} without enable_distributed_routing`;
    case "no-l2-population":
      return `${p.host}: ${agent} without l2_population`;
    case "tunneling-ip":
      return `${p.host}: ${agent} tunneling_ip ${String(p.actual)}, expected ${p.expected}`;
  }
}

/** Whether two problems are the same finding (host, agent and kind; the values may differ). */
export function sameAgentProblem(a: AgentProblem, b: AgentProblem): boolean {
  return a.host === b.host && a.agent === b.agent && a.kind === b.kind;
}

export interface PushDocEdit {
  readonly node: string;
  readonly file: NeutronFile;
  readonly section: string;
  readonly key: string;
  /** New value from the pushed one (undefined: the key was not pushed). */
  readonly value: (pushed: string | undefined) => string;
}

export interface FaultPlan {
  readonly name: FaultName;
  /** One line: what is injected, with the names of this lab. */
  readonly summary: string;
  /** `distributed` the twin sends when creating a router (default: the description's). */
  readonly routerDistributed?: (router: string, described: boolean) => boolean;
  /** Edits of the push documents (the ConfigPush a node receives). */
  readonly pushEdits?: readonly PushDocEdit[];
  /** A service stopped after the pushes, before any tenant resource (router) exists. */
  readonly stopBeforeRouters?: { readonly host: string; readonly service: NeutronService; readonly agentType: string };
  /** VM name -> the host it is really bound to and plugged on. */
  readonly vmHost?: Readonly<Record<string, string>>;
  /** Twin site settings of the controller's neutron.conf for this run (e.g. a short agent_down_time). */
  readonly serverSiteSettings?: readonly IniSetting[];
  /** A change made on a host once the twin is up (script gets the router ids by name). */
  readonly afterUp?: { readonly host: string; readonly script: (routerIds: Readonly<Record<string, string>>) => string };
  /** Problems of the twin's own agent check that are this fault's symptom (not a twin failure). */
  readonly tolerated: readonly AgentProblem[];
  /**
   * Whether a problem of the twin's agent check is this fault's symptom: the same host, agent and
   * kind as one of `tolerated`.
   */
  readonly tolerates: (problem: AgentProblem) => boolean;
}

/** `FaultPlan.tolerates` of a list of tolerated problems. */
function tolerating(tolerated: readonly AgentProblem[]): Pick<FaultPlan, "tolerated" | "tolerates"> {
  return {
    tolerated,
    tolerates: (p) => tolerated.some((t) => sameAgentProblem(t, p)),
  };
}

function dvrVmHost(d: LabDescription, fault: string): string {
  const h = d.hosts.find((x) => x.role === "dvr" && d.vms.some((v) => v.host === x.name));
  if (!h) throw new Error(`fault ${fault}: the lab has no dvr host with VMs`);
  return h.name;
}

export function isFaultName(s: string): s is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(s);
}

/** The concrete injection of a fault for a lab (hosts, routers and VMs picked from its description). */
export function planFault(name: string, d: LabDescription): FaultPlan {
  if (!isFaultName(name)) throw new Error(`unknown fault "${name}" (known: ${FAULT_NAMES.join(", ")})`);
  switch (name) {
    case "legacy-instead-of-dvr": {
      const dvr = d.routers.filter((r) => r.distributed).map((r) => r.name);
      if (!dvr.length) throw new Error(`fault ${name}: the lab has no distributed router`);
      return {
        name,
        summary: `router(s) ${dvr.join(", ")} created with distributed=false (the description says distributed=true)`,
        routerDistributed: () => false,
        ...tolerating([]),
      };
    }
    case "l3-agent-down": {
      const host = dvrVmHost(d, name);
      return {
        name,
        summary: `${host}'s L3 agent stopped after the push, before the routers exist (server agent_down_time = 30 s so the API reports it dead)`,
        stopBeforeRouters: { host, service: "neutron-l3-agent", agentType: "L3 agent" },
        serverSiteSettings: [{ section: "DEFAULT", key: "agent_down_time", value: "30" }],
        ...tolerating([{ host, agent: "L3 agent", kind: "not-alive" }]),
      };
    }
    case "no-dvr-flows": {
      const host = dvrVmHost(d, name);
      return {
        name,
        summary: `${host}'s push document sets [agent] enable_distributed_routing = False for its OVS agent`,
        pushEdits: [{ node: host, file: "openvswitch_agent.ini", section: "agent", key: "enable_distributed_routing", value: () => "False" }],
        ...tolerating([{ host, agent: "Open vSwitch agent", kind: "no-distributed-routing" }]),
      };
    }
    case "vm-on-wrong-host": {
      const host = dvrVmHost(d, name);
      const vm = d.vms.find((v) => v.host === host)!;
      const other = d.hosts.find((h) => h.name !== host && h.role !== "controller" && h.runsVms);
      if (!other) throw new Error(`fault ${name}: the lab has no second host that runs VMs`);
      return {
        name,
        summary: `VM ${vm.name} bound to ${other.name} (binding:host_id and its namespace), the description pins it to ${host}`,
        vmHost: { [vm.name]: other.name },
        ...tolerating([]),
      };
    }
    case "no-l2pop-server": {
      const ctrl = d.hosts.find((h) => h.role === "controller");
      if (!ctrl) throw new Error(`fault ${name}: the lab has no controller`);
      return {
        name,
        summary: `${ctrl.name}'s push document sets [ml2] mechanism_drivers without l2population (the agents keep l2_population = True)`,
        pushEdits: [
          {
            node: ctrl.name,
            file: "ml2_conf.ini",
            section: "ml2",
            key: "mechanism_drivers",
            value: (v) => (v ?? "openvswitch,l2population").split(",").filter((x) => x.trim() !== "l2population").join(","),
          },
        ],
        ...tolerating([]),
      };
    }
    case "qrouter-redirects": {
      const host = dvrVmHost(d, name);
      const routers = d.routers.filter((r) => r.distributed && r.externalGateway && d.vms.some((v) => v.host === host && r.subnets.includes(v.subnet))).map((r) => r.name);
      if (!routers.length) throw new Error(`fault ${name}: no distributed router with a gateway serves a VM on ${host}`);
      return {
        name,
        summary: `${host}'s qrouter namespace(s) of ${routers.join(", ")} set net.ipv4.conf.all.send_redirects = 1 once the twin is up (as before Neutron adds the router's gateway on that node)`,
        afterUp: {
          host,
          script: (ids) =>
            routers
              .map((r) => {
                if (!ids[r]) throw new Error(`fault ${name}: router ${r} has no id`);
                return `ip netns exec qrouter-${ids[r]} sysctl -qw net.ipv4.conf.all.send_redirects=1`;
              })
              .join("\n"),
        },
        ...tolerating([]),
      };
    }
  }
}

interface PushDocument {
  node: string;
  files: { file: string; settings: IniSetting[] }[];
}

/** Applies a fault's push-document edits to the ConfigPush steps (returns new steps; throws if a target is missing). */
export function applyPushEdits(steps: readonly PushStep[], edits: readonly PushDocEdit[]): PushStep[] {
  return steps.map((step) => {
    const mine = edits.filter((e) => e.node === step.node);
    if (!mine.length) return step;
    return {
      ...step,
      source: `${step.source} + fault edit`,
      provisioners: step.provisioners.map((p) => {
        if (p.type !== "file" || p.destination !== PUSH_DOCUMENT_PATH) return p;
        const doc = JSON.parse(p.content) as PushDocument;
        for (const e of mine) {
          const f = doc.files.find((x) => x.file === e.file);
          if (!f) throw new Error(`fault: the push document of ${step.node} has no ${e.file}`);
          const s = f.settings.find((x) => x.key === e.key);
          if (s) (s as { value: string }).value = e.value(s.value);
          else f.settings.push({ section: e.section, key: e.key, value: e.value(undefined) });
        }
        return { ...p, content: JSON.stringify(doc, null, 2) + "\n" };
      }),
    };
  });
}
