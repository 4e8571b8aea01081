// Public surface of lib/rules: the rule pack, the aspect that applies it, suppressions.
export { DvrLabRules } from "./lab-rules";
export type { RuleReport } from "./lab-rules";
export { LAB_RULES } from "./pack";
export { RuleLevel } from "./rule";
export type { LabRule, RuleFinding } from "./rule";
export { DvrLabSuppressions, SUPPRESSIONS_METADATA } from "./suppressions";
export type { RuleSuppression } from "./suppressions";
