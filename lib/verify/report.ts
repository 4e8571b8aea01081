import { rowDiagram } from "./diagram";
import { causeOf, failLine } from "./checks";
import type { DirectionResult } from "./verdict";
import type { Report, RowResult } from "./run";

const ICON: Record<string, string> = { pass: "PASS", fail: "FAIL", inconclusive: "INCONCLUSIVE" };

function hops(labels: readonly string[]): string {
  return labels.length ? labels.join(" + ") : "(none)";
}

function perDirection(row: RowResult, pick: (d: DirectionResult) => string): string {
  return row.directions.map((d) => `${d.direction}: ${pick(d)}`).join("; ");
}

export { causeOf } from "./checks";

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** What failed, one line each: failed gate and structure checks, then each failed direction's first reason. */
export function causes(report: Report): string[] {
  const out = [...report.gate.checks, ...(report.structureChecks ?? [])].filter((c) => !c.ok).map(causeOf);
  for (const r of report.rows) {
    for (const d of r.directions) if (d.verdict === "fail" && d.reasons.length) out.push(`${r.id} ${d.direction}: ${d.reasons[0]}`);
  }
  return out;
}

/** The seed's table: one line per row. */
export function tableRows(report: Report): string[][] {
  return report.rows.map((r) => [
    r.id,
    r.nodes,
    r.subnets,
    `${r.router} (${r.distributed ? "DVR" : "legacy"})`,
    perDirection(r, (d) => hops(d.expected)),
    perDirection(r, (d) => hops(d.observed)),
    ICON[r.verdict],
  ]);
}

const HEAD = ["row", "VMs' nodes", "subnets", "router", "expected routing", "OBSERVED", "verdict"];

/** Evidence lines of one row (counter deltas per namespace, capture lines counted, DVR MACs seen). */
export function evidenceLines(r: RowResult): string[] {
  const out: string[] = [];
  const p = r.ping;
  out.push(
    `marker: ping -s ${r.marker.payloadSize} (IP total length ${r.marker.ipLength}); ping ${p ? (p.ran ? `${p.received}/${p.transmitted} answered` : "did not run") : "not sent"}`,
  );
  for (const a of r.attempts ?? []) {
    out.push(`measured again: window ${a.window + 1} was ${ICON[a.verdict]}${a.reasons.length ? ` (${a.reasons.join("; ")})` : ""}; the lines below are window ${r.window + 1}'s`);
  }
  if (r.windowCounters.length) {
    const shared = r.windowRows.length > 1 ? ` (window shared by ${r.windowRows.length} rows)` : "";
    out.push(
      `IpForwDatagrams${shared}: ` +
        r.windowCounters.map((c) => `${c.host} ${c.kind}${c.kind === "fip" ? "" : ` (${c.owner})`} ${c.delta === undefined ? "unread" : `+${c.delta}`}`).join(", "),
    );
  }
  for (const d of r.directions) {
    out.push(`${d.direction} ${d.from} -> ${d.to}: ${ICON[d.verdict]}`);
    for (const n of d.evidence.namespaces) {
      out.push(
        `  ${n.expected ? "expected  " : "UNEXPECTED"} ${n.host} ${n.kind} (${n.owner}): ${n.forwardedMarked} marker packets forwarded, IpForwDatagrams ${n.delta === undefined ? "unread" : `+${n.delta}`}${n.counterConfirms ? "" : " (counter does not confirm)"}`,
      );
    }
    const u = d.evidence.underlay;
    if (u.frames > 0) {
      out.push(
        `  underlay: ${u.frames} marker frame(s), VNI ${u.vnis.join(",")}, inner source ${u.innerSources.map((s) => `${s.mac}${s.host ? ` (DVR MAC of ${s.host})` : ""} x${s.count}`).join(", ")}`,
      );
    } else {
      out.push(`  underlay: no marker frame`);
    }
    if (d.trace?.length) out.push(`  trace: ${traceSummary(d)}`);
    for (const reason of d.reasons) out.push(`  - ${reason}`);
  }
  return out;
}

/**
 * A direction's hop trace on one line, in path order: each observation point and the marker
 * packets it saw ("?" not observed), the located break marked "✗".
 */
export function traceSummary(d: DirectionResult): string {
  return (d.trace ?? [])
    .map((s) => {
      const where = s.kind === "vm-port" ? `${s.host} ${s.vm} port ${s.stage}` : s.kind === "underlay" ? `underlay ${s.host} ${s.stage}` : `${s.at.replace(/ \(.*\)$/, "")} ${s.stage}`;
      const f = d.break?.first;
      const broke = f && f.at === s.at && f.stage === s.stage && f.host === s.host ? " ✗" : "";
      return `${where} ${s.count ?? "?"}${broke}`;
    })
    .join(" -> ");
}

