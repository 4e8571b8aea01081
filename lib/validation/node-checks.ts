import { TerraformStack, TerraformVariable } from "cdktf";
import { IConstruct } from "constructs";
import { L3AgentMode } from "../model/agent-mode";
import { OpenStackRelease } from "../model/release";
import { HostRole } from "../model/topology";
import { NodeSshProps, SshPrivateKey } from "../push/ssh";
import * as check from "./checks";
import { cidrContains, isIpv4, parseCidr, toInt } from "../model/ipv4";
import { DvrLabInputError, Finding, isUnresolved, labPath, show } from "./format";

/**
 * Checks of one node's props.
 *
 * Policy (the same for every construct of the library):
 * - THROW in the constructor (DvrLabInputError) only when the props cannot be synthesized at all:
 *   a value of the wrong kind that the construct cannot build from (a release or agent mode that is
 *   not one of the library's objects, a private key that is not an SshPrivateKey), or a secret that
 *   would be written into cdk.tf.json (private key material as a "file path", as a variable
 *   default, as a host key or a public key). Nothing is written for such input, not even by
 *   `Testing.synth(stack)` without validation.
 * - Everything else is a validation (`Node.of(construct).addValidation`): all problems of a stack
 *   are reported together and fail `cdktf synth` and `Testing.synth(stack, true)`.
 * - Lab policy with a stable id (DVR-Wnnn / DVR-Ennn) is a rule of the DvrLabRules aspect.
 */

const LAB_SCOPE = Symbol.for("dvr-lab/lab-scope");

/** Marks a construct (DvrLab) as the scope of one lab: host names, tunnel IPs and the controller are unique inside it. */
export function markLabScope(scope: IConstruct): void {
  Object.defineProperty(scope, LAB_SCOPE, { value: true, enumerable: false });
}

export function isLabScope(scope: IConstruct): boolean {
  return (scope as any)[LAB_SCOPE] === true;
}

/** A lab scope in messages: `stack "s"`, `lab "DvrLab"` or `scope "Path"`. */
export function describeScope(scope: IConstruct): string {
  const kind = TerraformStack.isStack(scope) ? "stack" : isLabScope(scope) ? "lab" : "scope";
  return `${kind} "${labPath(scope)}"`;
}

/** The lab a node belongs to: the nearest DvrLab around it, else the construct that composes it. */
export function labScopeOf(node: IConstruct): IConstruct {
  const scopes = node.node.scopes.slice(0, -1);
  for (let i = scopes.length - 1; i >= 0; i--) if ((scopes[i] as any)[LAB_SCOPE]) return scopes[i];
  return node.node.scope ?? node;
}

const KEY_FIX =
  "pass the key's file path to SshPrivateKey.fromFile(...) or a sensitive TerraformVariable to SshPrivateKey.fromVariable(...)";

/** Throws for props that cannot be synthesized at all (see the policy above). */
export function assertNodeBuildable(node: IConstruct, props: { release?: unknown; ssh?: NodeSshProps }): void {
  assertRelease(node, "release", props.release);
  const ssh = props.ssh as NodeSshProps | undefined;
  if (!ssh || typeof ssh !== "object") {
    throw new DvrLabInputError(node, { prop: "ssh", value: ssh, what: "is not set", fix: "pass { address, privateKey, hostKey } for the node" });
  }
  const key: unknown = ssh.privateKey;
  if (!(key instanceof SshPrivateKey)) {
    const literal = typeof key === "string";
    throw new DvrLabInputError(node, {
      prop: "ssh.privateKey",
      what: literal ? "is a literal string, which would be written into cdk.tf.json" : "is not an SshPrivateKey",
      fix: literal ? KEY_FIX : `use SshPrivateKey.fromFile(path), SshPrivateKey.fromVariable(sensitiveVariable) or SshPrivateKey.fromAgent()`,
      hideValue: true,
    });
  }
  if (key.kind === "file" && (check.looksLikePrivateKey(key.path) || /\n/.test(key.path ?? ""))) {
    throw new DvrLabInputError(node, {
      prop: "ssh.privateKey",
      what: "is SshPrivateKey.fromFile(...) with private key material instead of a file path, which would be written into cdk.tf.json",
      fix: KEY_FIX,
      hideValue: true,
    });
  }
  if (key.kind === "variable") {
    const v = key.variable as TerraformVariable | undefined;
    if (!(v instanceof TerraformVariable)) {
      throw new DvrLabInputError(node, { prop: "ssh.privateKey", what: "is SshPrivateKey.fromVariable(...) without a TerraformVariable", fix: KEY_FIX, hideValue: true });
    }
    if (v.default !== undefined && !isUnresolved(v.default)) {
      throw new DvrLabInputError(node, {
        prop: "ssh.privateKey",
        what: `is the variable "${v.friendlyUniqueId}" with a default value, which would be written into cdk.tf.json`,
        fix: "drop the variable's default and set the key at plan time (TF_VAR_... or a .tfvars file kept out of git)",
        hideValue: true,
      });
    }
  }
  if (check.looksLikePrivateKey(ssh.hostKey)) {
    throw new DvrLabInputError(node, {
      prop: "ssh.hostKey",
      what: "holds private key material, which would be written into cdk.tf.json",
      fix: "use the node's host PUBLIC key (the line of /etc/ssh/ssh_host_ed25519_key.pub, or ssh-keyscan output checked out of band)",
      hideValue: true,
    });
  }
}

