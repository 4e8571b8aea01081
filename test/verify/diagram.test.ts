/** The report's Mermaid picture of a row: hosts as boxes, the hops of each direction, the break in red. */
import { rowDiagram } from "../../lib/verify/diagram";
import { renderMarkdown } from "../../lib/verify/report";
import type { Report, RowResult } from "../../lib/verify/run";
import type { DirectionResult, NamespaceEvidence } from "../../lib/verify/verdict";

const ns = (host: string, kind: "qrouter" | "snat" | "fip", forwardedMarked: number, expected = true, namespace = `${kind}-aaaa`): NamespaceEvidence => ({
  host,
  namespace,
  kind,
  owner: "r-dvr",
  expected,
  delta: forwardedMarked,
  forwardedMarked,
  counterConfirms: true,
});
const dir = (direction: "request" | "reply", expected: string[], verdict: DirectionResult["verdict"], namespaces: NamespaceEvidence[]): DirectionResult => ({
  direction,
  from: "a",
  to: "b",
  expected,
  observed: [],
  verdict,
  reasons: [],
  evidence: { namespaces, underlay: { frames: 0, innerSources: [], vnis: [] } },
});
const row = (over: Partial<RowResult>): RowResult => ({
  id: "r-dvr-snat",
  kind: "snat",
  router: "r-dvr",
  distributed: true,
  source: "vm-b-com2",
  target: "external",
  nodes: "com2 -> external",
  subnets: "b -> public",
  marker: { payloadSize: 1111, ipLength: 1139 },
  window: 1,
  windowCounters: [],
  windowRows: [],
  ping: { key: "r-dvr-snat", ran: true, transmitted: 5, received: 5, output: "" },
  directions: [],
  verdict: "pass",
  ...over,
} as RowResult);

/** `class <ids> <name>` lines of a diagram, as name -> ids. */
function classes(mermaid: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of mermaid.matchAll(/^ {2}class (\S+) (\w+)$/gm)) out[m[2]] = m[1].split(",");
  return out;
}

