/**
 * The user's path for real (root): the reference lab example (examples/reference-lab) deployed with
 * the REAL `cdktf deploy` (its app synthesizes the stack; Terraform CLI and terraform-provider-openstack
 * apply it) to the twin cloud (`dvr-lab lab`): the
 * stack's own remote-exec pushes over SSH with verified host keys, the tenant side through Keystone,
 * Neutron and Nova, the VerifyHook's local-exec, then a second verifier run (terraform apply -replace
 * of the hook), an empty second plan and a destroy that leaves nothing. Every row must pass both
 * times; none may be inconclusive.
 */
import { causes } from "../../lib/verify/report";
import { describeResult, describeTwin, LAB_RUN_GUARD_MS, labRun, redirectRepairs, unexpectedVerdicts } from "./support";

describeTwin("lab: reference lab deployed by real Terraform on the twin cloud, verified twice", () => {
  const lab = labRun("labtest-reference", { layout: "reference", runs: 2 });
  beforeAll(() => lab.run(), LAB_RUN_GUARD_MS);
  afterAll(() => lab.cleanup(), 60000);

  test("both verifier runs pass: gate, structure and every row", () => {
    const r = lab.result;
    expect({ exit: r.exitCode, error: r.error, why: describeResult(r, lab.log) }).toMatchObject({ exit: 0, error: undefined });
    expect(r.reports).toHaveLength(2);
    for (const rep of r.reports) {
      expect(rep.gate.ok).toBe(true);
      expect(rep.structureChecks.every((c: any) => c.ok)).toBe(true);
      expect(rep.rows.map((x) => x.id)).toEqual(r.description!.rows.map((x) => x.id));
      expect({ unexpected: unexpectedVerdicts(rep), why: describeResult(r, lab.log) }).toMatchObject({ unexpected: [] });
      expect(rep.verdict).toBe("pass");
      expect(causes(rep)).toEqual([]);
    }
    expect(r.exitCode).toBe(0);
    // The bring-up's ordering PREVENTS redirects; the repair that would clear one must not have been needed.
    expect(redirectRepairs(r)).toEqual([]);
  });

  test("cdktf deploy did it all, as the example's users run it: 42 resources applied, pushes by remote-exec, second plan empty, destroy left nothing", () => {
    const d = lab.result.deploy!;
    expect({ phases: d.phases.filter((p) => !p.ok), why: describeResult(lab.result, lab.log) }).toMatchObject({ phases: [] });
    expect(d.appliedWith).toBe("cdktf deploy");
    expect(d.phases.map((p) => p.name)).toEqual(["twin up", "cdktf deploy", "verify again", "plan again", "destroy", "leftovers", "twin down"]);
    expect(d.applied).toBe(42);
    expect(d.planAgain).toEqual({ add: 0, change: 0, remove: 0 });
    expect(d.leftovers).toEqual([]);
    expect(d.terraform).toMatch(/^(terraform|tofu) /);
    // The progress a person follows: counted resources with the phase's seconds, and the verifier's rows from the hook's output.
    expect(lab.log).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}cdktf deploy: \[\+\d+ s\] plan: 42 to add, 0 to change, 0 to destroy$/),
        expect.stringMatching(/^ {2}cdktf deploy: \[\+\d+ s\] \[\d+\/42\] created /),
        expect.stringMatching(/^ {2}cdktf deploy: \[\+\d+ s\] {3}\| \[verify\] row reference-dvr-cross-node: pass$/),
      ]),
    );
    // Of the hook's output only its progress is echoed: the report is printed once, after the phases.
    expect(lab.log.filter((l) => /\| {3}trace: /.test(l))).toEqual([]);
    expect(lab.log.some((l) => l.includes("terraform_data.DvrLab_com2_ConfigPush_") && l.includes("created"))).toBe(true);
  });

  test("no qrouter of the distributed router sends ICMP redirects; every VM routes via its gateway", () => {
    for (const rep of lab.result.reports) {
      const redirects = rep.structureChecks.filter((c) => c.id === "qrouter-redirects");
      // the DVR router's qrouter on com1 and com2 (both host its VMs)
      expect(redirects.map((c) => (c.target.kind === "qrouter" ? c.target.host : c.subject)).sort()).toEqual(["com1", "com2"]);
      expect(redirects.every((c) => c.ok)).toBe(true);
      for (const row of rep.rows) {
        expect(row.ping?.route).toMatch(/ dev eth0 /);
        expect(row.ping?.route).not.toMatch(/redirected/);
      }
    }
  });

  test("the gate checked exactly the agents the description lists (DHCP on com1 AND com2)", () => {
    const rep = lab.result.reports[0];
    const alive = rep.gate.checks.filter((c) => c.id === "agent-alive").map((c) => c.target).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const expected = lab.result.description!.hosts.flatMap((h) => h.agents.map((a) => ({ kind: "agent", agent: a, host: h.name }))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(alive).toEqual(expected);
    expect(alive).toEqual(expect.arrayContaining([{ kind: "agent", agent: "DHCP agent", host: "com1" }, { kind: "agent", agent: "DHCP agent", host: "com2" }]));
  });

  test("evidence: counters, marker captures and DVR MACs on the underlay", () => {
    const rep = lab.result.reports[0];
    const cross = rep.rows.find((x) => x.kind === "cross-node" && x.distributed)!;
    const req = cross.directions.find((d) => d.direction === "request")!;
    const com1 = rep.structure.find((s) => s.host === "com1")!;
    expect(com1.dvrMac).toMatch(/^fa:16:3f:/);
    expect(req.evidence.underlay.innerSources.map((s) => s.host)).toContain("com1");
    expect(req.evidence.namespaces.find((n) => n.expected)?.forwardedMarked).toBeGreaterThanOrEqual(5);
    expect(rep.structureChecks.length).toBeGreaterThan(0);
    expect(rep.structureChecks.every((c) => c.ok)).toBe(true);
  });
});
