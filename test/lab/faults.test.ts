/**
 * Every fault as a REAL deviation of a lab that real Terraform deployed on the twin cloud, all on ONE
 * deploy (root): each fault goes in (an edited copy of the stack applied, a change on a node, or
 * through the Neutron API), the stack's own VerifyHook re-runs and must fail with the cause NAMED,
 * the fault is undone; after the last one the hook passes again, the second plan is empty and the
 * destroy leaves nothing (docs/TWIN.md "Faults").
 */
import { rowDiagram } from "../../lib/verify/diagram";
import { causes } from "../../lib/verify/report";
import { FAULT_NAMES } from "../../lib/twin/faults";
import { describeResult, describeTwin, LAB_RUN_GUARD_MS, labRun } from "./support";

const CASES: { fault: string; cause: RegExp }[] = [
  { fault: "legacy-instead-of-dvr", cause: /^router reference-dvr is distributed=false, the description says distributed=true$/m },
  { fault: "l3-agent-down", cause: /^no L3 agent alive on com2$/m },
  { fault: "no-dvr-flows", cause: /^com2 OVS agent enable_distributed_routing=False, expected enable_distributed_routing=True$/m },
  { fault: "vm-on-wrong-host", cause: /^VM reference-dvr-a-com2 \(198\.51\.100\.10\) bound to com1, expected com2$/m },
  // The agents booted before the push without l2population and built their tunnel ports then: the
  // ports exist, but with the server not sending forwarding entries no flow uses them.
  { fault: "no-l2pop-server", cause: /^no VXLAN tunnel com1 -> com2: VXLAN port \S+ to 192\.0\.2\.12 \(ofport \d+\) exists, but no br-tun flow outputs to it/m },
  { fault: "qrouter-redirects", cause: /^com2 qrouter of reference-dvr \(qrouter-[0-9a-f]{8}…\) sends ICMP redirects: its VMs' SNAT traffic is redirected straight to the snat namespace/m },
  { fault: "qrouter-no-forwarding", cause: /^com2 qrouter of reference-dvr \(qrouter-[0-9a-f]{8}…\) forwards nothing: net\.ipv4\.ip_forward=0 in the namespace$/m },
  { fault: "qrouter-firewall-drop", cause: /^com2 qrouter of reference-dvr \(qrouter-[0-9a-f]{8}…\) drops what it routes: iptables -A FORWARD -j DROP$/m },
  { fault: "vm-port-dead-vlan", cause: /^VM reference-dvr-b-com2 \(198\.51\.100\.74\): port tap[0-9a-f-]{11} on com2's br-int has tag 4095, the OVS agent's dead VLAN/m },
  { fault: "qrouter-port-down", cause: /^com2 qrouter of reference-dvr \(qrouter-[0-9a-f]{8}…\) routes through a down interface: qr-[0-9a-f-]{11} administratively down/m },
];

describeTwin("lab faults, all on one real deploy", () => {
  const lab = labRun("labtest-faults", { layout: "reference", faults: [...FAULT_NAMES] });
  // One bring-up, every fault (each: inject, the hook, undo), the healthy hook, plan, destroy.
  beforeAll(() => lab.run(), 2 * LAB_RUN_GUARD_MS);
  afterAll(() => lab.cleanup(), 60000);

  test("every fault caught, the lab healthy again, the second plan empty, nothing left: exit 0", () => {
    const r = lab.result;
    expect({ exit: r.exitCode, why: describeResult(r, lab.log) }).toMatchObject({ exit: 0 });
    expect(r.error).toBeUndefined();
    expect(r.faults?.map((f) => [f.name, f.caught])).toEqual([
      // The fault that needs a cloud that never had the setting goes in with the first apply.
      ["no-l2pop-server", true],
      ...FAULT_NAMES.filter((f) => f !== "no-l2pop-server").map((f) => [f, true]),
    ]);
    expect(r.deploy?.phases.map((p) => p.name)).toEqual([
      "twin up",
      "init",
      "apply",
      "undo no-l2pop-server",
      ...FAULT_NAMES.filter((f) => f !== "no-l2pop-server").flatMap((f) => [`fault ${f}`, `undo ${f}`]),
      "healthy again",
      "plan again",
      "destroy",
      "leftovers",
      "twin down",
    ]);
    expect(r.deploy?.phases.filter((p) => !p.ok)).toEqual([]);
    expect(r.deploy?.planAgain).toEqual({ add: 0, change: 0, remove: 0 });
    expect(r.deploy?.leftovers).toEqual([]);
    // The last report is the healthy one, after every undo.
    const last = r.reports[r.reports.length - 1];
    expect(last.verdict).toBe("pass");
    expect(r.reports).toHaveLength(FAULT_NAMES.length + 1);
  });

  test.each(CASES)("$fault: caught with its cause, and only its own (the previous fault was undone)", ({ fault, cause }) => {
    const f = lab.result.faults?.find((x) => x.name === fault);
    expect(f?.injected.length).toBeGreaterThan(0);
    expect(f?.undone.length).toBeGreaterThan(0);
    const rep = f!.report!;
    expect(rep.verdict).toBe("fail");
    const text = causes(rep).join("\n");
    expect(text).toMatch(cause);
    for (const other of CASES.filter((c) => c.fault !== fault)) expect([other.fault, other.cause.test(text)]).toEqual([other.fault, false]);
    if (fault === "qrouter-no-forwarding") {
      // The hop trace: the same-node request came in on com2's qrouter and went nowhere: FAIL at that
      // hop (not "lost before any router"), and the row's picture marks it.
      const same = rep.rows.find((x) => x.kind === "same-node" && x.distributed)!;
      const req = same.directions.find((d) => d.direction === "request")!;
      expect(req.verdict).toBe("fail");
      expect(req.reasons[0]).toMatch(/^broken at com2 qrouter \(qrouter-[0-9a-f-]+\): \d+ marker packets in on qr-[0-9a-f-]+, 0 out$/);
      expect(rowDiagram(same, rep.settings.minForwarded)).toMatch(/^ {2}class (\S+,)?ns_com2_qrouter_[0-9a-f_]+(,\S+)? broken$/m);
    }
    if (fault === "qrouter-firewall-drop") {
      // Located at the router, with the hop's cause right after it.
      const same = rep.rows.find((x) => x.kind === "same-node" && x.distributed)!;
      const req = same.directions.find((d) => d.direction === "request")!;
      expect(req.verdict).toBe("fail");
      expect(req.reasons[0]).toMatch(/^broken at com2 qrouter \(qrouter-[0-9a-f-]+\): \d+ marker packets in on qr-[0-9a-f-]+, 0 out$/);
      expect(req.reasons[1]).toMatch(/^cause at that hop: com2 qrouter of reference-dvr \(qrouter-[0-9a-f]{8}…\) drops what it routes: iptables -A FORWARD -j DROP$/);
    }
    if (fault === "vm-port-dead-vlan") {
      // The trace follows the markers past the router that routed them to the VM's port, where
      // they stop: a break no router namespace shows (the routing itself was right).
      const same = rep.rows.find((x) => x.kind === "same-node" && x.distributed)!;
      const req = same.directions.find((d) => d.direction === "request")!;
      expect(req.verdict).toBe("fail");
      expect(req.observed).toEqual(["com2 qrouter"]);
      const i = req.reasons.findIndex((r) => r.startsWith("broken"));
      expect(req.reasons[i]).toMatch(/^broken between com2 qrouter \(qrouter-[0-9a-f-]+\) and com2 VM reference-dvr-b-com2 port tap[0-9a-f-]{11}: \d+ marker packets out, 0 reached the VM$/);
      expect(req.reasons[i + 1]).toMatch(/^cause at that hop: VM reference-dvr-b-com2 \(198\.51\.100\.74\): port tap[0-9a-f-]{11} on com2's br-int has tag 4095/);
      expect(req.trace?.map((t) => [t.kind, t.stage, (t.count ?? -1) > 0])).toEqual([
        ["vm-port", "sent", true],
        ["namespace", "in", true],
        ["namespace", "out", true],
        ["vm-port", "received", false],
      ]);
      // OVS's own answer at that break: the router's frame to the VM's MAC is not output to its port.
      expect(req.reasons[i + 2]).toMatch(
        /^ofproto\/trace on com2 br-int \(from the router's port on reference-dvr-b tap[0-9a-f-]{11}: in_port=tap[0-9a-f-]{11},dl_src=[0-9a-f:]{17},dl_dst=[0-9a-f:]{17},.*\): OVS does not output it to VM reference-dvr-b-com2's port tap[0-9a-f-]{11}; Datapath actions: /,
      );
      expect(req.ofproto).toMatchObject({ host: "com2", bridge: "br-int", reachesTarget: false });
    }
    if (fault === "qrouter-firewall-drop" || fault === "qrouter-no-forwarding") {
      // A break inside a namespace is the kernel's, not OVS's: no ofproto/trace claimed there.
      const broken = rep.rows.flatMap((x) => x.directions).filter((x) => x.break);
      expect(broken.length).toBeGreaterThan(0);
      for (const x of broken) expect(x.ofproto).toBeUndefined();
    }
    if (fault === "qrouter-redirects") {
      // The redirect really happened: the SNAT VM's route names it, and the request is not a DVR path.
      const snat = rep.rows.find((x) => x.kind === "snat" && x.distributed)!;
      const req = snat.directions.find((d) => d.direction === "request")!;
      expect(req.verdict).not.toBe("pass");
      expect(req.reasons[0]).toMatch(/^VM reference-dvr-b-com2 routes 203\.0\.113\.1 \(external\) via 198\.51\.100\.\d+, not its gateway 198\.51\.100\.65 \(its kernel holds an ICMP redirect/);
      // The report's picture of that row marks the break: com2's qrouter, which the redirected
      // markers bypassed.
      expect(rowDiagram(snat, rep.settings.minForwarded)).toMatch(/^ {2}class (\S+,)?ns_com2_qrouter_[0-9a-f_]+(,\S+)? broken$/m);
    }
  });
});
