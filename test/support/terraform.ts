import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { findTerraformToolchain, runTerraform, TerraformToolchain } from "../../lib/toolchain/terraform";

/**
 * `describe` when `npm run setup` has installed the Terraform toolchain, else `describe.skip` (the
 * one-line summary of skipped suites comes from test/global-setup.js). With DVR_LAB_REQUIRE_REAL=1 a
 * machine without the toolchain FAILS instead.
 */
export function describeTerraform(title: string, body: (t: () => TerraformToolchain) => void): void {
  const found = findTerraformToolchain();
  if (typeof found !== "string") {
    describe(`${title}: ${found.label}`, () => body(() => found));
    return;
  }
  if (process.env.DVR_LAB_REQUIRE_REAL === "1") {
    describe(title, () => {
      test("the Terraform toolchain is installed", () => {
        throw new Error(`DVR_LAB_REQUIRE_REAL=1 but ${found}`);
      });
    });
    return;
  }
  describe.skip(title, () => body(() => undefined as never));
}

export interface Validated {
  readonly init: { readonly status: number | null; readonly output: string };
  readonly valid: boolean;
  readonly diagnostics: { severity: string; summary: string; detail?: string }[];
  readonly dir: string;
}

/** A working folder holding `doc` as cdk.tf.json; removed by `cleanup()`. */
export function stackDir(doc: unknown): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "dvr-lab-tf-"));
  const copy = JSON.parse(JSON.stringify(doc));
  // cdktf writes the local backend's absolute path of the machine that synthesized; keep state here.
  if (copy.terraform?.backend?.local) copy.terraform.backend.local.path = "terraform.tfstate";
  writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(copy, null, 2));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `init` (offline, from the mirror) then `validate -json` of a synthesized document, in a fresh folder. */
export function initAndValidate(t: TerraformToolchain, doc: unknown, keep = false, env?: NodeJS.ProcessEnv): Validated {
  const { dir, cleanup } = stackDir(doc);
  try {
    const init = runTerraform(t, ["init", "-input=false", "-no-color", "-backend=false"], dir, env);
    const initOut = { status: init.status, output: `${init.stdout}${init.stderr}` };
    if (init.status !== 0) return { init: initOut, valid: false, diagnostics: [], dir };
    const v = runTerraform(t, ["validate", "-json", "-no-color"], dir, env);
    const parsed = JSON.parse(v.stdout);
    return { init: initOut, valid: parsed.valid === true, diagnostics: parsed.diagnostics ?? [], dir };
  } finally {
    if (!keep) cleanup();
  }
}