export function assertRelease(scope: IConstruct, prop: string, release: unknown): void {
  if (release === undefined || release instanceof OpenStackRelease) return;
  throw new DvrLabInputError(scope, {
    prop,
    value: typeof release === "object" && release !== null ? String(release) : release,
    what: "is not a known OpenStack release",
    fix: `use OpenStackRelease.of(name) with one of: ${OpenStackRelease.all().map((r) => r.name).join(", ")}`,
  });
}

export function assertAgentMode(scope: IConstruct, prop: string, mode: unknown): void {
  if (mode === undefined || mode instanceof L3AgentMode) return;
  throw new DvrLabInputError(scope, {
    prop,
    value: mode,
    what: "is not an L3AgentMode",
    fix: "use L3AgentMode.DVR_SNAT, L3AgentMode.DVR or L3AgentMode.DVR_NO_EXTERNAL",
  });
}

/** What the validation of one node needs to know about it and about the other nodes of its lab. */
export interface NodeFacts {
  readonly construct: IConstruct;
  readonly hostName: string;
  readonly role: HostRole;
  readonly release: OpenStackRelease;
  readonly ssh: NodeSshProps;
  readonly tunnelIp?: string;
  readonly mode?: L3AgentMode;
  /** DvrComputeNode: modes it accepts. */
  readonly allowedModes?: readonly L3AgentMode[];
  readonly mechanismDrivers?: readonly string[];
  /** Controller: ML2 type drivers and tenant network types as given (undefined = the defaults). */
  readonly typeDrivers?: readonly string[];
  readonly tenantNetworkTypes?: readonly string[];
  /** Controller: physnet of the lab's flat external network (ml2_type_flat flat_networks). */
  readonly externalPhysnet?: string;
  readonly vniRange?: { readonly min: number; readonly max: number };
}

/** The external network of the node's lab, as the lab describes it (DvrLab only). */
export interface LabExternalFacts {
  readonly network: string;
  readonly cidr: string;
  readonly gatewayIp: string;
  readonly allocationPool: { readonly start: string; readonly end: string };
}

/** What a node's validation knows beyond its own lab: the other nodes of its stack, its lab's external network. */
export interface NodeContext {
  /** Every node of the stack in construction order (itself included). */
  readonly stack?: readonly NodeFacts[];
  readonly external?: LabExternalFacts;
}

const fold = (name: unknown) => (typeof name === "string" && !isUnresolved(name) ? name.toLowerCase() : undefined);
const literal = (v: unknown): v is string => typeof v === "string" && v !== "" && !isUnresolved(v);

/**
 * Lookups over one list of node facts (a lab's peers, or a stack's nodes), built once per list: the
 * lists are cached per generation by the nodes, and checking each node against every other one
 * (Token.isUnresolved on each value) made a 1,000-node validation 15 times slower.
 */
