import type { IConstruct } from "constructs";
import { DvrController } from "../nodes/dvr-controller";
import { mechanismDriverNames } from "./e001-l2population";
import { fixOf, LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_E002: LabRule = {
  id: "DVR-E002",
  level: RuleLevel.ERROR,
  what: "The controller's ML2 mechanismDrivers lack openvswitch.",
  why: "The lab's agents are Open vSwitch agents; without the openvswitch driver Neutron binds no port on them.",
  fix: 'Add "openvswitch" to mechanismDrivers.',
  check(node: IConstruct): RuleFinding[] {
    if (!(node instanceof DvrController)) return [];
    const names = mechanismDriverNames(node);
    if (!names || names.includes("openvswitch")) return [];
    return [{ prop: "mechanismDrivers", value: node.props.mechanismDrivers, what: "lacks openvswitch", fix: fixOf(DVR_E002) }];
  },
};
