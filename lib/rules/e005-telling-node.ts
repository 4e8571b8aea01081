import type { IConstruct } from "constructs";
import { fixOf, isLab, LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_E005: LabRule = {
  id: "DVR-E005",
  level: RuleLevel.ERROR,
  what: "No dvr or dvr_no_external node of a lab runs VMs, so every same-node row sits on a dvr_snat node.",
  why: "On a dvr_snat node a legacy router and a DVR router both route locally (docs/DVR.md §6.3): the same-node rows would pass for a router that is not distributed at all.",
  fix: "Let a dvr or dvr_no_external node run VMs, or suppress DVR-E005 with a reason to run a lab of dvr_snat nodes only.",
  check(node: IConstruct): RuleFinding[] {
    if (!isLab(node)) return [];
    const topo = node.topology;
    const vmHosts = topo.hosts.filter((h) => h.runsVms);
    const telling = vmHosts.some((h) => h.role === "dvr" || h.role === "dvr_no_external");
    const sameNodeDvr = topo.rows.some((r) => r.kind === "same-node" && r.distributed);
    if (telling || vmHosts.length < 2 || !vmHosts.every((h) => h.role === "dvr_snat") || !sameNodeDvr) return [];
    return [
      {
        prop: "nodes",
        value: topo.hosts.filter((h) => h.role !== "controller").map((h) => `${h.name}:${h.role}${h.runsVms ? "" : " (runsVms false)"}`),
        what: "run VMs only on dvr_snat nodes, where legacy and DVR routing look alike, so no same-node row can tell a distributed router from a legacy one",
        fix: fixOf(DVR_E005),
      },
    ];
  },
};
