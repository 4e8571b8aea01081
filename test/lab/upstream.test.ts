/**
 * The upstream layout (examples/upstream-layout: net1 dvr_snat without VMs, com1 + com2 dvr) on the
 * twin, verified once (root).
 */
import { causes } from "../../lib/verify/report";
import { describeResult, describeTwin, LAB_RUN_GUARD_MS, labRun } from "./support";

describeTwin("lab: upstream layout on the twin", () => {
  const lab = labRun("labtest-upstream", { layout: "upstream" });
  beforeAll(() => lab.run(), LAB_RUN_GUARD_MS);
  afterAll(() => lab.cleanup(), 60000);

  test("gate, structure and every row pass; nothing inconclusive", () => {
    const r = lab.result;
    expect({ exit: r.exitCode, why: describeResult(r, lab.log) }).toMatchObject({ exit: 0 });
    const rep = r.reports[0];
    expect(causes(rep)).toEqual([]);
    expect(rep.rows.map((x) => [x.id, x.verdict])).toEqual(r.description!.rows.map((x) => [x.id, "pass"]));
    expect(r.description!.hosts.find((h) => h.name === "net1")?.runsVms).toBe(false);
  });
});
