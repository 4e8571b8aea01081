/**
 * The real cdktf CLI (cdktf-cli 0.21.0, a devDependency) runs the project's cdktf.json app and
 * writes the same stacks as `npm run synth` does.
 */
import { spawnSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const root = join(__dirname, "../..");
const env = { ...process.env, CHECKPOINT_DISABLE: "1", CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1", CI: "1", FORCE_COLOR: "0" };

function stacks(outdir: string): Record<string, string> {
  const dir = join(outdir, "stacks");
  return Object.fromEntries(readdirSync(dir).sort().map((s) => [s, readFileSync(join(dir, s, "cdk.tf.json"), "utf8")]));
}

test("`cdktf synth` (real cdktf CLI, the project's cdktf.json) writes the same stacks as `npm run synth`", () => {
  const viaCli = mkdtempSync(join(tmpdir(), "dvr-lab-cdktf-cli-"));
  const viaApp = mkdtempSync(join(tmpdir(), "dvr-lab-app-"));
  try {
    const cli = spawnSync(join(root, "node_modules/.bin/cdktf"), ["synth", "--output", viaCli], { cwd: root, env, encoding: "utf8" });
    expect(`${cli.status} ${cli.stderr}`).toMatch(/^0 /);
    expect(cli.stdout).toContain("Generated Terraform code for the stacks: reference-lab, upstream-layout");
    // What `npm run synth` runs after its build (the same app), into its own folder.
    const app = spawnSync("node", [join(root, "dist/examples/main.js")], { cwd: root, env: { ...env, CDKTF_OUTDIR: viaApp }, encoding: "utf8" });
    expect(`${app.status} ${app.stderr}`).toMatch(/^0 /);
    const a = stacks(viaCli);
    expect(Object.keys(a)).toEqual(["reference-lab", "upstream-layout"]);
    expect(a).toEqual(stacks(viaApp));
  } finally {
    rmSync(viaCli, { recursive: true, force: true });
    rmSync(viaApp, { recursive: true, force: true });
  }
}, 180_000);
