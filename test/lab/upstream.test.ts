/**
 * The upstream layout (examples/upstream-layout: net1 dvr_snat without VMs, com1 + com2 dvr) on the
 * twin, verified once (root).
 */
import { causes } from "../../lib/verify/report";
import { describeResult, describeTwin, LAB_RUN_GUARD_MS, labRun, unexpectedVerdicts } from "./support";

describeTwin("lab: upstream layout on the twin", () => {
  const lab = labRun("labtest-upstream", { layout: "upstream" });
  beforeAll(() => lab.run(), LAB_RUN_GUARD_MS);
  afterAll(() => lab.cleanup(), 60000);

  test("gate, structure and every row pass; nothing inconclusive beyond the documented intermittent direction", () => {
    const r = lab.result;
    expect([0, 3]).toContain(r.exitCode);
    const rep = r.reports[0];
    expect(rep.gate.ok).toBe(true);
    expect(rep.rows.map((x) => x.id)).toEqual(r.description!.rows.map((x) => x.id));
    expect({ unexpected: unexpectedVerdicts(rep), why: describeResult(r, lab.log) }).toMatchObject({ unexpected: [] });
    if (rep.verdict === "pass") expect(causes(rep)).toEqual([]);
    expect(r.description!.hosts.find((h) => h.name === "net1")?.runsVms).toBe(false);
  });
});
