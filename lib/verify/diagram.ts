import type { RowResult } from "./run";
import type { NamespaceEvidence } from "./verdict";

/**
 * One row of a report as a Mermaid flowchart (renders where Markdown is read: GitHub, GitLab, most
 * editors): each host a box with the row's VMs and router namespaces on it, the external network
 * apart; the request path as solid arrows, the reply path dotted, each through the hops the lab
 * description expects. A hop's colour says what the captures saw there:
 *   green  every direction expected through it forwarded its marker packets (counter confirmed);
 *   red    where a direction that did not pass stopped: the hop trace's located break (a router
 *          namespace, or the target VM whose port never got the markers), else the first expected
 *          hop where its markers were not forwarded (the packets stopped there or before);
 *   orange a namespace the description does NOT expect that forwarded marker packets (routed at
 *          the wrong place);
 *   grey   expected, but the direction failed earlier or was not measured (no marker sent).
 * An arrow between two hosts is red when the structure checks found no VXLAN tunnel in use there.
 */

const CLASSES = [
  "classDef ok fill:#d9f2d9,stroke:#2e7d32,color:#1b5e20",
  "classDef broken fill:#fdd8d8,stroke:#c62828,stroke-width:3px,color:#b71c1c",
  "classDef stray fill:#ffe6c7,stroke:#ef6c00,color:#e65100",
  "classDef idle fill:#eeeeee,stroke:#9e9e9e,color:#616161",
  "classDef vm fill:#e3f2fd,stroke:#1565c0,color:#0d47a1",
];

/** A Mermaid node id (letters, digits, underscore). */
function id(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, "_");
}

/** Text inside a quoted Mermaid label (no quotes, no markup). */
function text(s: string): string {
  return s.replace(/["<>]/g, "'");
}

type Status = "ok" | "broken" | "stray" | "idle";

/**
 * The row's flowchart, without the ```mermaid fence. `minForwarded`: the report's threshold;
 * `missingTunnels`: "<host>><peer>" of each failed VXLAN tunnel check of the report.
 */
export function rowDiagram(row: RowResult, minForwarded: number, missingTunnels: ReadonlySet<string> = new Set()): string {
  const [srcHost, dstPart] = row.nodes.split(" -> ").map((x) => x.trim());
  const external = dstPart === "external";
  const nodes = new Map<string, { host: string; label: string[] }>();
  const status = new Map<string, Status>();
  const lines: string[] = ["flowchart LR"];
  const vmId = (name: string) => `vm_${id(name)}`;
  const nsId = (n: { host: string; namespace: string }) => `ns_${id(n.host)}_${id(n.namespace)}`;
  nodes.set(vmId(row.source), { host: srcHost, label: [`VM ${row.source}`] });
  const targetId = external ? "external" : vmId(row.target);
  if (!external) nodes.set(targetId, { host: dstPart, label: [`VM ${row.target}`] });

  // Per namespace: what each direction saw there.
  const seen = new Map<string, { ns: NamespaceEvidence; notes: string[] }>();
  for (const d of row.directions) {
    for (const ns of d.evidence.namespaces) {
      const k = nsId(ns);
      const e = seen.get(k) ?? { ns, notes: [] };
      e.notes.push(ns.receivedMarked !== undefined ? `${d.direction} ${ns.receivedMarked} in / ${ns.forwardedMarked} out` : `${d.direction} ${ns.forwardedMarked} fwd`);
      seen.set(k, e);
      const forwarded = ns.forwardedMarked >= minForwarded && ns.counterConfirms;
      const prev = status.get(k);
      if (!ns.expected) {
        if (ns.forwardedMarked >= minForwarded) status.set(k, "stray");
        else if (!prev) status.set(k, "idle");
      } else if (forwarded) {
        if (!prev) status.set(k, "ok");
      } else if (prev !== "broken") {
        status.set(k, "idle");
      }
    }
  }
  for (const [k, { ns, notes }] of seen) nodes.set(k, { host: ns.host, label: [`${ns.host} ${ns.kind} (${ns.owner})`, notes.join("; ")] });

  // The paths, in the order the description expects, and the hop where each failing direction
  // stopped (only when its markers were sent: a ping that did not run stopped nowhere).
  const edges: string[] = [];
  const redEdges: number[] = [];
  const hostOf = (k: string) => (k === "external" ? "external" : nodes.get(k)?.host);
  const sent = row.ping?.ran !== false;
  for (const d of row.directions) {
    const hops = d.expected.map((label) => d.evidence.namespaces.find((n) => n.expected && `${n.host} ${n.kind}` === label)).filter((n): n is NamespaceEvidence => !!n);
    const start = d.direction === "request" ? vmId(row.source) : targetId;
    const end = d.direction === "request" ? targetId : vmId(row.source);
    const path = [start, ...hops.map(nsId), end];
    const arrow = d.direction === "request" ? "-->" : "-.->";
    for (let i = 1; i < path.length; i++) {
      const [a, b] = [hostOf(path[i - 1]), hostOf(path[i])];
      const noTunnel = a !== undefined && b !== undefined && a !== b && missingTunnels.has(`${a}>${b}`);
      const label = [i === 1 ? `${d.direction} ${d.verdict.toUpperCase()}` : "", noTunnel ? "no VXLAN tunnel in use" : ""].filter(Boolean).join(": ");
      if (noTunnel) redEdges.push(edges.length);
      edges.push(`  ${path[i - 1]} ${arrow}${label ? `|"${text(label)}"|` : ""} ${path[i]}`);
    }
    if (d.verdict !== "pass" && sent) {
      // The hop trace's located break first (it may lie past every router: the target VM's port),
      // else the first expected hop that did not forward.
      const first = d.break?.first;
      const stop = hops.find((n) => !(n.forwardedMarked >= minForwarded && n.counterConfirms));
      if (first?.kind === "vm-port" && first.vm && nodes.has(vmId(first.vm))) status.set(vmId(first.vm), "broken");
      else if (first?.kind === "namespace" && first.namespace && nodes.has(nsId({ host: first.host, namespace: first.namespace }))) status.set(nsId({ host: first.host, namespace: first.namespace }), "broken");
      else if (stop) status.set(nsId(stop), "broken");
    }
  }

  // Hosts as boxes (the source's first), the external network apart.
  const hosts = [...new Set([srcHost, ...[...nodes.values()].map((n) => n.host)])].filter((h) => h !== "external");
  for (const h of hosts) {
    lines.push(`  subgraph host_${id(h)}["${text(h)}"]`);
    for (const [k, n] of nodes) if (n.host === h) lines.push(`    ${k}["${n.label.map(text).join("<br/>")}"]`);
    lines.push("  end");
  }
  if (external) lines.push(`  external(["external network"])`);
  lines.push(...edges);
  if (redEdges.length) lines.push(`  linkStyle ${redEdges.join(",")} stroke:#c62828,stroke-width:3px`);
  for (const c of CLASSES) lines.push(`  ${c}`);
  const vms = [...nodes.keys()].filter((k) => k.startsWith("vm_") && status.get(k) !== "broken");
  if (vms.length) lines.push(`  class ${vms.join(",")} vm`);
  for (const s of ["ok", "broken", "stray", "idle"] as const) {
    const members = [...status].filter(([, v]) => v === s).map(([k]) => k);
    if (members.length) lines.push(`  class ${members.join(",")} ${s}`);
  }
  return lines.join("\n");
}
