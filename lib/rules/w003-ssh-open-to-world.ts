import type { IConstruct } from "constructs";
import { NetworkingSecgroupRuleV2 } from "../gen/providers/openstack/networking-secgroup-rule-v2";
import { isUnresolved } from "../validation/format";
import { LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_W003: LabRule = {
  id: "DVR-W003",
  level: RuleLevel.WARNING,
  what: "A security group rule opens SSH (TCP 22) to 0.0.0.0/0.",
  why: "The probe VMs then take SSH from the whole internet; the lab only needs its own subnets and an admin network.",
  fix: "Set sshSourceCidr to your admin network instead of 0.0.0.0/0.",
  check(rule: IConstruct): RuleFinding[] {
    if (!(rule instanceof NetworkingSecgroupRuleV2)) return [];
    const prefix = rule.remoteIpPrefixInput;
    if (prefix === undefined || isUnresolved(prefix) || !/\/0$/.test(prefix)) return [];
    if ((rule.directionInput ?? "ingress") !== "ingress") return [];
    const proto = rule.protocolInput;
    if (proto !== undefined && !isUnresolved(proto) && !["tcp", "6", "any"].includes(proto)) return [];
    const min = rule.portRangeMinInput;
    const max = rule.portRangeMaxInput;
    const coversSsh = (min === undefined || isUnresolved(min) || min <= 22) && (max === undefined || isUnresolved(max) || max >= 22);
    if (!coversSsh) return [];
    return [{ prop: "remoteIpPrefix", value: prefix, what: "opens SSH to the whole internet", fix: "set sshSourceCidr to your admin network instead" }];
  },
};
