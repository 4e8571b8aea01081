import { shJoin } from "../verify/shell";
import { spawnSync } from "child_process";
import { copyFileSync, existsSync, mkdirSync } from "fs";
import { dirname, join } from "path";
import { IniSetting } from "../push/desired-config";
import { filePath, NeutronFile, NeutronService, SERVICE_FILES, SERVICE_ORDER } from "../push/neutron-paths";
import { ServiceManager } from "../push/service-manager";
import { TwinHostPlan, TwinPlan } from "./plan";

/**
 * The twin's OWN site settings, kept apart from what the project's push sets:
 *  - BASE settings are written into the host's copy of the Debian package files BEFORE the push runs
 *    (like an installer's site configuration; the push then sets its keys on top and wins where a
 *    key overlaps);
 *  - FORCED settings live in /etc/neutron/twin/<service>.conf, passed LAST on each service's command
 *    line: only what the userspace (netdev) datapath of this machine needs, whatever the push says.
 * docs/TWIN.md lists both.
 */

/** Where Debian keeps a neutron file: lib/push/neutron-paths.ts owns the paths (systemd layout). */
export function debianFilePath(file: NeutronFile, service?: NeutronService): string {
  const svc = service ?? SERVICE_ORDER.find((x) => SERVICE_FILES[x].includes(file)) ?? "neutron-server";
  return filePath(ServiceManager.SYSTEMD, svc, file);
}

/**
 * The PRISTINE package copies of the neutron files (never the live /etc/neutron, which the real
 * push tests edit concurrently and leave backups in): file -> source.
 */
export const PRISTINE_NEUTRON_FILES: Record<NeutronFile | "api-paste.ini", string> = {
  "neutron.conf": "/usr/share/neutron-common/neutron.conf",
  "api-paste.ini": "/usr/share/neutron-common/api-paste.ini",
  "ml2_conf.ini": "/usr/share/neutron-common/plugins/ml2/ml2_conf.ini",
  "openvswitch_agent.ini": "/usr/share/neutron-common/plugins/ml2/openvswitch_agent.ini",
  "l3_agent.ini": "/usr/share/neutron-common/l3_agent.ini",
  "dhcp_agent.ini": "/usr/share/neutron-common/dhcp_agent.ini",
  "metadata_agent.ini": "/usr/share/neutron-metadata-agent/metadata_agent.ini",
};

/**
 * Builds a host's /etc/neutron (`dest`) from the packages: the pristine ini files above at their
 * Debian paths, plus neutron-common's other conffiles under /etc/neutron (rootwrap, policy.d,
 * dnsmasq; dpkg's list, which the push never edits). Returns the files copied.
 */
