import { TerraformStack, Token } from "cdktf";
import { IConstruct } from "constructs";

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

/** A construct-time error (props that cannot be synthesized at all); same message format. */
export class DvrLabInputError extends Error {
  constructor(scope: IConstruct, f: Finding) {
    super(render(scope, f));
    this.name = "DvrLabInputError";
  }
}
