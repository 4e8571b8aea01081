/**
 * The Terraform toolchain's costs, for BENCHMARKS.md's "Toolchain" section (`npm run bench -- --toolchain-only`, root):
 * - `npm run setup` of the Go-built part (provider, CLI choice, CLI config) into a scratch tools dir
 *   with EMPTY Go module and build caches (a fresh machine's first run), then again (the second run);
 *   and the whole `npm run setup` (apt check included) on this already set-up machine;
 * - `terraform init` (from the mirror) and `terraform validate` of the reference lab and of a
 *   200-compute lab, with the toolchain `npm run setup` installed.
 */
import { spawnSync } from "child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App } from "cdktf";
import { terraformToolchain, runTerraform } from "../lib/toolchain/terraform";
import { buildConstructsLab } from "./constructs-lab";
import { BenchSize } from "./shape";

const ROOT = join(__dirname, "..", "..");

export interface ToolchainResult {
  readonly setupColdS: number;
  readonly setupWarmS: number;
  readonly setupFullS: number;
  readonly cli: string;
  readonly validate: { readonly size: string; readonly bytes: number; readonly initS: number; readonly validateS: number; readonly valid: boolean }[];
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, log: (l: string) => void): number {
  const t = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr || r.stdout}`);
  for (const l of r.stdout.split("\n").filter((x) => x.startsWith("setup: ready"))) log(`    ${l}`);
  return (Date.now() - t) / 1000;
}

export function benchToolchain(log: (l: string) => void): ToolchainResult {
  const scratch = mkdtempSync(join(tmpdir(), "dvr-lab-bench-tools-"));
  try {
    const env = {
      ...process.env,
      DVR_LAB_TOOLS: join(scratch, "tools"),
      DVR_LAB_SKIP_APT: "1",
      GOMODCACHE: join(scratch, "gomod"),
      GOCACHE: join(scratch, "gocache"),
    };
    log("  npm run setup, Go part, empty Go caches (first run) ...");
    const setupColdS = timed("bash", ["scripts/setup.sh"], env, log);
    log("  again (second run) ...");
    const setupWarmS = timed("bash", ["scripts/setup.sh"], env, log);
    spawnSync("chmod", ["-R", "u+w", scratch]); // the Go module cache is read-only
    log("  npm run setup on this machine (apt check included) ...");
    const setupFullS = timed("bash", ["scripts/setup.sh"], process.env, log);
    const t = terraformToolchain();
    const validate = (["reference", 200] as BenchSize[]).map((size) => {
      const dir = mkdtempSync(join(tmpdir(), "dvr-lab-bench-validate-"));
      try {
        const app = new App({ outdir: join(dir, "out") });
        buildConstructsLab(app, size);
        app.synth();
        const stackDir = join(dir, "out", "stacks", readdirOne(join(dir, "out", "stacks")));
        const bytes = statSync(join(stackDir, "cdk.tf.json")).size;
        // The generated labs read the SSH key with file("~/.ssh/id_ed25519"), which validate evaluates:
        // give it a HOME with a placeholder file there (never a key).
        const home = join(dir, "home");
        mkdirSync(join(home, ".ssh"), { recursive: true });
        writeFileSync(join(home, ".ssh", "id_ed25519"), "placeholder for terraform validate\n");
        const env = { ...process.env, HOME: home };
        let t0 = Date.now();
        const init = runTerraform(t, ["init", "-input=false", "-no-color", "-backend=false"], stackDir, env);
        if (init.status !== 0) throw new Error(`init failed: ${init.stdout}${init.stderr}`);
        const initS = (Date.now() - t0) / 1000;
        t0 = Date.now();
        const v = runTerraform(t, ["validate", "-json", "-no-color"], stackDir, env);
        const validateS = (Date.now() - t0) / 1000;
        const parsed = JSON.parse(v.stdout);
        const valid = parsed.valid === true;
        if (!valid) log(`    ${parsed.diagnostics.map((d: { summary: string; detail?: string }) => `${d.summary}: ${d.detail ?? ""}`).slice(0, 3).join(" | ")}`);
        log(`  ${String(size)}: ${(bytes / 1e6).toFixed(2)} MB, init ${initS.toFixed(2)} s, validate ${validateS.toFixed(2)} s, valid ${valid}`);
        return { size: size === "reference" ? "reference lab" : `${size} computes`, bytes, initS, validateS, valid };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    return { setupColdS, setupWarmS, setupFullS, cli: t.label, validate };
  } finally {
    spawnSync("chmod", ["-R", "u+w", scratch]);
    rmSync(scratch, { recursive: true, force: true });
  }
}

function readdirOne(dir: string): string {
  const entries = readdirSync(dir);
  if (entries.length !== 1) throw new Error(`expected one stack in ${dir}, found ${entries.join(", ")}`);
  return entries[0];
}

export function toolchainSection(r: ToolchainResult, date: string): string {
  const rows = r.validate.map((v) => `| ${v.size} | ${(v.bytes / 1e6).toFixed(2)} MB | ${v.initS.toFixed(2)} s | ${v.validateS.toFixed(2)} s | ${v.valid ? "valid" : "INVALID"} |`);
  return `## Toolchain

\`npm run setup\` (root). The Go-built part (terraform-provider-openstack 3.4.0 with \`go install\`, the
CLI choice, the CLI config) measured into a scratch tools dir with empty Go module and build caches,
as on a fresh machine, then a second time; and the whole setup (the Debian package check included)
on this already set-up machine. The Debian packages themselves took 146 s on a fresh machine of
this kind (16 packages, the first \`npm run setup\` of 2026-12-01; apt is not re-measured here: it
cannot be undone).

| setup | seconds |
|---|---|
| first run, Go part (download + build of the provider, empty caches) | ${r.setupColdS.toFixed(1)} |
| second run, Go part (nothing to do) | ${r.setupWarmS.toFixed(1)} |
| second run, whole setup (apt check included) | ${r.setupFullS.toFixed(1)} |

\`terraform init\` (offline, from the mirror) and \`terraform validate\` with ${r.cli}:

| stack | cdk.tf.json | init | validate | result |
|---|---|---|---|---|
${rows.join("\n")}

Before the push script became a stack asset (it was embedded in every push), the same run gave:
reference lab 0.14 MB, validate 1.98 s; 200 computes 6.90 MB, validate 25.3 s (2026-12-01, machine
loaded). \`terraform plan -refresh=false\` on the cloud twin (a cloud, so not in this bench): docs/CLOUD-TWIN.md §9.

Measured ${date} (\`npm run bench -- --toolchain-only\`).

`;
}

export function replaceSection(markdownText: string, heading: string, section: string): string {
  const a = markdownText.indexOf(heading);
  const b = a < 0 ? -1 : markdownText.indexOf("\n## ", a + heading.length);
  return a < 0 ? `${markdownText.trimEnd()}\n\n${section}` : `${markdownText.slice(0, a)}${section}${b < 0 ? "" : markdownText.slice(b + 1)}`;
}
