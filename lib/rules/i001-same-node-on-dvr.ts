import type { IConstruct } from "constructs";
import { isLab, LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_I001: LabRule = {
  id: "DVR-I001",
  level: RuleLevel.INFO,
  what: "The lab places VMs on its dvr_snat node; the same-node rows are placed on a dvr node.",
  why: "docs/DVR.md §6.3: only a dvr node tells DVR routing from legacy routing for the same-node row.",
  fix: "Nothing to do; informational.",
  check(node: IConstruct): RuleFinding[] {
    if (!isLab(node)) return [];
    const topo = node.topology;
    const sameNode = topo.rows.filter((r) => r.kind === "same-node");
    const onSnat = topo.vms.filter((v) => topo.host(v.host)?.role === "dvr_snat");
    const sameOnDvr = sameNode.filter((r) => topo.host(topo.vms.find((v) => v.name === r.source)?.host ?? "")?.role === "dvr");
    if (onSnat.length === 0 || sameNode.length === 0 || sameOnDvr.length !== sameNode.length) return [];
    return [
      {
        prop: "vms",
        value: onSnat.map((v) => v.name),
        what: `run on the dvr_snat node "${onSnat[0].host}", so the same-node rows are placed on the dvr node "${topo.vms.find((v) => v.name === sameOnDvr[0].source)!.host}"`,
        fix: "nothing to do (docs/DVR.md §6.3)",
      },
    ];
  },
};
