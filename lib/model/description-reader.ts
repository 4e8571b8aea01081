import { LAB_DESCRIPTION_SCHEMA, LabDescription } from "./topology";

/**
 * The ONE reader of a lab description (what `DvrLab` writes as the Terraform output
 * `<labName>_description`), for the verifier, the twin and the CLI. Problems are thrown as
 * `DescriptionError`s whose message names `what` was read; callers add their option name.
 */
export class DescriptionError extends Error {}

/** Checks that a parsed value is a lab description of this schema. */
export function parseDescription(value: unknown, what: string): LabDescription {
  const d = value as LabDescription;
  if (!d || typeof d !== "object" || !Array.isArray(d.hosts) || !Array.isArray(d.rows) || !Array.isArray(d.vms)) {
    throw new DescriptionError(`${what}: not a lab description (needs hosts, vms, rows)`);
  }
  if (d.schema && d.schema !== LAB_DESCRIPTION_SCHEMA) throw new DescriptionError(`${what}: schema ${d.schema}, expected ${LAB_DESCRIPTION_SCHEMA}`);
  return d;
}

/**
 * The description in a synthesized stack (cdk.tf.json, parsed): the output `<lab>_description` when
 * `lab` is given, else the stack's only `*_description` output.
 */
export function descriptionFromStack(stack: Record<string, unknown>, lab?: string, what = "the stack"): LabDescription {
  const outputs = (stack.output ?? {}) as Record<string, { value?: unknown }>;
  const have = Object.keys(outputs).filter((k) => k.endsWith("_description"));
  let name: string;
  if (lab !== undefined) {
    name = `${lab}_description`;
    if (!outputs[name]) throw new DescriptionError(`${what} has no output "${name}"${have.length ? ` (has: ${have.join(", ")})` : ""}`);
  } else {
    if (have.length !== 1) throw new DescriptionError(`expected one "<lab>_description" output in ${what}, found ${have.length}`);
    name = have[0];
  }
  const v = outputs[name].value;
  let parsed: unknown;
  try {
    parsed = typeof v === "string" ? JSON.parse(v) : v;
  } catch (e) {
    throw new DescriptionError(`${what} output ${name}: not valid JSON (${(e as Error).message})`);
  }
  const d = parsed as LabDescription;
  if (d?.schema !== LAB_DESCRIPTION_SCHEMA) throw new DescriptionError(`output ${name} is not a ${LAB_DESCRIPTION_SCHEMA} description`);
  return parseDescription(d, `${what} output ${name}`);
}
