import { TerraformStack, Token } from "cdktf";
import { IConstruct, IValidation, Node } from "constructs";

/**
 * How every validation message is built (aws-cdk style, ONE sentence):
 *
 *   `<construct path>: <prop> <value> <what is wrong>; <how to fix it>`
 *
 * e.g. `DvrLab/com2: tunnelIp "10.0.0.300" is not an IPv4 address; use a dotted-quad address on the
 * node's tunnel interface`. The path is relative to the enclosing stack (the stack id is already in
 * the `[stack/...]` prefix cdktf adds). Secret values are never echoed: such findings set `hideValue`.
 */
export interface Finding {
  /** The prop as the user wrote it, e.g. `tunnelIp`, `ssh.port`, `distributedRouter.subnets[1].cidr`. */
  readonly prop: string;
  readonly value?: unknown;
  /** What is wrong, without the prop and value ("is not an IPv4 address"). */
  readonly what: string;
  /** The fix ("use a dotted-quad address ..."). */
  readonly fix: string;
  /** Do not print the value (secrets, or a value that is not set). */
  readonly hideValue?: boolean;
}

/** Path of a construct relative to its stack ("DvrLab/com2"); the full path outside a stack. */
export function labPath(scope: IConstruct): string {
  const scopes = scope.node.scopes;
  let stackIndex = -1;
  scopes.forEach((s, i) => {
    if (TerraformStack.isStack(s)) stackIndex = i;
  });
  const rel = scopes.slice(stackIndex + 1).map((s) => s.node.id);
  return rel.length > 0 ? rel.join("/") : scope.node.path || "<root>";
}

/** A value as it appears in messages: JSON (strings quoted, lists and objects compact). */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function render(scope: IConstruct, f: Finding): string {
  const value = f.hideValue ? "" : ` ${show(f.value)}`;
  return `${labPath(scope)}: ${f.prop}${value} ${f.what}; ${f.fix}`;
}

/** True when a value (or any element of a list) is an unresolved Terraform token: checked at apply, not at synth. */
export function isUnresolved(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return Token.isUnresolved(value) || value.some((v) => isUnresolved(v));
  if (typeof value === "string" || typeof value === "number") return Token.isUnresolved(value);
  return false;
}

const IS_VALIDATION_ERROR = Symbol.for("dvr-lab.DvrLabValidationError");

/** Extra fields of a validation error found by a lab rule. */
export interface ValidationErrorOptions {
  /**
   * The lab rule that found the problem ("DVR-E001"); the message then starts with `[DVR-E001] `.
   *
   * @default - not a rule finding (a construct-time error or a validation)
   */
  readonly ruleId?: string;
}

/**
 * A problem with a construct's props, with its parts as fields (like aws-cdk-lib's
 * `ValidationError`): the construct's path, the prop, the value, what is wrong, the fix and, for a
 * lab rule, the rule id. `message` is the one-sentence text of docs/RULES.md
 * (`<construct path>: <prop> <value> <what is wrong>; <the fix>`).
 *
 * Thrown at construct time (as `DvrLabInputError`). The validations that `cdktf synth` and
 * `Testing.synth(stack, true)` run report text (cdktf joins their messages into one error); the same
 * problems as objects are `DvrLabValidationError.findAll(scope)`.
 */
export class DvrLabValidationError extends Error {
  /** Whether `x` is a DvrLabValidationError (also across copies of this package). */
  public static isDvrLabValidationError(x: unknown): x is DvrLabValidationError {
    return typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[IS_VALIDATION_ERROR] === true;
  }

  /**
   * The errors of the validations dvr-lab added to `scope` and every construct below it: what
   * `Testing.synth(stack, true)` would report for them, as objects. Rule errors are included once
   * the lab rules ran (they run when the stack is synthesized).
   */
  public static findAll(scope: IConstruct): DvrLabValidationError[] {
    return scope.node.findAll().flatMap((c) => (validations.get(c) ?? []).flatMap((v) => v.errors()));
  }

  /** Path of the construct relative to its stack, as the message starts ("DvrLab/com2"). */
  public readonly constructPath: string;
  /** The construct's full path (`node.path`, with the stack: "my-stack/DvrLab/com2"). */
  public readonly fullPath: string;
  /** The prop as the user wrote it ("tunnelIp", "ssh.port", "distributedRouter.subnets[1].cidr"). */
  public readonly prop: string;
  /** The bad value; undefined when `valueHidden` (secrets are never kept, nor echoed). */
  public readonly value?: unknown;
  /** True when the message does not show the value (a secret, or a value that is not set). */
  public readonly valueHidden: boolean;
  /** What is wrong, without the prop and value ("is not an IPv4 address"). */
  public readonly problem: string;
  /** How to fix it ("use a dotted-quad address on the node's tunnel interface"). */
  public readonly fix: string;
  /** The lab rule that found it ("DVR-E001"); undefined for construct-time errors and validations. */
  public readonly ruleId?: string;

  constructor(scope: IConstruct, finding: Finding, options: ValidationErrorOptions = {}) {
    super(`${options.ruleId ? `[${options.ruleId}] ` : ""}${render(scope, finding)}`);
    this.name = "DvrLabValidationError";
    Object.defineProperty(this, IS_VALIDATION_ERROR, { value: true });
    this.constructPath = labPath(scope);
    this.fullPath = scope.node.path;
    this.prop = finding.prop;
    this.valueHidden = finding.hideValue === true;
    if (!this.valueHidden) this.value = finding.value;
    this.problem = finding.what;
    this.fix = finding.fix;
    if (options.ruleId) this.ruleId = options.ruleId;
  }
}

/** A construct-time error (props that cannot be synthesized at all); same message format and fields. */
export class DvrLabInputError extends DvrLabValidationError {
  constructor(scope: IConstruct, f: Finding) {
    super(scope, f);
    this.name = "DvrLabInputError";
  }
}

/** A validation of a construct whose problems are Findings (text for cdktf, objects for findAll). */
class FindingsValidation implements IValidation {
  constructor(
    private readonly scope: IConstruct,
    private readonly findings: () => readonly Finding[],
    private readonly options: ValidationErrorOptions,
  ) {}

  public errors(): DvrLabValidationError[] {
    return this.findings().map((f) => new DvrLabValidationError(this.scope, f, this.options));
  }

  public validate(): string[] {
    return this.errors().map((e) => e.message);
  }
}

const validations = new WeakMap<IConstruct, FindingsValidation[]>();

/**
 * Adds a validation to `scope` that reports `findings()` at synth (`Node.of(scope).addValidation`),
 * each as a DvrLabValidationError's message; `DvrLabValidationError.findAll` finds them as objects.
 */
export function addFindingsValidation(scope: IConstruct, findings: () => readonly Finding[], options: ValidationErrorOptions = {}): void {
  const v = new FindingsValidation(scope, findings, options);
  validations.set(scope, [...(validations.get(scope) ?? []), v]);
  Node.of(scope).addValidation(v);
}
