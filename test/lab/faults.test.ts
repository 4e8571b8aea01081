/**
 * Real misconfigurations on the twin (root), one bring-up each: every fault must end in a non-zero
 * verdict whose evidence NAMES the cause (docs/TWIN.md "Faults" shows the observed output).
 */
import { causes } from "../../lib/verify/report";
import { describeResult, describeTwin, LAB_RUN_GUARD_MS, labRun } from "./support";

const CASES: { fault: string; cause: RegExp }[] = [
  { fault: "legacy-instead-of-dvr", cause: /^router reference-dvr is distributed=false, the description says distributed=true$/m },
  { fault: "l3-agent-down", cause: /^no L3 agent alive on com2$/m },
  { fault: "no-dvr-flows", cause: /^com2 OVS agent enable_distributed_routing=False, expected enable_distributed_routing=True$/m },
  { fault: "vm-on-wrong-host", cause: /^VM reference-dvr-a-com2 \(198\.51\.100\.10\) bound to com1, expected com2$/m },
  { fault: "no-l2pop-server", cause: /^no VXLAN tunnel com1 -> com2: no VXLAN port to 192\.0\.2\.12/m },
  { fault: "qrouter-redirects", cause: /^com2 qrouter of reference-dvr \(qrouter-[0-9a-f]{8}…\) sends ICMP redirects: its VMs' SNAT traffic is redirected straight to the snat namespace/m },
];

for (const c of CASES) {
  describeTwin(`lab fault ${c.fault}`, () => {
    const lab = labRun(`labtest-${c.fault}`, { layout: "reference", fault: c.fault });
    beforeAll(() => lab.run(), LAB_RUN_GUARD_MS);
    afterAll(() => lab.cleanup(), 60000);

    test("caught: exit 1, verdict fail, the cause named in the evidence", () => {
      const r = lab.result;
      expect(r.error).toBeUndefined();
      expect(r.fault?.name).toBe(c.fault);
      expect({ exit: r.exitCode, why: describeResult(r, lab.log) }).toMatchObject({ exit: 1 });
      const rep = r.reports[0];
      expect(rep.verdict).toBe("fail");
      expect(causes(rep).join("\n")).toMatch(c.cause);
      if (c.fault === "qrouter-redirects") {
        // The redirect really happened: the SNAT VM's route names it, and the request is not a DVR path.
        const snat = rep.rows.find((x) => x.kind === "snat" && x.distributed)!;
        const req = snat.directions.find((d) => d.direction === "request")!;
        expect(req.verdict).not.toBe("pass");
        expect(req.reasons[0]).toMatch(/^VM reference-dvr-b-com2 routes 203\.0\.113\.1 \(external\) via 198\.51\.100\.\d+, not its gateway 198\.51\.100\.65 \(its kernel holds an ICMP redirect/);
      }
    });
  });
}
