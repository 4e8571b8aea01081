// Public surface of lib/validation: the error type of construct-time checks. The checks themselves
// run inside the constructs; the lab rules (an Aspect above the constructs) are lib/rules.
export { DvrLabInputError, DvrLabValidationError } from "./format";
export type { ValidationErrorOptions } from "./format";
