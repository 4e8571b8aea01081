/**
 * What a user reads in `terraform plan`: the size of the reference lab's first plan (`terraform plan
 * -refresh=false` with no state, every resource to add) against the cloud twin (root;
 * `npm run bench -- --plan-only`), for the stack as synthesized (the push script a stack asset,
 * uploaded by path) and for the same stack with the script embedded in every push's `file`
 * provisioner as it was before (`content`). Also `terraform validate` of both.
 *
 * The twin comes up as a bare cloud (nothing of the lab on it): a plan only reads the data sources
 * (image, flavor, external network), it creates nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { descriptionFromStack } from "../lib/model/description-reader";
import { ProvisionerResource } from "../lib/push/provisioner-resource";
import { terraformToolchain } from "../lib/toolchain/terraform";
import { runTerraformAsync } from "../lib/toolchain/terraform-run";
import { Cloud } from "../lib/twin/cloud/cloud";
import { copyStackFolder, twinVariables } from "../lib/twin/deploy";
import { defaultStateDir, Twin } from "../lib/twin/twin";

const ROOT = join(__dirname, "..", "..");

export interface PlanSizeRow {
  readonly variant: "asset" | "embedded";
  readonly stackBytes: number;
  readonly planBytes: number;
  readonly planLines: number;
  /** How many times the plan shows a line of the push script. */
  readonly scriptLinesInPlan: number;
  readonly toAdd: number;
  readonly validateS: number;
  readonly planS: number;
}

/** The stack with the push script embedded (`content`) in every push instead of uploaded by path (`source`). */
export function embedScript(stack: Record<string, unknown>, stackDir: string): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(stack)) as Record<string, unknown>;
  for (const e of ProvisionerResource.entriesOf(copy)) {
    for (const p of ((e.body as { provisioner?: { file?: { source?: string; content?: string } }[] }).provisioner ?? [])) {
      if (p.file?.source) {
        p.file.content = readFileSync(join(stackDir, p.file.source), "utf8");
        delete p.file.source;
      }
    }
  }
  return copy;
}

export async function benchPlanSize(log: (l: string) => void): Promise<PlanSizeRow[]> {
  const stackDir = join(ROOT, "cdktf.out", "stacks", "reference-lab");
  const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as Record<string, unknown>;
  const description = descriptionFromStack(stack);
  const script = readFileSync(join(ROOT, "remote", "dvr_push.py"), "utf8");
  const probe = script.split("\n").find((l) => l.startsWith("def ")) ?? "def ";
  const tf = terraformToolchain();
  const name = `plan-size-${process.pid}`;
  const scratch = mkdtempSync(join(tmpdir(), "dvr-lab-plan-size-"));
  log(`plan size: twin up (a bare cloud, name ${name})`);
  const twin = await Twin.up({ description, name, stateDir: defaultStateDir(name), log: (l) => log(`  twin: ${l}`) });
  const rows: PlanSizeRow[] = [];
  try {
    const cloud = Cloud.attach(twin.state.cloud!.stateDir)!;
    const prefix = twin.operatorPrefix();
    for (const variant of ["asset", "embedded"] as const) {
      const dir = join(scratch, variant);
      copyStackFolder(stackDir, dir);
      const doc = variant === "asset" ? stack : embedScript(stack, stackDir);
      const text = JSON.stringify(doc, null, 2) + "\n";
      writeFileSync(join(dir, "cdk.tf.json"), text);
      const env = { ...process.env, ...cloud.osVariables(), ...twinVariables(twin, stack), TF_DATA_DIR: join(dir, ".tfdata") };
      const run = async (args: string[]) => {
        const lines: string[] = [];
        const t = Date.now();
        const code = await runTerraformAsync(tf, args, { cwd: dir, env, prefix, onLine: (l) => lines.push(l) });
        if (code !== 0) throw new Error(`terraform ${args[0]} (${variant}) failed (exit ${code}):\n${lines.slice(-20).join("\n")}`);
        return { lines, s: (Date.now() - t) / 1000 };
      };
      await run(["init", "-input=false", "-no-color", `-backend-config=path=${join(dir, "terraform.tfstate")}`]);
      const validate = await run(["validate", "-no-color"]);
      const plan = await run(["plan", "-refresh=false", "-input=false", "-no-color", "-lock=false"]);
      const out = plan.lines.join("\n") + "\n";
      const added = /Plan: (\d+) to add/.exec(out);
      rows.push({
        variant,
        stackBytes: Buffer.byteLength(text),
        planBytes: Buffer.byteLength(out),
        planLines: plan.lines.length,
        scriptLinesInPlan: plan.lines.filter((l) => l.includes(probe)).length,
        toAdd: added ? Number(added[1]) : 0,
        validateS: validate.s,
        planS: plan.s,
      });
      log(`  ${variant}: cdk.tf.json ${text.length} B, plan ${out.length} B / ${plan.lines.length} lines (${plan.s.toFixed(1)} s)`);
    }
  } finally {
    await twin.down();
    rmSync(scratch, { recursive: true, force: true });
  }
  return rows;
}

export function planSizeSection(rows: readonly PlanSizeRow[], date: string): string {
  const kb = (b: number) => `${(b / 1e3).toFixed(1)} kB`;
  const body = rows.map(
    (r) =>
      `| ${r.variant === "asset" ? "push script a stack asset (`source`, as synthesized)" : "push script embedded in every push (`content`, as before)"} | ${kb(r.stackBytes)} | ${r.toAdd} | ${kb(r.planBytes)} (${r.planLines} lines) | ${r.scriptLinesInPlan} | ${r.validateS.toFixed(2)} s | ${r.planS.toFixed(1)} s |`,
  );
  return [
    "## Plan output",
    "",
    "The reference lab's first plan, `terraform plan -refresh=false` with an empty state against the",
    "cloud twin (a bare cloud: the plan reads the image, flavor and external network and creates",
    "nothing), for the stack as synthesized and for the same stack with the push script embedded in",
    "each push as it was before the script became an asset (bench/plan-size.ts):",
    "",
    "| stack | cdk.tf.json | to add | plan output | lines of the script in the plan | validate | plan |",
    "|---|---|---|---|---|---|---|",
    ...body,
    "",
    rows.every((r) => r.scriptLinesInPlan === 0)
      ? "Terraform does not print provisioners in a plan, so the embedded script never reached the plan\noutput: the asset made cdk.tf.json smaller and validate faster (\"Toolchain\" above), not the plan."
      : "The embedded script shows in the plan (the column above); as an asset only its path and hash do.",
    "",
    "What did shrink the plan: the VerifyHook's trigger was the whole lab description, which Terraform",
    "prints expanded (`jsonencode({...})`); it is now the description's sha256. The same first plan",
    "with the description as the trigger: 78.9 kB, 1741 lines (2026-12-04, this bench).",
    "",
    `Measured ${date} (\`npm run bench -- --plan-only\`, root).`,
    "",
  ].join("\n");
}
