import { TerraformStack, TerraformVariable } from "cdktf";
import { IConstruct } from "constructs";
import { L3AgentMode } from "../model/agent-mode";
import { OpenStackRelease } from "../model/release";
import { HostRole } from "../model/topology";
import { NodeSshProps, SshPrivateKey } from "../nodes/ssh";
import * as check from "./checks";
import { DvrLabInputError, Finding, isUnresolved, labPath } from "./format";

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
  readonly vniRange?: { readonly min: number; readonly max: number };
}

/** Validation findings of one node; `peers` are all nodes of its lab in construction order (itself included). */
export function nodeFindings(self: NodeFacts, peers: readonly NodeFacts[]): Finding[] {
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
  return out.filter((f): f is Finding => f !== undefined);
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
