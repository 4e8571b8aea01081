import {
  Annotations,
  Aspects,
  DefaultTokenResolver,
  IAspect,
  StringConcat,
  TerraformOutput,
  TerraformStack,
  TerraformVariable,
  Tokenization,
} from "cdktf";
import { IConstruct } from "constructs";
import { NetworkingNetworkV2 } from "../gen/providers/openstack/networking-network-v2";
import { NetworkingSecgroupRuleV2 } from "../gen/providers/openstack/networking-secgroup-rule-v2";
import { releaseSettings } from "../model/release-settings";
import type { LabTopology } from "../model/topology";
import { TenantVxlanNetwork } from "../network/tenant-vxlan-network";
import { DvrAgentNode } from "../nodes/dvr-agent-node";
import { DvrController } from "../nodes/dvr-controller";
import { DvrNode } from "../nodes/dvr-node";
import { DvrSnatNode } from "../nodes/dvr-snat-node";
import { addFindingsValidation, Finding, isUnresolved, labPath, render } from "../validation/format";
import { describeScope, isLabScope, labScopeOf } from "../validation/node-checks";

/** How a lab rule reports (cdk-nag style): errors fail synth, warnings and infos are annotations. */
export enum RuleLevel {
  ERROR = "error",
  WARNING = "warning",
  INFO = "info",
}

/** One lab rule: a stable id, its level, and the text of the rules table (docs/RULES.md). */
export interface LabRule {
  readonly id: string;
  readonly level: RuleLevel;
  readonly what: string;
  readonly why: string;
  readonly fix: string;
}

/** The rules table. Ids are stable: never renumber, only add. */
export const LAB_RULES: readonly LabRule[] = [
  {
    id: "DVR-E001",
    level: RuleLevel.ERROR,
    what: "The controller's ML2 mechanismDrivers lack l2population.",
    why: "DVR over VXLAN needs l2population on the server: the agents build tunnels only from its FDB messages, so no tunnel comes up (docs/DVR.md §5.1).",
    fix: 'Add "l2population" to mechanismDrivers (the default is ["openvswitch", "l2population"]).',
  },
  {
    id: "DVR-E002",
    level: RuleLevel.ERROR,
    what: "The controller's ML2 mechanismDrivers lack openvswitch.",
    why: "The lab's agents are Open vSwitch agents; without the openvswitch driver Neutron binds no port on them.",
    fix: 'Add "openvswitch" to mechanismDrivers.',
  },
  {
    id: "DVR-E003",
    level: RuleLevel.ERROR,
    what: "An agent node overrides firewallDriver with a driver that the release table rules out for DVR.",
    why: "On Ocata DVR flows and OVS-firewall flows clash and east-west breaks (bug 1696983, fixed in Pike); the release table sets iptables_hybrid.",
    fix: "Drop the firewallDriver override (the release table's value is used), or target Pike or newer.",
  },
  {
    id: "DVR-E004",
    level: RuleLevel.ERROR,
    what: "A Terraform output carries a sensitive variable (such as the SSH private key) without sensitive: true.",
    why: "Terraform prints non-sensitive outputs after every apply and stores them in plain view; it refuses such an output at plan time anyway.",
    fix: "Set sensitive: true on the output, or do not output the credential.",
  },
  {
    id: "DVR-E005",
    level: RuleLevel.ERROR,
    what: "No dvr or dvr_no_external node of a lab runs VMs, so every same-node row sits on a dvr_snat node.",
    why: "On a dvr_snat node a legacy router and a DVR router both route locally (docs/DVR.md §6.3): the same-node rows would pass for a router that is not distributed at all.",
    fix: "Let a dvr or dvr_no_external node run VMs, or suppress DVR-E005 with a reason to run a lab of dvr_snat nodes only.",
  },
  {
    id: "DVR-W001",
    level: RuleLevel.WARNING,
    what: "A dvr_snat node runs VMs (runsVms) on a release newer than Wallaby.",
    why: "Upstream declared VMs on the dvr_snat node unsupported in 2021 (bug 1934666) and its DVR gate no longer runs them (docs/DVR.md §5.4, §6.1).",
    fix: "Set runsVms: false on the dvr_snat node and run VMs on dvr nodes (examples/upstream-layout), or suppress DVR-W001 with a reason to exercise this topology deliberately.",
  },
  {
    id: "DVR-W002",
    level: RuleLevel.WARNING,
    what: "A lab has more than one dvr_snat node.",
    why: "The scheduler places legacy routers and the SNAT part of DVR routers on any dvr_snat node, so the expected rows (which name the first one) may not match.",
    fix: "Use one dvr_snat node, or suppress DVR-W002 and expect the snat and legacy rows to name the node the scheduler picked.",
  },
  {
    id: "DVR-W003",
    level: RuleLevel.WARNING,
    what: "A security group rule opens SSH (TCP 22) to 0.0.0.0/0.",
    why: "The probe VMs then take SSH from the whole internet; the lab only needs its own subnets and an admin network.",
    fix: "Set sshSourceCidr to your admin network instead of 0.0.0.0/0.",
  },
  {
    id: "DVR-W004",
    level: RuleLevel.WARNING,
    what: "SSH host key checking is switched off for a node (ssh.insecureSkipHostKeyCheck).",
    why: "Terraform and the verifier then talk to whoever answers at the address, and send it root commands.",
    fix: "Pass the node's host public key as ssh.hostKey and drop insecureSkipHostKeyCheck.",
  },
  {
    id: "DVR-W005",
    level: RuleLevel.WARNING,
    what: "A router's same-node row is placed on a dvr_snat node.",
    why: "On the dvr_snat node the legacy router and the DVR router both route locally, so that row cannot tell the two apart (docs/DVR.md §6.3).",
    fix: "Put the same-node pair on a dvr or dvr_no_external node (the default placement does).",
  },
  {
    id: "DVR-W006",
    level: RuleLevel.WARNING,
    what: "A tenant VXLAN network's MTU is above 1450.",
    why: "VXLAN over IPv4 costs 50 bytes: above 1450 the underlay needs an MTU of at least mtu + 50, or large packets are lost while ping works (docs/DVR.md §5.3).",
    fix: "Leave mtu unset (Neutron derives it from global_physnet_mtu), or make sure the underlay and global_physnet_mtu carry mtu + 50.",
  },
  {
    id: "DVR-I001",
    level: RuleLevel.INFO,
    what: "The lab places VMs on its dvr_snat node; the same-node rows are placed on a dvr node.",
    why: "docs/DVR.md §6.3: only a dvr node tells DVR routing from legacy routing for the same-node row.",
    fix: "Nothing to do; informational.",
  },
];