interface FactsIndex {
  readonly position: Map<NodeFacts, number>;
  /** Host names lower-cased, tunnel IPs and SSH addresses (literals only) -> the nodes with them, in order. */
  readonly byFoldedName: Map<string, NodeFacts[]>;
  readonly byTunnelIp: Map<string, NodeFacts[]>;
  readonly bySshAddress: Map<string, NodeFacts[]>;
}
const indexes = new WeakMap<readonly NodeFacts[], FactsIndex>();
function indexOf(list: readonly NodeFacts[]): FactsIndex {
  let idx = indexes.get(list);
  if (!idx) {
    idx = { position: new Map(), byFoldedName: new Map(), byTunnelIp: new Map(), bySshAddress: new Map() };
    const add = (m: Map<string, NodeFacts[]>, key: string | undefined, f: NodeFacts) => {
      if (key === undefined) return;
      const l = m.get(key);
      if (l) l.push(f);
      else m.set(key, [f]);
    };
    list.forEach((f, i) => {
      idx!.position.set(f, i);
      add(idx!.byFoldedName, fold(f.hostName), f);
      add(idx!.byTunnelIp, literal(f.tunnelIp) ? f.tunnelIp : undefined, f);
      add(idx!.bySshAddress, literal(f.ssh?.address) ? f.ssh.address : undefined, f);
    });
    indexes.set(list, idx);
  }
  return idx;
}

/** Validation findings of one node; `peers` are all nodes of its lab in construction order (itself included). */
export function nodeFindings(self: NodeFacts, peers: readonly NodeFacts[], context: NodeContext = {}): Finding[] {
  const out: (Finding | undefined)[] = [];
  const earlier = peers.slice(0, Math.max(0, peers.indexOf(self)));
  out.push(check.hostName("hostName", self.hostName));
  const sameName = earlier.find((p) => p.hostName === self.hostName && !isUnresolved(self.hostName));
  if (sameName && self.hostName) {
    out.push({
      prop: "hostName",
      value: self.hostName,
      what: `is already the host name of ${labPath(sameName.construct)}`,
      fix: "give every node a unique host name (nova and neutron match agents to nodes by host name)",
    });
  }
  const peerIndex = indexOf(peers);
  const folded = !sameName && self.hostName ? fold(self.hostName) : undefined;
  const sameFolded = folded === undefined ? undefined : peerIndex.byFoldedName.get(folded)?.find((p) => (peerIndex.position.get(p) ?? 0) < earlier.length);
  if (sameFolded) {
    out.push({
      prop: "hostName",
      value: self.hostName,
      what: `differs only in case from the host name "${sameFolded.hostName}" of ${labPath(sameFolded.construct)}, and Nova and Neutron compare host names case-insensitively in their databases, so the two nodes' services and agents would collide as one host`,
      fix: "give every node a host name that differs in more than case",
    });
  }
  if (self.role === "controller") {
    const first = earlier.find((p) => p.role === "controller");
    if (first) {
      const scope = labScopeOf(self.construct);
      out.push({
        prop: "DvrController",
        what: `is a second controller in ${describeScope(scope)} (the first is "${labPath(first.construct)}")`,
        fix: "a lab has one neutron-server node: remove this one, or compose each lab in its own construct",
        hideValue: true,
      });
    }
    const drivers = self.mechanismDrivers;
    if (drivers !== undefined && !isUnresolved(drivers) && drivers.filter((d) => String(d).trim() !== "").length === 0) {
      out.push({ prop: "mechanismDrivers", value: drivers, what: "is empty", fix: 'use ["openvswitch", "l2population"] (the default)' });
    }
    out.push(check.vniRange("vniRange", self.vniRange as { min: number; max: number } | undefined));
    out.push(...ml2Findings(self));
  } else {
    out.push(check.ipv4("tunnelIp", self.tunnelIp, "use a dotted-quad address on the node's tunnel interface"));
    const sameIp = earlier.find((p) => p.tunnelIp !== undefined && p.tunnelIp === self.tunnelIp && !isUnresolved(self.tunnelIp));
    if (sameIp) {
      out.push({
        prop: "tunnelIp",
        value: self.tunnelIp,
        what: `is already the tunnel IP of ${labPath(sameIp.construct)}`,
        fix: "give every node its own VXLAN endpoint address",
      });
    }
    out.push(...tunnelFindings(self, peerIndex, !!sameIp, context.external));
    out.push(releaseAgainstController(self, peers));
    const mode = self.mode;
    if (mode && self.allowedModes && !self.allowedModes.includes(mode)) {
      out.push({
        prop: "mode",
        value: mode.value,
        what: "is not a DVR compute-node mode",
        fix: "use L3AgentMode.DVR or L3AgentMode.DVR_NO_EXTERNAL (a dvr_snat node is a DvrSnatNode)",
      });
    } else if (mode && !self.release.atLeast(mode.since)) {
      out.push({
        prop: "mode",
        value: mode.value,
        what: `is not available in ${self.release.name} (it came in ${mode.since.name})`,
        fix: `use L3AgentMode.DVR, or target ${mode.since.name} or newer`,
      });
    }
  }
  out.push(...sshFindings(self.ssh));
  if (context.stack) out.push(...otherLabFindings(self, context.stack));
  return out.filter((f): f is Finding => f !== undefined);
}

