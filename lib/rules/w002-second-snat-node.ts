import type { IConstruct } from "constructs";
import { DvrSnatNode } from "../nodes/dvr-snat-node";
import { labPath } from "../validation/format";
import { describeScope, labScopeOf } from "../validation/node-checks";
import { fixOf, LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_W002: LabRule = {
  id: "DVR-W002",
  level: RuleLevel.WARNING,
  what: "A lab has more than one dvr_snat node.",
  why: "The scheduler places legacy routers and the SNAT part of DVR routers on any dvr_snat node, so the expected rows (which name the first one) may not match.",
  fix: "Use one dvr_snat node, or suppress DVR-W002 and expect the snat and legacy rows to name the node the scheduler picked.",
  check(node: IConstruct): RuleFinding[] {
    if (!(node instanceof DvrSnatNode)) return [];
    const lab = labScopeOf(node);
    const snats = lab.node.findAll().filter((c): c is DvrSnatNode => c instanceof DvrSnatNode);
    if (snats.length < 2 || snats[0] === node) return [];
    return [
      {
        prop: "mode",
        value: "dvr_snat",
        what: `makes this the second dvr_snat node of ${describeScope(lab)} (the first is "${labPath(snats[0])}"), so the scheduler may place legacy routers and SNAT on either`,
        fix: fixOf(DVR_W002),
      },
    ];
  },
};
