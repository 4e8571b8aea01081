import { join } from "path";
import type { AgentProblem } from "./agent-problems";
import { formatAgentProblem } from "./agent-problems";
import type { AgentInfo, NeutronApi, PortInfo } from "./api";
import { Cloud } from "./cloud/cloud";
import type { CloudRest } from "./cloud/rest";
import { novaUrl } from "./cloud-access";
import { alive, enter } from "./proc";
import { run } from "../common/process";
import type { TwinState } from "./state";

/** What `twin status` reads of a twin (lib/twin/twin.ts Twin is one). */
export interface StatusSource {
  readonly state: TwinState;
  api(): NeutronApi;
  /** The cloud's admin client; undefined without the cloud. */
  admin(): CloudRest | undefined;
  agentProblems(): Promise<AgentProblem[]>;
  namespacesPerHost(): Promise<Record<string, string[]>>;
}

/**
 * `twin status` as text: the holders, each host's units, the agents (alive, mode, DVR settings)
 * checked against the plan, the router namespaces per host named by router, the VMs with their
 * Nova instance, host, port, IP and state, and the operator's OS_* variables.
 */
export async function twinStatus(twin: StatusSource): Promise<string> {
  const st = twin.state;
  const plan = st.plan;
  const lines = [`twin ${st.name}: ${st.phase}${st.error ? ` (${st.error.split("\n")[0]})` : ""}  state ${st.stateDir}`];
  const holdersAlive = st.holders.filter((p) => alive(p)).length;
  lines.push(`namespace holders alive: ${holdersAlive}/${st.holders.length}`);
  if (!st.outer || !alive(st.outer.pid)) return lines.join("\n");
  lines.push("hosts:");
  for (const h of plan.hosts) {
    const hs = st.hosts[h.name];
    if (!hs) continue;
    const units = await run([...enter(hs.pid), "bash", "-c", "cd \"$(cat /run/dvr-lab-twin-host)/units\" && for u in *.sh; do u=${u%.sh}; printf '%s=%s ' \"$u\" \"$(systemctl is-active \"$u\")\"; done"]);
    lines.push(`  ${h.name.padEnd(8)} ${h.role.padEnd(16)} pid ${hs.pid} mgmt ${h.mgmtIp}${h.tunnelIp ? ` tunnel ${h.tunnelIp}` : ""}`);
    lines.push(`           ${units.stdout.trim()}`);
  }
  const api = twin.api();
  if (!(await api.up())) {
    lines.push("neutron API: not answering");
    return lines.join("\n");
  }
  const { agents } = await api.call<{ agents: AgentInfo[] }>("GET", "/agents");
  lines.push("agents:");
  for (const a of agents.sort((x, y) => (x.host + x.agent_type).localeCompare(y.host + y.agent_type))) {
    const c = a.configurations;
    const mode = a.agent_type === "L3 agent" ? ` mode=${String(c.agent_mode)}` : a.agent_type === "Open vSwitch agent" ? ` dvr=${String(c.enable_distributed_routing)} l2pop=${String(c.l2_population)} tunneling_ip=${String(c.tunneling_ip)}` : "";
    lines.push(`  ${a.host.padEnd(8)} ${a.agent_type.padEnd(20)} ${a.alive ? "alive" : "DEAD "}${mode}`);
  }
  const problems = await twin.agentProblems();
  lines.push(problems.length ? `agent check: ${problems.map(formatAgentProblem).join("; ")}` : "agent check: as the description expects");
  // Router (and the external network's) names by id, as Neutron has them now (Terraform made them).
  const { routers } = await api.call<{ routers: { id: string; name: string }[] }>("GET", "/routers");
  const ids: Record<string, string> = Object.fromEntries(routers.map((r) => [r.id, r.name]));
  if (st.neutron.externalNetwork) ids[st.neutron.externalNetwork] = "external";
  lines.push("router namespaces:");
  for (const [host, list] of Object.entries(await twin.namespacesPerHost())) {
    const named = list.map((ns) => {
      const m = /^(qrouter|snat|fip|qdhcp)-(.*)$/.exec(ns);
      return m && ids[m[2]] ? `${m[1]}-<${ids[m[2]]}>` : ns.replace(/^(qdhcp-[0-9a-f]{8}).*/, "$1…");
    });
    lines.push(`  ${host.padEnd(8)} ${named.join(" ")}`);
  }
  const { ports } = await api.call<{ ports: PortInfo[] }>("GET", "/ports?device_owner=compute:nova");
  const admin = twin.admin();
  const servers = admin
    ? (await admin.call<{ servers: { id: string; status: string }[] }>("Nova", "instances", "GET", `${novaUrl(st.cloud!)}/servers/detail`)).servers
    : [];
  lines.push(admin ? "VMs (Nova instances, plugged by the hypervisor stand-in):" : "VMs:");
  for (const [name, vm] of Object.entries(st.vms)) {
    const p = ports.find((x) => x.id === vm.portId);
    if (vm.instanceId) {
      const server = servers.find((x) => x.id === vm.instanceId);
      lines.push(
        `  ${name.padEnd(18)} instance ${vm.instanceId} host ${vm.host.padEnd(6)} port ${vm.portId.slice(0, 8)} ip ${vm.ip.padEnd(15)} instance ${server?.status ?? "MISSING"} port ${p?.status ?? "MISSING"}${vm.floatingIp ? ` fip ${vm.floatingIp}` : ""}${alive(vm.pid) ? "" : " (namespace gone)"}`,
      );
      continue;
    }
    lines.push(
      `  ${name.padEnd(18)} host ${vm.host.padEnd(6)} ip ${vm.ip.padEnd(15)} mac ${vm.mac} port ${vm.portId.slice(0, 8)} ${p?.status ?? "MISSING"} binding:host_id=${p?.["binding:host_id"] ?? "?"}${vm.floatingIp ? ` fip ${vm.floatingIp}` : ""}${alive(vm.pid) ? "" : " (namespace gone)"}`,
    );
  }
  if (st.cloud) {
    const cloud = Cloud.attach(st.cloud.stateDir);
    if (cloud) {
      const vars = cloud.osVariables();
      lines.push(`cloud: up in ${st.cloud.upSeconds ?? "?"} s; the operator's OS_* (run the client in the outer namespace: nsenter -t ${st.outer?.pid} -n -- openstack ...):`);
      for (const [k, v] of Object.entries(vars)) lines.push(`  ${k}=${k === "OS_PASSWORD" ? `(in ${join(st.cloud.stateDir, "openrc")})` : v}`);
      lines.push(`  clouds.yaml: ${join(st.cloud.stateDir, "clouds.yaml")} (OS_CLOUD=${cloud.clientEnv().OS_CLOUD})`);
    }
  }
  const t = st.timings;
  if (Object.keys(t).length) lines.push(`timings (s since start): ${Object.entries(t).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  return lines.join("\n");
}