/** The address an agent node tunnels from must be its own, reachable and not handed out by Neutron. */
function tunnelFindings(self: NodeFacts, peers: FactsIndex, duplicate: boolean, external: LabExternalFacts | undefined): (Finding | undefined)[] {
  const ip = self.tunnelIp;
  if (!literal(ip) || !isIpv4(ip)) return [];
  const out: (Finding | undefined)[] = [check.tunnelEndpoint("tunnelIp", ip)];
  const owner = duplicate || self.ssh?.address === ip ? undefined : peers.bySshAddress.get(ip)?.find((p) => p !== self);
  if (owner) {
    out.push({
      prop: "tunnelIp",
      value: ip,
      what: `is the ssh.address of ${labPath(owner.construct)}, another machine, so this node's OVS agent would take that machine's address as its VXLAN endpoint (it exits when local_ip is not on a local interface) and the other nodes would tunnel to the wrong machine`,
      fix: "use the address of this node's own tunnel interface",
    });
  }
  const block = external && parseCidr(external.cidr);
  if (external && block && cidrContains(block, ip)) {
    const pool = external.allocationPool;
    if (ip === external.gatewayIp) {
      out.push({
        prop: "tunnelIp",
        value: ip,
        what: `is the gateway of the external network "${external.network}" (the upstream router's address), so it would answer on two machines`,
        fix: `use a tunnel address other than ${external.gatewayIp}`,
      });
    } else if (isIpv4(pool.start) && isIpv4(pool.end) && toInt(ip) >= toInt(pool.start) && toInt(ip) <= toInt(pool.end)) {
      out.push({
        prop: "tunnelIp",
        value: ip,
        what: `is inside the floating IP allocation pool ${pool.start}-${pool.end} of the external network "${external.network}", so Neutron may give it to a router gateway or a floating IP and it would answer on two machines`,
        fix: `use a tunnel address outside ${pool.start}-${pool.end}`,
      });
    }
  }
  return out;
}