describe("rowDiagram", () => {
  test("a passing SNAT row: the VM on its host box, the hops green, request solid, reply dotted", () => {
    const m = rowDiagram(
      row({
        directions: [dir("request", ["com2 qrouter", "com1 snat"], "pass", [ns("com2", "qrouter", 5), ns("com1", "snat", 5)]), dir("reply", ["com1 snat"], "pass", [ns("com1", "snat", 5)])],
      }),
      5,
    );
    expect(m.split("\n")[0]).toBe("flowchart LR");
    expect(m).toContain('  subgraph host_com2["com2"]\n    vm_vm_b_com2["VM vm-b-com2"]\n    ns_com2_qrouter_aaaa["com2 qrouter (r-dvr)<br/>request 5 fwd"]\n  end');
    expect(m).toContain('ns_com1_snat_aaaa["com1 snat (r-dvr)<br/>request 5 fwd; reply 5 fwd"]');
    expect(m).toContain('  external(["external network"])');
    expect(m).toContain('  vm_vm_b_com2 -->|"request PASS"| ns_com2_qrouter_aaaa\n  ns_com2_qrouter_aaaa --> ns_com1_snat_aaaa\n  ns_com1_snat_aaaa --> external');
    expect(m).toContain('  external -.->|"reply PASS"| ns_com1_snat_aaaa\n  ns_com1_snat_aaaa -.-> vm_vm_b_com2');
    expect(classes(m)).toEqual({ vm: ["vm_vm_b_com2"], ok: ["ns_com2_qrouter_aaaa", "ns_com1_snat_aaaa"] });
    expect(m).not.toContain("linkStyle");
  });

  test("the first expected hop that did not forward its markers is red; later ones grey", () => {
    // qrouter-redirects: the VM's packets bypass its qrouter (3 of 5 forwarded), straight to snat.
    const m = rowDiagram(row({ verdict: "fail", directions: [dir("request", ["com2 qrouter", "com1 snat"], "fail", [ns("com2", "qrouter", 3), ns("com1", "snat", 5)])] }), 5);
    expect(classes(m)).toMatchObject({ broken: ["ns_com2_qrouter_aaaa"], ok: ["ns_com1_snat_aaaa"] });
    expect(m).toContain('|"request FAIL"|');
    const grey = rowDiagram(row({ verdict: "fail", directions: [dir("request", ["com2 qrouter", "com1 snat"], "fail", [ns("com2", "qrouter", 0), ns("com1", "snat", 0)])] }), 5);
    expect(classes(grey)).toMatchObject({ broken: ["ns_com2_qrouter_aaaa"], idle: ["ns_com1_snat_aaaa"] });
  });

  test("a namespace the description does not expect that forwarded the markers is orange (routed at the wrong place)", () => {
    // legacy-instead-of-dvr: com1's qrouter routes what com2's should.
    const m = rowDiagram(
      row({ id: "same", kind: "same-node", target: "vm-a-com2", nodes: "com2 -> com2", verdict: "fail", directions: [dir("request", ["com2 qrouter"], "fail", [ns("com2", "qrouter", 0), ns("com1", "qrouter", 5, false, "qrouter-bbbb")])] }),
      5,
    );
    expect(classes(m)).toMatchObject({ broken: ["ns_com2_qrouter_aaaa"], stray: ["ns_com1_qrouter_bbbb"], vm: ["vm_vm_b_com2", "vm_vm_a_com2"] });
    expect(m).toContain('  subgraph host_com1["com1"]\n    ns_com1_qrouter_bbbb["com1 qrouter (r-dvr)<br/>request 5 fwd"]\n  end');
  });

  test("an arrow between hosts without a VXLAN tunnel in use is red; a ping that never ran marks no hop as the break", () => {
    const m = rowDiagram(
      row({ verdict: "fail", ping: { key: "x", ran: false, transmitted: 0, received: 0, output: "" }, directions: [dir("request", ["com2 qrouter", "com1 snat"], "fail", [ns("com2", "qrouter", 0), ns("com1", "snat", 0)])] }),
      5,
      new Set(["com2>com1"]),
    );
    expect(m).toContain('  ns_com2_qrouter_aaaa -->|"no VXLAN tunnel in use"| ns_com1_snat_aaaa');
    expect(m).toContain("  linkStyle 1 stroke:#c62828,stroke-width:3px");
    expect(classes(m).broken).toBeUndefined();
  });

  test("labels carry no quote or markup of their own", () => {
    const m = rowDiagram(row({ source: 'vm "x" <b>', directions: [dir("request", ["com2 qrouter"], "pass", [ns("com2", "qrouter", 5)])] }), 5);
    expect(m).toContain(`vm_vm__x___b_["VM vm 'x' 'b'"]`);
  });

  test("renderMarkdown puts each measured row's diagram after its text evidence; an unmeasured row gets none", () => {
    const measured = row({ directions: [dir("request", ["com2 qrouter"], "pass", [ns("com2", "qrouter", 5)])] });
    const unmeasured = row({ id: "gate-failed", directions: [dir("request", ["com2 qrouter"], "inconclusive", [])] });
    const report = {
      schema: "dvr-lab/verify-report@1",
      lab: "x",
      release: "zed",
      startedAt: "",
      finishedAt: "",
      settings: { pings: 5, minForwarded: 5, window: "all" },
      gate: { ok: true, checks: [] },
      structure: [],
      structureChecks: [],
      rows: [measured, unmeasured],
      verdict: "pass",
      exitCode: 0,
      notes: [],
    } as unknown as Report;
    const md = renderMarkdown(report);
    const evidence = md.slice(md.indexOf("## Evidence per row"));
    expect(evidence.match(/```mermaid\nflowchart LR\n/g)).toHaveLength(1);
    expect(evidence.indexOf("```mermaid")).toBeGreaterThan(evidence.indexOf(`### ${measured.id}`));
    expect(evidence.indexOf("```mermaid")).toBeLessThan(evidence.indexOf("### gate-failed"));
    expect(md.indexOf("## Routing")).toBeLessThan(md.indexOf("```mermaid"));
  });

  test("the hop trace's break past every router (the target VM's port got nothing) marks that VM red, the router stays green", () => {
    const q = ns("com2", "qrouter", 5);
    const stopAtVm: DirectionResult = {
      ...dir("request", ["com2 qrouter"], "fail", [q]),
      to: "vm-b-com2",
      break: {
        last: { at: "com2 qrouter (qrouter-aaaa)", host: "com2", kind: "namespace", stage: "out", namespace: "qrouter-aaaa", count: 5 },
        first: { at: "com2 VM vm-b-com2 port tap0", host: "com2", kind: "vm-port", stage: "received", vm: "vm-b-com2", count: 0 },
        text: "broken between …",
      },
    };
    const r = row({ id: "r-dvr-same-node", kind: "same-node", source: "vm-a-com2", target: "vm-b-com2", nodes: "com2 -> com2", directions: [stopAtVm] });
    const text = rowDiagram(r, 5);
    expect(text).toMatch(/^ {2}class vm_vm_b_com2 broken$/m);
    expect(text).toMatch(/^ {2}class vm_vm_a_com2 vm$/m);
    expect(text).toMatch(/^ {2}class ns_com2_qrouter_aaaa ok$/m);
  });
});