/** A rule switched off for a construct and everything below it, with the reason (cdk-nag style). */
export interface RuleSuppression {
  readonly id: string;
  readonly reason: string;
}

/** What DvrLab exposes to the rules (duck-typed, so this module does not import DvrLab). */
interface LabLike extends IConstruct {
  readonly topology: LabTopology;
  readonly agentNodes: readonly DvrAgentNode[];
}

const suppressions = new WeakMap<IConstruct, RuleSuppression[]>();
const reported = new WeakMap<IConstruct, Set<string>>();

/**
 * The lab rules as an Aspect. DvrLab applies it to its stack; apply it to any scope of self-composed
 * nodes with `Aspects.of(scope).add(new DvrLabRules())`. Each finding is reported once per construct
 * (applying it twice, or synthesizing twice, does not repeat it). Errors are error annotations AND
 * validations, so they fail both `cdktf synth` and `Testing.synth(stack, true)`.
 */
export class DvrLabRules implements IAspect {
  /** Switches rules off for `scope` and everything below it. Each needs a reason of at least 10 characters. */
  public static suppress(scope: IConstruct, rules: readonly RuleSuppression[]): void {
    for (const s of rules) {
      const rule = LAB_RULES.find((r) => r.id === s.id);
      if (!rule) {
        throw new Error(`${labPath(scope)}: suppression id "${s.id}" is not a lab rule; use one of: ${LAB_RULES.map((r) => r.id).join(", ")}`);
      }
      if (typeof s.reason !== "string" || s.reason.trim().length < 10) {
        throw new Error(`${labPath(scope)}: suppression of ${s.id} has reason ${JSON.stringify(s.reason)}; give a reason of at least 10 characters`);
      }
    }
    suppressions.set(scope, [...(suppressions.get(scope) ?? []), ...rules]);
  }

  /** Adds the rules to `scope` unless they are there already (what DvrLab does with its stack). */
  public static applyTo(scope: IConstruct): void {
    if (Aspects.of(scope).all.some((a) => a instanceof DvrLabRules)) return;
    Aspects.of(scope).add(new DvrLabRules());
  }

  /** The suppression in force for `id` at `scope` (its own or an ancestor's). */
  public static suppressionOf(scope: IConstruct, id: string): RuleSuppression | undefined {
    for (const s of [...scope.node.scopes].reverse()) {
      const hit = suppressions.get(s)?.find((x) => x.id === id);
      if (hit) return hit;
    }
    return undefined;
  }

