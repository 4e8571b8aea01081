import type { IConstruct } from "constructs";
import { DvrController } from "../nodes/dvr-controller";
import { isUnresolved } from "../validation/format";
import { fixOf, LabRule, RuleFinding, RuleLevel } from "./rule";

/** The controller's ML2 mechanism drivers as names, or undefined when not set (default) or unresolved. */
export function mechanismDriverNames(node: DvrController): string[] | undefined {
  const drivers = node.props.mechanismDrivers;
  if (drivers === undefined || isUnresolved(drivers) || drivers.filter((d) => String(d).trim() !== "").length === 0) return undefined;
  return drivers.map((d) => String(d).trim());
}

export const DVR_E001: LabRule = {
  id: "DVR-E001",
  level: RuleLevel.ERROR,
  what: "The controller's ML2 mechanismDrivers lack l2population.",
  why: "DVR over VXLAN needs l2population on the server: the agents build tunnels only from its FDB messages, so no tunnel comes up (docs/DVR.md §5.1).",
  fix: 'Add "l2population" to mechanismDrivers (the default is ["openvswitch", "l2population"]).',
  check(node: IConstruct): RuleFinding[] {
    if (!(node instanceof DvrController)) return [];
    const names = mechanismDriverNames(node);
    if (!names || names.includes("l2population")) return [];
    return [{ prop: "mechanismDrivers", value: node.props.mechanismDrivers, what: "lacks l2population, so no VXLAN tunnel comes up with DVR", fix: fixOf(DVR_E001) }];
  },
};
