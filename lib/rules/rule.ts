import type { IConstruct } from "constructs";
import type { LabTopology } from "../model/topology";
import type { DvrAgentNode } from "../nodes/dvr-agent-node";
import type { Finding } from "../validation/format";
import { isLabScope } from "../validation/node-checks";

/** How a lab rule reports (cdk-nag style): errors fail synth, warnings and infos are annotations. */
export enum RuleLevel {
  ERROR = "error",
  WARNING = "warning",
  INFO = "info",
}

/** A problem a rule found: a Finding, on the visited construct unless `construct` names another. */
export interface RuleFinding extends Finding {
  /**
   * The construct the finding is about (its path starts the message; suppressions are looked up there).
   *
   * @default - the construct the rule was visiting
   */
  readonly construct?: IConstruct;
}

/**
 * One lab rule (cdk-nag style, one per file in lib/rules): a stable id, its level, the text of the
 * rules table (docs/RULES.md) and the check. `DvrLabRules` visits every construct of the scope it is
 * applied to and calls `check` with each; the rule returns what it finds there (nothing when the
 * construct is not its kind or complies).
 */
export interface LabRule {
  /** Stable id ("DVR-E001"): never renumbered or reused. */
  readonly id: string;
  readonly level: RuleLevel;
  /** What the rule finds, one sentence (the rules table's "what"). */
  readonly what: string;
  /** Why it matters. */
  readonly why: string;
  /** How to fix it. */
  readonly fix: string;
  /** The findings of this rule at one visited construct. */
  readonly check: (construct: IConstruct) => readonly RuleFinding[];
}

/** A rule's fix as the end of a message ("add ... to mechanismDrivers ..."): first letter lower-case, no final period. */
export function fixOf(rule: Pick<LabRule, "fix">): string {
  return rule.fix.charAt(0).toLowerCase() + rule.fix.slice(1).replace(/\.$/, "");
}

/** What DvrLab exposes to the rules (duck-typed, so the rules do not import DvrLab, a higher layer). */
export interface LabLike extends IConstruct {
  readonly topology: LabTopology;
  readonly agentNodes: readonly DvrAgentNode[];
}

export function isLab(construct: IConstruct): construct is LabLike {
  const n = construct as Partial<LabLike>;
  return isLabScope(construct) && n.topology !== undefined && Array.isArray(n.agentNodes);
}
