import { DefaultTokenResolver, StringConcat, TerraformOutput, TerraformStack, TerraformVariable, Tokenization } from "cdktf";
import type { IConstruct } from "constructs";
import { DvrNode } from "../nodes/dvr-node";
import { isLab, LabRule, RuleFinding, RuleLevel } from "./rule";

/** Names of the variables an output's value refers to (`var.<name>`). */
function variablesOf(out: TerraformOutput): string[] {
  const resolved = Tokenization.resolve(out.value, { scope: out, resolver: new DefaultTokenResolver(new StringConcat()) });
  const text = JSON.stringify(resolved) ?? "";
  return [...text.matchAll(/var\.([A-Za-z0-9_-]+)/g)].map((m) => m[1]);
}

function finding(out: TerraformOutput, variable: string): RuleFinding {
  return {
    construct: out,
    prop: "sensitive",
    value: out.sensitive ?? false,
    what: `on an output that carries the sensitive variable "${variable}"`,
    fix: "set sensitive: true on the output, or do not output the credential",
  };
}

/**
 * Visiting an output: any sensitive variable of its stack. Visiting a lab: the stack's outputs
 * (inside the lab or not) that carry a credential of the lab, i.e. a sensitive variable inside the
 * lab or one its nodes take their SSH key from.
 */
function check(node: IConstruct): RuleFinding[] {
  if (node instanceof TerraformOutput) {
    if (node.sensitive) return [];
    const sensitive = new Set(
      TerraformStack.of(node)
        .node.findAll()
        .filter((c): c is TerraformVariable => c instanceof TerraformVariable && c.sensitive === true)
        .map((v) => v.friendlyUniqueId),
    );
    const hit = variablesOf(node).find((n) => sensitive.has(n));
    return hit ? [finding(node, hit)] : [];
  }
  if (!isLab(node)) return [];
  const credentials = new Set<string>();
  for (const c of node.node.findAll()) {
    if (c instanceof TerraformVariable && c.sensitive === true) credentials.add(c.friendlyUniqueId);
    const v = c instanceof DvrNode ? c.ssh.privateKey.variable : undefined;
    if (v?.sensitive === true) credentials.add(v.friendlyUniqueId);
  }
  if (credentials.size === 0) return [];
  const out: RuleFinding[] = [];
  for (const o of TerraformStack.of(node).node.findAll()) {
    if (!(o instanceof TerraformOutput) || o.sensitive) continue;
    const hit = variablesOf(o).find((n) => credentials.has(n));
    if (hit) out.push(finding(o, hit));
  }
  return out;
}

export const DVR_E004: LabRule = {
  id: "DVR-E004",
  level: RuleLevel.ERROR,
  what: "A Terraform output carries a sensitive variable (such as the SSH private key) without sensitive: true.",
  why: "Terraform prints non-sensitive outputs after every apply and stores them in plain view; it refuses such an output at plan time anyway.",
  fix: "Set sensitive: true on the output, or do not output the credential.",
  check,
};
