import type { IConstruct } from "constructs";
import { isLab, LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_W005: LabRule = {
  id: "DVR-W005",
  level: RuleLevel.WARNING,
  what: "A router's same-node row is placed on a dvr_snat node.",
  why: "On the dvr_snat node the legacy router and the DVR router both route locally, so that row cannot tell the two apart (docs/DVR.md §6.3).",
  fix: "Put the same-node pair on a dvr or dvr_no_external node (the default placement does).",
  check(node: IConstruct): RuleFinding[] {
    if (!isLab(node)) return [];
    const topo = node.topology;
    const vmHosts = topo.hosts.filter((h) => h.runsVms);
    const telling = vmHosts.find((h) => h.role === "dvr") ?? vmHosts.find((h) => h.role === "dvr_no_external");
    if (!telling) return [];
    const out: RuleFinding[] = [];
    for (const row of topo.rows.filter((r) => r.kind === "same-node")) {
      const vm = topo.vms.find((v) => v.name === row.source);
      const host = vm && topo.host(vm.host);
      if (host?.role !== "dvr_snat") continue;
      out.push({
        prop: "vms",
        value: [row.source, row.target],
        what: `put the same-node row of router "${row.router}" on the dvr_snat node "${host.name}", where legacy and DVR routing look alike`,
        fix: `put the same-node pair on the ${telling.role} node "${telling.name}" (the default placement does)`,
      });
    }
    return out;
  },
};