  public visit(node: IConstruct): void {
    if (node instanceof DvrController) this.controller(node);
    if (node instanceof DvrAgentNode) this.agent(node);
    if (node instanceof DvrNode && node.ssh.insecureSkipHostKeyCheck) {
      this.report(node, "DVR-W004", { prop: "ssh.insecureSkipHostKeyCheck", value: true, what: "switches host key checking off", fix: ruleFix("DVR-W004") });
    }
    if (node instanceof NetworkingSecgroupRuleV2) this.securityGroupRule(node);
    if (node instanceof NetworkingNetworkV2 && node.node.scope instanceof TenantVxlanNetwork) this.network(node);
    if (isLab(node)) this.lab(node);
    if (node instanceof TerraformOutput) this.output(node);
  }

  private output(out: TerraformOutput): void {
    if (out.sensitive) return;
    const stack = TerraformStack.of(out);
    const sensitive = new Set(
      stack.node
        .findAll()
        .filter((c): c is TerraformVariable => c instanceof TerraformVariable && c.sensitive === true)
        .map((v) => v.friendlyUniqueId),
    );
    if (sensitive.size === 0) return;
    const resolved = Tokenization.resolve(out.value, { scope: out, resolver: new DefaultTokenResolver(new StringConcat()) });
    const text = JSON.stringify(resolved) ?? "";
    const names = [...text.matchAll(/var\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]).filter((n) => sensitive.has(n));
    if (names.length === 0) return;
    this.report(out, "DVR-E004", {
      prop: "sensitive",
      value: out.sensitive ?? false,
      what: `on an output that carries the sensitive variable "${names[0]}"`,
      fix: "set sensitive: true on the output, or do not output the credential",
    });
  }

  private controller(node: DvrController): void {
    const drivers = node.props.mechanismDrivers;
    if (drivers === undefined || isUnresolved(drivers) || drivers.filter((d) => String(d).trim() !== "").length === 0) return;
    const names = drivers.map((d) => String(d).trim());
    if (!names.includes("l2population")) {
      this.report(node, "DVR-E001", {
        prop: "mechanismDrivers",
        value: drivers,
        what: "lacks l2population, so no VXLAN tunnel comes up with DVR",
        fix: ruleFix("DVR-E001"),
      });
    }
    if (!names.includes("openvswitch")) {
      this.report(node, "DVR-E002", { prop: "mechanismDrivers", value: drivers, what: "lacks openvswitch", fix: ruleFix("DVR-E002") });
    }
  }

  private agent(node: DvrAgentNode): void {
    const rel = releaseSettings(node.release);
    const fw = node.desired.files.flatMap((f) => f.settings).find((s) => s.section === "securitygroup" && s.key === "firewall_driver")?.value;
    if (rel.firewallDriver && fw !== undefined && !isUnresolved(fw) && fw !== rel.firewallDriver) {
      this.report(node, "DVR-E003", {
        prop: "firewallDriver",
        value: fw,
        what: `breaks DVR east-west on ${node.release.name} (bug 1696983)`,
        fix: `drop the override (the release table sets "${rel.firewallDriver}"), or target pike or newer`,
      });
    }
    if (node instanceof DvrSnatNode && node.runsVms && rel.vmsOnSnatNodeUnsupported) {
      this.report(node, "DVR-W001", {
        prop: "runsVms",
        value: true,
        what: `puts VMs on a dvr_snat node, which is unsupported upstream after Wallaby (bug 1934666) and the release is ${node.release.name}`,
        fix: "set runsVms: false and run VMs on dvr nodes (examples/upstream-layout), or suppress DVR-W001 with a reason to exercise this topology deliberately",
      });
    }
    if (node instanceof DvrSnatNode) {
      const snats = labScopeOf(node)
        .node.findAll()
        .filter((c): c is DvrSnatNode => c instanceof DvrSnatNode);
      if (snats.length > 1 && snats[0] !== node) {
        this.report(node, "DVR-W002", {
          prop: "mode",
          value: "dvr_snat",
          what: `makes this the second dvr_snat node of ${describeScope(labScopeOf(node))} (the first is "${labPath(snats[0])}"), so the scheduler may place legacy routers and SNAT on either`,
          fix: ruleFix("DVR-W002"),
        });
      }
    }
  }

  private securityGroupRule(rule: NetworkingSecgroupRuleV2): void {
    const prefix = rule.remoteIpPrefixInput;
    if (prefix === undefined || isUnresolved(prefix) || !/\/0$/.test(prefix)) return;
    if ((rule.directionInput ?? "ingress") !== "ingress") return;
    const proto = rule.protocolInput;
    if (proto !== undefined && !isUnresolved(proto) && !["tcp", "6", "any"].includes(proto)) return;
    const min = rule.portRangeMinInput;
    const max = rule.portRangeMaxInput;
    const coversSsh = (min === undefined || isUnresolved(min) || min <= 22) && (max === undefined || isUnresolved(max) || max >= 22);
    if (!coversSsh) return;
    this.report(rule, "DVR-W003", { prop: "remoteIpPrefix", value: prefix, what: "opens SSH to the whole internet", fix: "set sshSourceCidr to your admin network instead" });
  }

