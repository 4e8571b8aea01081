import type { IConstruct } from "constructs";
import { releaseSettings } from "../model/release-settings";
import { DvrSnatNode } from "../nodes/dvr-snat-node";
import { LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_W001: LabRule = {
  id: "DVR-W001",
  level: RuleLevel.WARNING,
  what: "A dvr_snat node runs VMs (runsVms) on a release newer than Wallaby.",
  why: "Upstream declared VMs on the dvr_snat node unsupported in 2021 (bug 1934666) and its DVR gate no longer runs them (docs/DVR.md §5.4, §6.1).",
  fix: "Set runsVms: false on the dvr_snat node and run VMs on dvr nodes (examples/upstream-layout), or suppress DVR-W001 with a reason to exercise this topology deliberately.",
  check(node: IConstruct): RuleFinding[] {
    if (!(node instanceof DvrSnatNode) || !node.runsVms || !releaseSettings(node.release).vmsOnSnatNodeUnsupported) return [];
    return [
      {
        prop: "runsVms",
        value: true,
        what: `puts VMs on a dvr_snat node, which is unsupported upstream after Wallaby (bug 1934666) and the release is ${node.release.name}`,
        fix: "set runsVms: false and run VMs on dvr nodes (examples/upstream-layout), or suppress DVR-W001 with a reason to exercise this topology deliberately",
      },
    ];
  },
};