/** ML2 settings of the controller that neutron-server or the lab's networks cannot work with. */
function ml2Findings(self: NodeFacts): Finding[] {
  const out: Finding[] = [];
  const types = self.typeDrivers;
  const tenant = self.tenantNetworkTypes;
  if (isUnresolved(types) || isUnresolved(tenant)) return out;
  if ((types !== undefined && !Array.isArray(types)) || (tenant !== undefined && !Array.isArray(tenant))) return out;
  const typeList = (types ?? (self.externalPhysnet ? ["flat", "vxlan"] : ["vxlan"])).map((t) => String(t).trim());
  const tenantList = (tenant ?? ["vxlan"]).map((t) => String(t).trim()).filter((t) => t !== "");
  const typesShown = types === undefined ? `${show(typeList)} (the default)` : show(types);
  const tenantShown = tenant === undefined ? '["vxlan"], the default' : show(tenant);
  if (tenantList.includes("vxlan") && !typeList.includes("vxlan")) {
    out.push({
      prop: "typeDrivers",
      value: types,
      what: `lacks "vxlan", the type of the lab's tenant networks (tenantNetworkTypes ${tenantShown}), so neutron-server exits at start ("No type driver for tenant network_type: vxlan. Service terminated!")`,
      fix: 'add "vxlan" to typeDrivers',
    });
  }
  const missing = tenantList.filter((t) => t !== "vxlan" && !typeList.includes(t));
  if (missing.length > 0) {
    const names = missing.map((m) => `"${m}"`).join(", ");
    out.push({
      prop: "tenantNetworkTypes",
      value: tenant,
      what: `names ${names}, which ${missing.length === 1 ? "is" : "are"} not among the typeDrivers ${typesShown}, so neutron-server exits at start ("No type driver for tenant network_type: ${missing[0]}. Service terminated!")`,
      fix: `add ${names} to typeDrivers, or drop ${missing.length === 1 ? "it" : "them"} from tenantNetworkTypes`,
    });
  }
  if (!tenantList.includes("vxlan")) {
    out.push({
      prop: "tenantNetworkTypes",
      value: tenant,
      what:
        tenantList.length === 0
          ? 'is empty, so Neutron has no type to allocate the lab\'s tenant networks from ("No tenant network is available for allocation")'
          : `lacks "vxlan", so Neutron allocates the lab's tenant networks as ${tenantList[0]} while the lab and the verifier expect VXLAN networks with a VNI`,
      fix: 'put "vxlan" in tenantNetworkTypes (the default is ["vxlan"])',
    });
  }
  if (self.externalPhysnet && types !== undefined && !typeList.includes("flat")) {
    out.push({
      prop: "typeDrivers",
      value: types,
      what: `lacks "flat", which the lab's flat external network on physnet "${self.externalPhysnet}" needs, so Neutron binds no port on it (the routers' gateways and floating IPs fail)`,
      fix: 'add "flat" to typeDrivers (the default with an external network is ["flat", "vxlan"])',
    });
  }
  return out;
}

/**
 * Neutron supports agents of the server's release and of the release before it (N-1, the rolling
 * upgrade window); an agent newer than the server, or older by two or more, is not supported.
 */
function releaseAgainstController(self: NodeFacts, peers: readonly NodeFacts[]): Finding | undefined {
  const ctrl = peers.find((p) => p.role === "controller");
  if (!ctrl || !(ctrl.release instanceof OpenStackRelease) || !(self.release instanceof OpenStackRelease)) return undefined;
  const behind = ctrl.release.neutronMajor - self.release.neutronMajor;
  const previous = OpenStackRelease.all().find((r) => r.neutronMajor === ctrl.release.neutronMajor - 1);
  if (behind < 0) {
    return {
      prop: "release",
      value: self.release.name,
      what: `is newer than the release "${ctrl.release.name}" of the controller ${labPath(ctrl.construct)}, and neutron-server cannot serve agents of a newer release (Neutron upgrades the server first and supports agents at most one release older)`,
      fix: `use "${ctrl.release.name}" on this node, or upgrade the controller first`,
    };
  }
  if (behind > 1) {
    return {
      prop: "release",
      value: self.release.name,
      what: `is ${behind} releases older than the release "${ctrl.release.name}" of the controller ${labPath(ctrl.construct)}, and Neutron supports agents at most one release older than the server (N-1, during a rolling upgrade)`,
      fix: `use "${ctrl.release.name}"${previous ? ` or "${previous.name}"` : ""} on this node`,
    };
  }
  return undefined;
}

/**
 * Two labs in one stack share one cloud (the stack's OpenStack provider): a host in both must be
 * the same node to both (tunnel IP, role, release), and different hosts need different tunnel IPs.
 */
