import type { IConstruct } from "constructs";
import { DvrNode } from "../nodes/dvr-node";
import { fixOf, LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_W004: LabRule = {
  id: "DVR-W004",
  level: RuleLevel.WARNING,
  what: "SSH host key checking is switched off for a node (ssh.insecureSkipHostKeyCheck).",
  why: "Terraform and the verifier then talk to whoever answers at the address, and send it root commands.",
  fix: "Pass the node's host public key as ssh.hostKey and drop insecureSkipHostKeyCheck.",
  check(node: IConstruct): RuleFinding[] {
    if (!(node instanceof DvrNode) || !node.ssh.insecureSkipHostKeyCheck) return [];
    return [{ prop: "ssh.insecureSkipHostKeyCheck", value: true, what: "switches host key checking off", fix: fixOf(DVR_W004) }];
  },
};
