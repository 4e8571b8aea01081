import type { IConstruct } from "constructs";
import { releaseSettings } from "../model/release-settings";
import { DvrAgentNode } from "../nodes/dvr-agent-node";
import { isUnresolved } from "../validation/format";
import { LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_E003: LabRule = {
  id: "DVR-E003",
  level: RuleLevel.ERROR,
  what: "An agent node overrides firewallDriver with a driver that the release table rules out for DVR.",
  why: "On Ocata DVR flows and OVS-firewall flows clash and east-west breaks (bug 1696983, fixed in Pike); the release table sets iptables_hybrid.",
  fix: "Drop the firewallDriver override (the release table's value is used), or target Pike or newer.",
  check(node: IConstruct): RuleFinding[] {
    if (!(node instanceof DvrAgentNode)) return [];
    const rel = releaseSettings(node.release);
    const fw = node.desired.files.flatMap((f) => f.settings).find((s) => s.section === "securitygroup" && s.key === "firewall_driver")?.value;
    if (!rel.firewallDriver || fw === undefined || isUnresolved(fw) || fw === rel.firewallDriver) return [];
    return [
      {
        prop: "firewallDriver",
        value: fw,
        what: `breaks DVR east-west on ${node.release.name} (bug 1696983)`,
        fix: `drop the override (the release table sets "${rel.firewallDriver}"), or target pike or newer`,
      },
    ];
  },
};
