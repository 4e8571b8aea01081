import type { IConstruct } from "constructs";
import { DvrLabValidationError, Finding } from "../validation/format";
import { LAB_RULES } from "./pack";

/** A rule switched off for a construct and everything below it, with the reason (cdk-nag style). */
export interface RuleSuppression {
  /** The rule's id ("DVR-W003"). */
  readonly id: string;
  /** Why the rule does not apply here: at least 10 characters; shown with every finding it suppresses. */
  readonly reason: string;
}

/** The construct metadata type suppressions are stored under (`construct.node.metadata`). */
export const SUPPRESSIONS_METADATA = "dvr-lab:rule-suppressions";

const MIN_REASON = 10;

/** What is wrong with one suppression, or undefined. `index` is its place in the construct's list. */
export function suppressionProblem(s: RuleSuppression, index: number): Finding | undefined {
  const at = `suppressions[${index}]`;
  if (!LAB_RULES.some((r) => r.id === s?.id)) {
    return { prop: `${at}.id`, value: s?.id, what: "is not a lab rule", fix: `use one of: ${LAB_RULES.map((r) => r.id).join(", ")}` };
  }
  if (typeof s.reason !== "string" || s.reason.trim().length < MIN_REASON) {
    return {
      prop: `${at}.reason`,
      value: s.reason,
      what: `does not say why ${s.id} does not apply here`,
      fix: `give a reason of at least ${MIN_REASON} characters`,
    };
  }
  return undefined;
}

/**
 * Rule suppressions as construct metadata (cdk-nag's `NagSuppressions` for dvr-lab's rules). A
 * suppression holds for the construct it is added to and everything below it; the rules check it
 * when they run, report what it suppresses as suppressed (with the reason), and report a suppression
 * without a reason or of an unknown rule as an error instead of honouring it.
 */
export class DvrLabSuppressions {
  /**
   * Suppresses rules on `construct` and below. Throws a DvrLabValidationError for an unknown id or a
   * reason shorter than 10 characters.
   */
  public static add(construct: IConstruct, suppressions: readonly RuleSuppression[]): void {
    const before = DvrLabSuppressions.of(construct).length;
    suppressions.forEach((s, i) => {
      const problem = suppressionProblem(s, before + i);
      if (problem) throw new DvrLabValidationError(construct, problem);
    });
    construct.node.addMetadata(SUPPRESSIONS_METADATA, suppressions.map((s) => ({ id: s.id, reason: s.reason })));
  }

  /** The suppressions stored on `construct` itself (not its scopes), in the order they were added. */
  public static of(construct: IConstruct): RuleSuppression[] {
    return construct.node.metadata.filter((m) => m.type === SUPPRESSIONS_METADATA).flatMap((m) => (Array.isArray(m.data) ? (m.data as RuleSuppression[]) : [m.data as RuleSuppression]));
  }

  /** The valid suppression of rule `id` in force at `construct`: its own or the nearest scope's. */
  public static inForce(construct: IConstruct, id: string): { readonly suppression: RuleSuppression; readonly at: IConstruct } | undefined {
    for (const scope of [...construct.node.scopes].reverse()) {
      const list = DvrLabSuppressions.of(scope);
      const i = list.findIndex((s, k) => s?.id === id && !suppressionProblem(s, k));
      if (i >= 0) return { suppression: list[i], at: scope };
    }
    return undefined;
  }
}
