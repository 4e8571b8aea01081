/**
 * The upstream layout (examples/upstream-layout: net1 dvr_snat without VMs, com1 + com2 dvr) deployed
 * by real Terraform on the twin cloud, verified once by its VerifyHook (root).
 */
import { causes } from "../../lib/verify/report";
import { describeResult, describeTwin, LAB_RUN_GUARD_MS, labRun, redirectRepairs, unexpectedVerdicts } from "./support";

describeTwin("lab: upstream layout deployed by real Terraform on the twin cloud", () => {
  const lab = labRun("labtest-upstream", { layout: "upstream" });
  beforeAll(() => lab.run(), LAB_RUN_GUARD_MS);
  afterAll(() => lab.cleanup(), 60000);

  test("gate, structure and every row pass; nothing inconclusive; no VM needed its redirect cleared", () => {
    const r = lab.result;
    const rep = r.reports[0];
    expect(rep.gate.ok).toBe(true);
    expect(rep.rows.map((x) => x.id)).toEqual(r.description!.rows.map((x) => x.id));
    expect({ unexpected: unexpectedVerdicts(rep), why: describeResult(r, lab.log) }).toMatchObject({ unexpected: [] });
    expect(rep.verdict).toBe("pass");
    expect(causes(rep)).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(redirectRepairs(r)).toEqual([]);
    expect(r.description!.hosts.find((h) => h.name === "net1")?.runsVms).toBe(false);
    expect(r.deploy?.planAgain).toEqual({ add: 0, change: 0, remove: 0 });
    expect(r.deploy?.leftovers).toEqual([]);
  });
});
