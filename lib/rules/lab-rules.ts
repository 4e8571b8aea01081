import { Annotations, Aspects, IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { addFindingsValidation, DvrLabValidationError, Finding, labPath } from "../validation/format";
import { LAB_RULES } from "./pack";
import { LabRule, RuleLevel } from "./rule";
import { DvrLabSuppressions, RuleSuppression, suppressionProblem } from "./suppressions";

/** One finding of a rule, as the rules reported it (see `DvrLabRules.findingsOf`). */
export interface RuleReport {
  readonly ruleId: string;
  readonly level: RuleLevel;
  /** The finding with its fields (construct path, prop, value, problem, fix, rule id) and message. */
  readonly finding: DvrLabValidationError;
  /**
   * The suppression that switched it off, and where it was added.
   *
   * @default - not suppressed: reported at its level
   */
  readonly suppressed?: { readonly suppression: RuleSuppression; readonly at: string };
}

const reported = new WeakMap<IConstruct, Map<string, RuleReport>>();
const checkedSuppressions = new WeakSet<IConstruct>();

/**
 * The lab rules as an Aspect (cdk-nag style): every rule of `LAB_RULES` (one per file in lib/rules)
 * checks every construct of the scope the aspect is applied to. `DvrLab` applies it to itself, so a
 * lab's rules cover the lab and nothing else of the stack (a user's own security groups are theirs);
 * apply it to any scope of self-composed nodes with `Aspects.of(scope).add(new DvrLabRules())`.
 *
 * Each finding is reported once per construct (applying the aspect twice, or synthesizing twice, does
 * not repeat it): errors as error annotations AND validations (so they fail `cdktf synth` and
 * `Testing.synth(stack, true)`), warnings and infos as annotations. A finding under a suppression
 * (`DvrLabSuppressions.add`) is an info annotation naming the suppression's reason.
 */
export class DvrLabRules implements IAspect {
  /**
   * Switches rules off for `scope` and everything below it.
   *
   * @deprecated use `DvrLabSuppressions.add(scope, suppressions)` (the same, as construct metadata)
   */
  public static suppress(scope: IConstruct, rules: readonly RuleSuppression[]): void {
    DvrLabSuppressions.add(scope, rules);
  }

  /** Adds the rules to `scope` unless they are there already (what DvrLab does with itself). */
  public static applyTo(scope: IConstruct): void {
    if (Aspects.of(scope).all.some((a) => a instanceof DvrLabRules)) return;
    Aspects.of(scope).add(new DvrLabRules());
  }

  /** What the rules reported at `scope` and below (once the stack was synthesized), suppressed findings included. */
  public static findingsOf(scope: IConstruct): RuleReport[] {
    return scope.node.findAll().flatMap((c) => [...(reported.get(c)?.values() ?? [])]);
  }

  /** The rules this aspect applies. */
  public readonly rules: readonly LabRule[] = LAB_RULES;

  public visit(construct: IConstruct): void {
    this.checkSuppressions(construct);
    for (const rule of this.rules) {
      for (const f of rule.check(construct)) {
        const { construct: target = construct, ...finding } = f;
        this.report(target, rule, new DvrLabValidationError(target, finding, { ruleId: rule.id }), finding);
      }
    }
  }

  /** Suppressions stored on a construct without a reason, or of an unknown rule: an error each, and not honoured. */
  private checkSuppressions(construct: IConstruct): void {
    if (checkedSuppressions.has(construct)) return;
    checkedSuppressions.add(construct);
    const problems = DvrLabSuppressions.of(construct).flatMap((s, i) => suppressionProblem(s, i) ?? []);
    for (const p of problems) Annotations.of(construct).addError(new DvrLabValidationError(construct, p).message);
    if (problems.length) addFindingsValidation(construct, () => problems);
  }

  /** Reports a finding of a rule on a construct, once, unless suppressed there or above. */
  private report(construct: IConstruct, rule: LabRule, finding: DvrLabValidationError, fields: Finding): void {
    const done = reported.get(construct) ?? new Map<string, RuleReport>();
    reported.set(construct, done);
    if (done.has(finding.message)) return;
    const hit = DvrLabSuppressions.inForce(construct, rule.id);
    done.set(finding.message, {
      ruleId: rule.id,
      level: rule.level,
      finding,
      ...(hit ? { suppressed: { suppression: hit.suppression, at: labPath(hit.at) } } : {}),
    });
    if (hit) {
      Annotations.of(construct).addInfo(`[${rule.id}] suppressed at ${labPath(construct)}: ${hit.suppression.reason}`);
      return;
    }
    if (rule.level === RuleLevel.ERROR) {
      Annotations.of(construct).addError(finding.message);
      addFindingsValidation(construct, () => [fields], { ruleId: rule.id });
    } else if (rule.level === RuleLevel.WARNING) {
      Annotations.of(construct).addWarning(finding.message);
    } else {
      Annotations.of(construct).addInfo(finding.message);
    }
  }
}