export function pristineNeutronEtc(dest: string): string[] {
  const copied: string[] = [];
  const put = (src: string, etcPath: string) => {
    const to = join(dest, etcPath.replace(/^\/etc\/neutron\//, ""));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(src, to);
    copied.push(etcPath);
  };
  for (const [file, src] of Object.entries(PRISTINE_NEUTRON_FILES)) {
    if (!existsSync(src)) throw new Error(`dvr-lab twin: the package copy ${src} is missing (reinstall neutron-common / neutron-metadata-agent)`);
    put(src, file === "api-paste.ini" ? "/etc/neutron/api-paste.ini" : debianFilePath(file as NeutronFile));
  }
  const q = spawnSync("dpkg-query", ["-W", "-f=${Conffiles}\n", "neutron-common"], { encoding: "utf8" });
  const ini = new Set(copied);
  for (const line of (q.stdout ?? "").split("\n")) {
    const path = line.trim().split(/\s+/)[0];
    if (!path || !path.startsWith("/etc/neutron/") || ini.has(path) || !existsSync(path)) continue;
    put(path, path);
  }
  mkdirSync(join(dest, "twin"), { recursive: true });
  return copied;
}

/** Debian's command line per service (config files in the init script's order). */
export const SERVICE_CONFIG_FILES: Record<NeutronService, NeutronFile[]> = {
  "neutron-server": ["neutron.conf", "ml2_conf.ini"],
  "neutron-openvswitch-agent": ["openvswitch_agent.ini", "neutron.conf"],
  "neutron-l3-agent": ["neutron.conf", "l3_agent.ini"],
  "neutron-metadata-agent": ["neutron.conf", "metadata_agent.ini"],
  "neutron-dhcp-agent": ["neutron.conf", "dhcp_agent.ini"],
};

export const DB_SOCKET = "/run/mysqld/mysqld.sock";
export const METADATA_SECRET = "dvr-lab-twin";

export function transportUrl(plan: TwinPlan): string {
  return `rabbit://guest:guest@${plan.controller.mgmtIp}:5672/`;
}

const s = (section: string, key: string, value: string): IniSetting => ({ section, key, value });

/**
 * The cloud twin's Keystone as neutron-server uses it: its own service user for token validation
 * ([keystone_authtoken]) and Nova's user for the port events it sends ([nova]).
 */
export interface KeystoneSite {
  /** Keystone's base URL, such as http://192.0.2.1:5000 (no /v3). */
  readonly authUrl: string;
  readonly region: string;
  readonly neutronPassword: string;
  readonly novaPassword: string;
}

function serviceAuth(section: string, k: KeystoneSite, user: string, password: string): IniSetting[] {
  return [
    s(section, "auth_url", k.authUrl),
    s(section, "auth_type", "password"),
    s(section, "project_domain_name", "Default"),
    s(section, "user_domain_name", "Default"),
    s(section, "project_name", "service"),
    s(section, "username", user),
    s(section, "password", password),
    // Debian's neutron.conf presets [keystone_authtoken] region_name = regionOne (lower case).
    s(section, "region_name", k.region),
  ];
}

/**
 * The config sections of neutron's privsep contexts (neutron/privileged/__init__.py, Zed). Each
 * context's daemon runs its calls on a thread pool (`thread_pool_size`, default: the CPU count) while
 * neutron's privileged code uses eventlet primitives (eventlet.green.subprocess): with two worker
 * threads a green semaphore is woken on the other thread, the daemon prints "greenlet.error: cannot
 * switch to a different thread" and stops answering, and 90 s later every call of that context fails
 * with "Premature eof waiting for privileged process" (seen here: the L3 agent left a router's
 * namespaces half built, ip_forward=0; the DHCP agent left a network's qdhcp namespace without an
 * address). One worker thread per daemon removes the race, as operators do on real clouds
 * (sapcc/helm-charts#2575); the calls of one context are then serial, which a lab never notices.
 */
export const PRIVSEP_SECTIONS = ["privsep", "privsep_dhcp_release", "privsep_ovs_vsctl", "privsep_namespace", "privsep_conntrack", "privsep_link"] as const;

/**
 * Base (site) settings per file for a host. `keystone`: the cloud's Keystone (neutron-server
 * authenticates requests with it and notifies Nova of port events).
 */
export function baseSettings(plan: TwinPlan, host: TwinHostPlan, keystone: KeystoneSite): Partial<Record<NeutronFile, IniSetting[]>> {
  const dhcp = plan.hosts.some((h) => h.services.includes("neutron-dhcp-agent"));
  const nova = host.role === "controller" ? "True" : "False";
  const neutron: IniSetting[] = [
    s("DEFAULT", "host", host.name),
    s("DEFAULT", "auth_strategy", "keystone"),
    s("DEFAULT", "core_plugin", "ml2"),
    s("DEFAULT", "service_plugins", "router"),
    s("DEFAULT", "transport_url", transportUrl(plan)),
    s("DEFAULT", "state_path", "/var/lib/neutron"),
    s("DEFAULT", "notify_nova_on_port_status_changes", nova),
    s("DEFAULT", "notify_nova_on_port_data_changes", nova),
    s("DEFAULT", "dhcp_agent_notification", dhcp ? "True" : "False"),
    s("DEFAULT", "api_workers", "1"),
    s("DEFAULT", "rpc_workers", "1"),
    s("DEFAULT", "rpc_state_report_workers", "1"),
    s("DEFAULT", "bind_host", "0.0.0.0"),
    s("DEFAULT", "bind_port", String(plan.apiPort)),
    s("agent", "root_helper", "sudo"),
    s("agent", "report_interval", "10"),
    s("oslo_concurrency", "lock_path", "/var/lib/neutron/lock"),
    s("database", "connection", `mysql+pymysql://root@127.0.0.1/neutron?unix_socket=${DB_SOCKET}`),
  ];
  if (host.role === "controller") {
    neutron.push(
      s("keystone_authtoken", "www_authenticate_uri", keystone.authUrl),
      ...serviceAuth("keystone_authtoken", keystone, "neutron", keystone.neutronPassword),
      ...serviceAuth("nova", keystone, "nova", keystone.novaPassword),
    );
  }
  if (host.role !== "controller") neutron.push(...PRIVSEP_SECTIONS.map((sec) => s(sec, "thread_pool_size", "1")));
  const out: Partial<Record<NeutronFile, IniSetting[]>> = { "neutron.conf": neutron };
  if (host.role === "controller") {
    out["ml2_conf.ini"] = [
      s("ml2", "extension_drivers", "port_security"),
      ...(plan.external ? [s("ml2_type_flat", "flat_networks", plan.external.physnet)] : []),
    ];
    return out;
  }
  out["openvswitch_agent.ini"] = [
    s("ovs", "local_ip", host.tunnelIp ?? ""),
    s("ovs", "bridge_mappings", plan.external ? `${plan.external.physnet}:br-ex` : ""),
    s("ovs", "integration_bridge", "br-int"),
    s("ovs", "tunnel_bridge", "br-tun"),
    s("securitygroup", "enable_ipset", "False"),
  ];
  out["l3_agent.ini"] = [
    s("DEFAULT", "interface_driver", "openvswitch"),
    s("DEFAULT", "ovs_use_veth", "True"),
    s("DEFAULT", "enable_metadata_proxy", "False"),
  ];
  out["metadata_agent.ini"] = [
    s("DEFAULT", "nova_metadata_host", plan.controller.mgmtIp),
    s("DEFAULT", "metadata_proxy_shared_secret", METADATA_SECRET),
  ];
  out["dhcp_agent.ini"] = [
    s("DEFAULT", "interface_driver", "openvswitch"),
    s("DEFAULT", "ovs_use_veth", "True"),
    s("DEFAULT", "enable_isolated_metadata", "False"),
  ];
  return out;
}

/** Forced settings per service (the netdev datapath needs them regardless of the push). */
export function forcedSettings(service: NeutronService): IniSetting[] {
  switch (service) {
    case "neutron-openvswitch-agent":
      return [s("ovs", "datapath_type", "netdev"), s("securitygroup", "firewall_driver", "noop")];
    default:
      return [];
  }
}

/** Renders settings as an ini document. */
export function renderIni(settings: readonly IniSetting[]): string {
  const sections = new Map<string, string[]>();
  for (const x of settings) {
    const lines = sections.get(x.section) ?? [];
    lines.push(x.value === "" ? `${x.key} =` : `${x.key} = ${x.value}`);
    sections.set(x.section, lines);
  }
  return [...sections].map(([sec, lines]) => `[${sec}]\n${lines.join("\n")}\n`).join("\n");
}

/**
 * Sets keys in an ini text (same semantics as the push: set, never delete; a commented default
 * stays). Returns the new text.
 */
export function setIniKeys(text: string, settings: readonly IniSetting[]): string {
  const lines = text.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  for (const x of settings) {
    const line = x.value === "" ? `${x.key} =` : `${x.key} = ${x.value}`;
    let start = -1;
    let end = lines.length;
    for (let i = 0; i < lines.length; i++) {
      const m = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i]);
      if (!m) continue;
      if (start >= 0) {
        end = i;
        break;
      }
      if (m[1].trim() === x.section) start = i;
    }
    if (start < 0) {
      lines.push("", `[${x.section}]`, line);
      continue;
    }
    const keyRe = new RegExp(`^\\s*${x.key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*[=:]`);
    let done = false;
    for (let i = start + 1; i < end; i++) {
      if (keyRe.test(lines[i])) {
        lines[i] = line;
        done = true;
        break;
      }
    }
    if (!done) lines.splice(start + 1, 0, line);
  }
  return lines.join("\n") + "\n";
}

/** The unit script (a bash file that execs the daemon) for a neutron service. */
export function neutronUnit(service: NeutronService): string {
  const files = SERVICE_CONFIG_FILES[service].map((f) => `--config-file=${debianFilePath(f, service)}`);
  const forced = forcedSettings(service).length ? [`--config-file=/etc/neutron/twin/${service}.conf`] : [];
  return unitScript([`/usr/bin/${service}`, ...files, ...forced, `--log-file=/var/log/neutron/${service}.log`]);
}

export function unitScript(argv: readonly string[], pre: readonly string[] = []): string {
  return ["#!/bin/bash", "set -e", ...pre, `exec ${shJoin(argv)}`, ""].join("\n");
}
