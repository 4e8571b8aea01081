import { existsSync, rmSync } from "fs";
import { runLab, type LabRunOptions, type LabRunResult } from "../../lib/twin/lab";
import { Twin, twinPrerequisitesSync } from "../../lib/twin/twin";

/**
 * `describe` when this machine can run a lab twin (root, packages, kernel features), else
 * `describe.skip` after ONE line naming what is missing. With DVR_LAB_REQUIRE_REAL=1 a machine that
 * cannot run it FAILS instead (CI runs as root and requires the real tests).
 */
export function describeTwin(title: string, body: () => void): void {
  const missing = twinPrerequisitesSync();
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
  // eslint-disable-next-line no-console
  console.warn(`dvr-lab: lab twin tests SKIPPED (${title}): this machine lacks ${missing.join(", ")}`);
  describe.skip(title, body);
}

/** Generous hang guard for one lab run (bring-up + verifier + teardown); not a timing assertion. */
export const LAB_RUN_GUARD_MS = 12 * 60 * 1000;

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

/**
 * KNOWN INTERMITTENT (docs/TWIN.md "Open: intermittent SNAT bypass"): on some healthy bring-ups
 * (about 3 in 8 here) the DVR SNAT request from a VM on a dvr node reaches the snat namespace
 * without passing its own node's qrouter; the verifier then rightly says INCONCLUSIVE for that one
 * direction. Until the cause is found, the healthy-lab tests tolerate exactly that: the request
 * direction of a distributed router's snat row may be "inconclusive" (never "fail"); every other
 * direction must pass. Each tolerated case is printed. Returns the directions that are not ok.
 */
export function unexpectedVerdicts(report: { rows: readonly any[] }): string[] {
  const bad: string[] = [];
  for (const row of report.rows) {
    for (const d of row.directions) {
      if (d.verdict === "pass") continue;
      const tolerated = row.kind === "snat" && row.distributed && d.direction === "request" && d.verdict === "inconclusive";
      if (tolerated) {
        // eslint-disable-next-line no-console
        console.warn(`dvr-lab: KNOWN INTERMITTENT tolerated: ${row.id} ${d.direction} inconclusive (docs/TWIN.md)`);
        continue;
      }
      bad.push(`${row.id} ${d.direction} ${d.verdict}`);
    }
  }
  return bad;
}
