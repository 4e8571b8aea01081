// Public surface of lib/validation: the lab rules (an Aspect with stable ids and suppressions) and
// the error type of construct-time checks. The checks themselves run inside the constructs.
export { DvrLabRules, LAB_RULES, RuleLevel } from "./rules";
export type { LabRule, RuleSuppression } from "./rules";
export { DvrLabInputError } from "./format";