  private network(net: NetworkingNetworkV2): void {
    const mtu = net.mtuInput;
    if (mtu === undefined || isUnresolved(mtu) || mtu <= 1450) return;
    this.report(net, "DVR-W006", {
      prop: "mtu",
      value: mtu,
      what: "is above 1450 on a VXLAN network",
      fix: `make sure the underlay (and global_physnet_mtu) carries at least ${mtu + 50} bytes, or leave mtu unset`,
    });
  }

  private lab(lab: LabLike): void {
    const topo = lab.topology;
    const sameNode = topo.rows.filter((r) => r.kind === "same-node");
    const vmHosts = topo.hosts.filter((h) => h.runsVms);
    const telling = vmHosts.find((h) => h.role === "dvr") ?? vmHosts.find((h) => h.role === "dvr_no_external");
    if (!telling && vmHosts.length >= 2 && vmHosts.every((h) => h.role === "dvr_snat") && sameNode.some((r) => r.distributed)) {
      this.report(lab, "DVR-E005", {
        prop: "nodes",
        value: topo.hosts.filter((h) => h.role !== "controller").map((h) => `${h.name}:${h.role}${h.runsVms ? "" : " (runsVms false)"}`),
        what: "run VMs only on dvr_snat nodes, where legacy and DVR routing look alike, so no same-node row can tell a distributed router from a legacy one",
        fix: ruleFix("DVR-E005"),
      });
    }
    for (const row of telling ? sameNode : []) {
      const vm = topo.vms.find((v) => v.name === row.source);
      const host = vm && topo.host(vm.host);
      if (host?.role === "dvr_snat") {
        this.report(lab, "DVR-W005", {
          prop: "vms",
          value: [row.source, row.target],
          what: `put the same-node row of router "${row.router}" on the dvr_snat node "${host.name}", where legacy and DVR routing look alike`,
          fix: `put the same-node pair on the ${telling!.role} node "${telling!.name}" (the default placement does)`,
        });
      }
    }
    const onSnat = topo.vms.filter((v) => topo.host(v.host)?.role === "dvr_snat");
    const sameOnDvr = sameNode.filter((r) => topo.host(topo.vms.find((v) => v.name === r.source)?.host ?? "")?.role === "dvr");
    if (onSnat.length > 0 && sameNode.length > 0 && sameOnDvr.length === sameNode.length) {
      const host = onSnat[0].host;
      this.report(lab, "DVR-I001", {
        prop: "vms",
        value: onSnat.map((v) => v.name),
        what: `run on the dvr_snat node "${host}", so the same-node rows are placed on the dvr node "${topo.vms.find((v) => v.name === sameOnDvr[0].source)!.host}"`,
        fix: "nothing to do (docs/DVR.md §6.3)",
      });
    }
  }

  /** Reports a finding of a rule on a construct, once, unless suppressed there or above. */
  private report(scope: IConstruct, id: string, f: Finding): void {
    const rule = LAB_RULES.find((r) => r.id === id)!;
    const message = `[${id}] ${render(scope, f)}`;
    const done = reported.get(scope) ?? new Set<string>();
    reported.set(scope, done);
    if (done.has(message)) return;
    done.add(message);
    const suppression = DvrLabRules.suppressionOf(scope, id);
    if (suppression) {
      Annotations.of(scope).addInfo(`[${id}] suppressed at ${labPath(scope)}: ${suppression.reason}`);
      return;
    }
    if (rule.level === RuleLevel.ERROR) {
      Annotations.of(scope).addError(message);
      addFindingsValidation(scope, () => [f], { ruleId: id });
    } else if (rule.level === RuleLevel.WARNING) {
      Annotations.of(scope).addWarning(message);
    } else {
      Annotations.of(scope).addInfo(message);
    }
  }
}

function ruleFix(id: string): string {
  const fix = LAB_RULES.find((r) => r.id === id)!.fix;
  return fix.charAt(0).toLowerCase() + fix.slice(1).replace(/\.$/, "");
}

function isLab(node: IConstruct): node is LabLike {
  const n = node as Partial<LabLike>;
  return isLabScope(node) && n.topology !== undefined && Array.isArray(n.agentNodes);
}