function otherLabFindings(self: NodeFacts, stack: readonly NodeFacts[]): Finding[] {
  const out: Finding[] = [];
  const idx = indexOf(stack);
  const index = idx.position.get(self) ?? -1;
  if (index <= 0) return out;
  const name = fold(self.hostName);
  const ip = literal(self.tunnelIp) ? self.tunnelIp : undefined;
  const before = (l: NodeFacts[] | undefined) => (l ?? []).filter((p) => idx.position.get(p)! < index);
  const byName = name === undefined ? [] : before(idx.byFoldedName.get(name));
  const byIp = ip === undefined ? [] : before(idx.byTunnelIp.get(ip));
  if (byName.length === 0 && byIp.length === 0) return out;
  const candidates = [...new Set([...byName, ...byIp])].sort((a, b) => idx.position.get(a)! - idx.position.get(b)!);
  const scope = labScopeOf(self.construct);
  const others = candidates.filter((p) => labScopeOf(p.construct) !== scope);
  const twin = others.find((p) => fold(p.hostName) === name);
  if (twin) {
    const where = `${labPath(twin.construct)} in ${describeScope(labScopeOf(twin.construct))}`;
    if (twin.role !== self.role) {
      const agent = self.role !== "controller" && twin.role !== "controller";
      out.push({
        prop: agent ? "mode" : "hostName",
        value: agent ? self.role : self.hostName,
        what: agent
          ? `differs from the mode "${twin.role}" of the same host at ${where}, and a host has one l3_agent.ini agent_mode, so the later push overwrites the other lab's`
          : `is also the host of ${where}, as ${twin.role === "controller" ? "its controller" : `a ${twin.role} node`}, and the two labs would push conflicting neutron config to it`,
        fix: agent ? `use mode "${twin.role}" for this host in both labs, or use another host` : "use another host",
      });
    } else if (twin.tunnelIp !== undefined && ip !== undefined && literal(twin.tunnelIp) && twin.tunnelIp !== ip) {
      out.push({
        prop: "tunnelIp",
        value: ip,
        what: `differs from the tunnel IP "${twin.tunnelIp}" of the same host at ${where}, and a host has one openvswitch_agent.ini local_ip, so the later push overwrites the other lab's and its tunnels to this host break`,
        fix: `use "${twin.tunnelIp}" in both labs, or use another host`,
      });
    }
    if (twin.release instanceof OpenStackRelease && self.release instanceof OpenStackRelease && twin.release !== self.release) {
      out.push({
        prop: "release",
        value: self.release.name,
        what: `differs from the release "${twin.release.name}" of the same host at ${where}, and a host runs one release, so one of the two labs pushes settings of the wrong release to it`,
        fix: "target one release in both labs, or use another host",
      });
    }
  }
  const sameIp = ip !== undefined ? others.find((p) => p.tunnelIp === ip && fold(p.hostName) !== name) : undefined;
  if (sameIp) {
    out.push({
      prop: "tunnelIp",
      value: ip,
      what: `is already the tunnel IP of ${labPath(sameIp.construct)} (host "${sameIp.hostName}") in ${describeScope(labScopeOf(sameIp.construct))}, and the labs of one stack share one cloud (the stack's OpenStack provider), where every VXLAN endpoint must be unique`,
      fix: "give every node of the stack its own VXLAN endpoint address",
    });
  }
  return out;
}

function sshFindings(ssh: NodeSshProps): (Finding | undefined)[] {
  const out: (Finding | undefined)[] = [];
  out.push(check.nonEmpty("ssh.address", ssh.address, "use the IP address or DNS name Terraform reaches the node at"));
  out.push(check.port("ssh.port", ssh.port));
  if (ssh.user !== undefined) out.push(check.nonEmpty("ssh.user", ssh.user, 'use the login user (default "root"; other users need passwordless sudo)'));
  const key = ssh.privateKey;
  if (key.kind === "file") {
    out.push(check.nonEmpty("ssh.privateKey", key.path, "pass the path of the key file to SshPrivateKey.fromFile(...)"));
  }
  if (key.kind === "variable" && !key.variable!.sensitive) {
    out.push({
      prop: "ssh.privateKey",
      what: `is the variable "${key.variable!.friendlyUniqueId}", which is not sensitive, so Terraform prints the key in plans and outputs`,
      fix: "declare the variable with sensitive: true",
      hideValue: true,
    });
  }
  if (!ssh.insecureSkipHostKeyCheck) {
    if (ssh.hostKey === undefined || (!isUnresolved(ssh.hostKey) && ssh.hostKey.trim() === "")) {
      out.push({
        prop: "ssh.hostKey",
        what: "is not set, so nothing verifies the node's identity",
        fix: "pass the node's SSH host public key (ssh-keyscan output checked out of band), or set ssh.insecureSkipHostKeyCheck: true for a throw-away lab",
        hideValue: true,
      });
    } else {
      out.push(
        check.publicKey("ssh.hostKey", ssh.hostKey, 'use the "<type> <base64>" line of the node\'s /etc/ssh/ssh_host_ed25519_key.pub (or ssh-keyscan output)'),
      );
    }
  }
  return out;
}
