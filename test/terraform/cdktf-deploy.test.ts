/**
 * The REAL `cdktf deploy` (cdktf-cli 0.21.0) through lib/toolchain/cdktf-run.ts, as the lab runs it
 * on an example (DeployOptions.cdktfApp): the project's Terraform toolchain (TERRAFORM_BINARY_NAME,
 * the mirror-only CLI config), `--skip-provider-lock`, a variable from TF_VAR_*, the default local
 * state in the project folder, and the progress read back from cdktf's own output. A tiny app of
 * terraform_data resources with local-execs (fixtures/tiny-cdktf-app.js): no cloud needed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { runCdktfDeploy } from "../../lib/toolchain/cdktf-run";
import { newTally, progressLines } from "../../lib/toolchain/terraform-run";
import { describeTerraform } from "../support/terraform";

describeTerraform("real cdktf deploy", (toolchain) => {
  let project: string;
  beforeEach(() => {
    project = mkdtempSync(join(tmpdir(), "dvr-lab-cdktf-deploy-"));
    const app = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(__dirname, "fixtures", "tiny-cdktf-app.js"))}`;
    writeFileSync(join(project, "cdktf.json"), JSON.stringify({ language: "typescript", app, output: "cdktf.out", sendCrashReports: "false", terraformProviders: [] }));
  });
  afterEach(() => rmSync(project, { recursive: true, force: true }));

  const deploy = async (env: NodeJS.ProcessEnv) => {
    const tally = newTally();
    const lines: string[] = [];
    const logFile = join(project, "deploy.log");
    const code = await runCdktfDeploy(toolchain(), {
      projectDir: project,
      stack: "tiny",
      env: { ...process.env, TF_VAR_greeting: "hi", TF_DATA_DIR: join(project, "tf-data"), ...env },
      logFile,
      onEvent: (e) => lines.push(...progressLines(tally, e, (a) => a === "terraform_data.d1")),
    });
    return { code, tally, lines, log: readFileSync(logFile, "utf8") };
  };

  test("deploys: every resource counted as it completes, the provisioner's output, the state in the project folder; a second deploy changes nothing", async () => {
    const first = await deploy({});
    expect(`${first.code}\n${first.log.slice(-1500)}`).toMatch(/^0\n/);
    expect(first.lines).toContain("plan: 3 to add, 0 to change, 0 to destroy");
    expect(first.lines.filter((l) => /^\[\d\/3\] created terraform_data\.d\d \(\d+ s\)$/.test(l))).toHaveLength(3);
    expect(first.lines).toContain("  | hello 1");
    expect(first.lines).toContain("apply: 3 added, 0 changed, 0 destroyed");
    expect(first.log).toContain("$ cdktf deploy tiny --auto-approve --skip-provider-lock --no-color");
    expect(first.log).not.toMatch(/\x1b\[/); // --no-color
    expect(existsSync(join(project, "terraform.tiny.tfstate"))).toBe(true);
    const state = JSON.parse(readFileSync(join(project, "terraform.tiny.tfstate"), "utf8")) as { resources: unknown[] };
    expect(state.resources).toHaveLength(3);
    const second = await deploy({});
    expect(second.code).toBe(0);
    expect(second.tally.completed.size).toBe(0);
    expect(second.log).toMatch(/No changes/);
  }, 240_000);

  test("a failing provisioner fails the deploy with Terraform's error", async () => {
    const r = await deploy({ TINY_FAIL: "1" });
    expect(r.code).not.toBe(0);
    expect(r.tally.errors.join("\n")).toMatch(/local-exec provisioner error/);
    expect(r.lines).toContain("error: local-exec provisioner error");
  }, 240_000);
});