export function renderText(report: Report): string {
  const rows = [HEAD, ...tableRows(report)];
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join(" | ").trimEnd();
  const out: string[] = [];
  out.push(`dvr-lab verify: lab ${report.lab} (${report.release}) — ${ICON[report.verdict]}`);
  out.push(`control-plane gate: ${report.gate.ok ? "passed" : "FAILED"}`);
  for (const c of report.gate.checks.filter((x) => !x.ok)) out.push(`  ${failLine(c)}`);
  const sc = report.structureChecks ?? [];
  if (sc.length) {
    out.push(`structure checks: ${sc.every((c) => c.ok) ? "passed" : "FAILED"} (${sc.filter((c) => c.id === "dvr-flows").length} DVR flow, ${sc.filter((c) => c.id === "vxlan-tunnel").length} VXLAN tunnel checks)`);
    for (const c of sc.filter((x) => !x.ok)) out.push(`  ${failLine(c)}`);
  }
  const why = causes(report);
  if (why.length) {
    out.push("causes:");
    for (const c of why) out.push(`  - ${c}`);
  }
  out.push("");
  out.push(line(rows[0]));
  out.push(widths.map((w) => "-".repeat(w)).join("-+-"));
  for (const r of rows.slice(1)) out.push(line(r));
  out.push("");
  for (const r of report.rows) {
    out.push(`[${r.id}] ${r.source} -> ${r.target}`);
    for (const l of evidenceLines(r)) out.push(`  ${l}`);
  }
  if (report.structure.length) {
    out.push("");
    out.push("DVR MACs: " + report.structure.map((s) => `${s.host}=${s.dvrMac ?? "unknown"}`).join(", "));
  }
  for (const n of report.notes) out.push(`note: ${n}`);
  return out.join("\n") + "\n";
}

export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  out.push(`# dvr-lab verify report: ${report.lab}`);
  out.push("");
  out.push(`Release ${report.release}; ${report.settings.pings} marked pings per row after one warm-up; a namespace counts as routing a direction when it forwarded at least ${report.settings.minForwarded} marker packets and its IpForwDatagrams counter confirms it; window mode \`${report.settings.window}\`${report.settings.retries ? `; an inconclusive row is measured again up to ${report.settings.retries} time(s) while nothing failed` : ""}.`);
  out.push("");
  out.push(`**Result: ${ICON[report.verdict]}** (exit code ${report.exitCode})`);
  out.push("");
  out.push(`## Control-plane gate: ${report.gate.ok ? "passed" : "FAILED"}`);
  out.push("");
  out.push("| check | subject | expected | actual | |");
  out.push("|---|---|---|---|---|");
  for (const c of report.gate.checks) out.push(`| ${c.id} | ${cell(c.subject)} | ${cell(c.expected)} | ${cell(c.actual)} | ${c.ok ? "ok" : "**FAIL**"} |`);
  // Listed when one failed (a passing run's report stays as docs/VERIFY.md's sample shows it; the
  // JSON report always has every check).
  const sc = report.structureChecks ?? [];
  if (sc.some((c) => !c.ok)) {
    out.push("");
    out.push(`## Structure checks: FAILED`);
    out.push("");
    out.push("| check | subject | expected | actual | |");
    out.push("|---|---|---|---|---|");
    for (const c of sc) out.push(`| ${c.id} | ${cell(c.subject)} | ${cell(c.expected)} | ${cell(c.actual)} | ${c.ok ? "ok" : "**FAIL**"} |`);
  }
  const why = causes(report);
  if (why.length) {
    out.push("");
    out.push("## Causes");
    out.push("");
    for (const c of why) out.push(`- ${cell(c)}`);
  }
  out.push("");
  out.push("## Routing");
  out.push("");
  out.push(`| ${HEAD.join(" | ")} |`);
  out.push(`|${HEAD.map(() => "---").join("|")}|`);
  for (const r of tableRows(report)) out.push(`| ${r.map(cell).join(" | ")} |`);
  out.push("");
  out.push("## Evidence per row");
  const missingTunnels = new Set(
    (report.structureChecks ?? []).flatMap((c) => (!c.ok && c.target?.kind === "tunnel" ? [`${c.target.host}>${c.target.peer}`] : [])),
  );
  for (const r of report.rows) {
    out.push("");
    out.push(`### ${r.id}: ${r.source} -> ${r.target} — ${ICON[r.verdict]}`);
    out.push("");
    out.push("```");
    out.push(...evidenceLines(r));
    out.push("```");
    // The same as a picture (Mermaid): where the markers went, the hop where a direction stopped in red.
    if (r.directions.some((d) => d.evidence.namespaces.length)) {
      out.push("");
      out.push("```mermaid");
      out.push(rowDiagram(r, report.settings.minForwarded, missingTunnels));
      out.push("```");
    }
  }
  if (report.structure.length) {
    out.push("");
    out.push("## Structure");
    out.push("");
    out.push("| host | router namespaces | DVR MAC | source |");
    out.push("|---|---|---|---|");
    for (const s of report.structure) {
      out.push(`| ${s.host} | ${s.ok ? s.routerNamespaces.join("<br>") || "(none)" : `error: ${cell(s.error ?? "")}`} | ${s.dvrMac ?? "unknown"} | ${s.dvrMacSource ?? ""} |`);
    }
  }
  if (report.notes.length) {
    out.push("");
    out.push("## Notes");
    out.push("");
    for (const n of report.notes) out.push(`- ${n}`);
  }
  return out.join("\n") + "\n";
}
