/**
 * The plan-size bench's stack edit (the push script embedded as it was before it became an asset)
 * and its section text (bench/plan-size.ts; the measurement itself needs root and the cloud twin).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { embedScript, planSizeSection, PlanSizeRow } from "../bench/plan-size";
import { pushesOf, synthReference } from "./support/synth";

test("embedScript puts the asset's text into every push's file provisioner and leaves the stack it was given alone", () => {
  const doc = synthReference();
  const dir = mkdtempSync(join(tmpdir(), "dvr-lab-plan-size-"));
  try {
    const source: string = pushesOf(doc)[0][1].provisioner[0].file.source;
    mkdirSync(join(dir, source, ".."), { recursive: true });
    writeFileSync(join(dir, source), "#!/usr/bin/env python3\ndef push(doc):\n    pass\n");
    const embedded = embedScript(doc, dir);
    for (const [, r] of pushesOf(embedded)) {
      expect(r.provisioner[0].file).toEqual({ content: "#!/usr/bin/env python3\ndef push(doc):\n    pass\n", destination: "/tmp/dvr-lab-push.py" });
    }
    for (const [, r] of pushesOf(doc)) expect(r.provisioner[0].file.source).toBe(source);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the section says whether the script reached the plan, from the measured rows", () => {
  const row = (variant: PlanSizeRow["variant"], scriptLinesInPlan: number): PlanSizeRow => ({
    variant,
    stackBytes: 72000,
    planBytes: 78900,
    planLines: 1741,
    scriptLinesInPlan,
    toAdd: 42,
    validateS: 0.3,
    planS: 1.1,
  });
  expect(planSizeSection([row("asset", 0), row("embedded", 0)], "D")).toContain("Terraform does not print provisioners in a plan");
  expect(planSizeSection([row("asset", 0), row("embedded", 3)], "D")).toContain("The embedded script shows in the plan");
  expect(planSizeSection([row("asset", 0)], "D")).toContain("| 72.0 kB | 42 | 78.9 kB (1741 lines) | 0 | 0.30 s | 1.1 s |");
});
