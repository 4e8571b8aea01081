import { existsSync, rmSync } from "fs";
import { runLab, type LabRunOptions, type LabRunResult } from "../../lib/twin/lab";
import { Twin, twinPrerequisitesSync } from "../../lib/twin/twin";
import { findTerraformToolchain } from "../../lib/toolchain/terraform";

/**
 * `describe` when this machine can run a lab twin (root, packages, kernel features), else
 * `describe.skip` after ONE line naming what is missing. With DVR_LAB_REQUIRE_REAL=1 a machine that
 * cannot run it FAILS instead (CI runs as root and requires the real tests).
 */
export function describeTwin(title: string, body: () => void): void {
  // The real deploy needs the Terraform toolchain too (npm run setup).
  const tf = findTerraformToolchain();
  const missing = [...twinPrerequisitesSync(), ...(typeof tf === "string" ? [tf] : [])];
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  if (process.env.DVR_LAB_REQUIRE_REAL === "1") {
    describe(title, () => {
      test("machine can run the lab twin", () => {
        throw new Error(`DVR_LAB_REQUIRE_REAL=1 but this machine cannot run the lab twin: ${missing.join(", ")}`);
      });
    });
    return;
  }
  // Skipped silently: test/global-setup.ts has said once which real suites skip and why.
  describe.skip(title, body);
}

/** Generous hang guard for one lab run (bring-up + verifier + teardown); not a timing assertion. */
export const LAB_RUN_GUARD_MS = 20 * 60 * 1000;

/**
 * One lab run for a suite: `run()` in beforeAll, `cleanup()` in afterAll. The cleanup tears down
 * the twin and removes its state dir even when the run failed or jest gave up on it.
 */
export function labRun(name: string, opts: Omit<LabRunOptions, "name" | "onStateDir">) {
  let stateDir: string | undefined;
  let result: LabRunResult | undefined;
  const lines: string[] = [];
  return {
    async run(): Promise<LabRunResult> {
      result = await runLab({
        ...opts,
        name: `${name}-${process.pid}`,
        log: (l) => lines.push(l),
        onStateDir: (d) => (stateDir = d),
      });
      return result;
    },
    get result(): LabRunResult {
      if (!result) throw new Error(`lab run ${name} did not finish:\n${lines.slice(-30).join("\n")}`);
      return result;
    },
    log: lines,
    async cleanup(): Promise<void> {
      if (!stateDir) return;
      const t = Twin.attach(stateDir);
      if (t) await t.down().catch(() => undefined);
      if (existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** One line per failed run, for the assertion message. */
export function describeResult(r: LabRunResult, log: readonly string[]): string {
  return [
    `exit ${r.exitCode}${r.error ? `, error: ${r.error}` : ""}`,
    ...r.reports.map((rep, i) => `run ${i + 1}: ${rep.verdict}; ${rep.rows.map((x) => `${x.id}=${x.verdict}`).join(" ")}`),
    ...log.slice(-20),
  ].join("\n");
}

/** Every direction of the report that did not pass (a healthy twin has none). */
export function unexpectedVerdicts(report: { rows: readonly any[] }): string[] {
  return report.rows.flatMap((row) => row.directions.filter((d: any) => d.verdict !== "pass").map((d: any) => `${row.id} ${d.direction} ${d.verdict}: ${d.reasons?.[0] ?? ""}`));
}

/** Repairs of the bring-up that cleared a VM's ICMP redirect (the ordering should make them unnecessary). */
export function redirectRepairs(r: LabRunResult): string[] {
  return (r.twinRepairs ?? []).filter((l) => /ICMP redirect/.test(l));
}
