import { existsSync, readdirSync, readFileSync, statSync } from "fs";
import { join, posix } from "path";

/**
 * Every document reference in what the npm package ships must work for someone who only has the
 * package: the cited doc must be shipped, a cited section ("docs/DVR.md §5.3", "CONTRACTS.md
 * section 1") must exist as a numbered heading ("## 5. ..." or "### 5.3 ...") of that doc, and
 * nothing may point into the team-internal shared/ folder.
 */

const ROOT = join(__dirname, "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] };

/** What the package ships and this test reads: package.json "files" minus build output, schemas and generated bindings. */
const SCANNED_ROOTS = ["lib/", "remote/", "bin/", "docs/", "README.md"];
const NOT_SCANNED = ["lib/gen/"];
/** npm ships these whatever "files" says. */
const ALWAYS_SHIPPED = /^(package\.json|README(\.[^/]*)?|LICEN[CS]E(\.[^/]*)?)$/i;
const TEXT = /\.(ts|js|py|sh|md|json)$|^[^.]*$/;

function walk(rel: string): string[] {
  const abs = join(ROOT, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel.replace(/\/$/, "")];
  return readdirSync(abs).flatMap((name) => walk(posix.join(rel, name) + (statSync(join(abs, name)).isDirectory() ? "/" : "")));
}

/** True when the package ships `rel` (a posix path relative to the package root) and it exists. */
export function isShipped(rel: string): boolean {
  const norm = posix.normalize(rel);
  if (norm.startsWith("../") || norm.startsWith("/")) return false;
  if (!existsSync(join(ROOT, norm)) || statSync(join(ROOT, norm)).isDirectory()) return false;
  if (ALWAYS_SHIPPED.test(norm)) return true;
  return pkg.files.some((entry) => (entry.endsWith("/") ? norm.startsWith(entry) : norm === entry || norm.startsWith(`${entry}/`)));
}

/** Numbered headings of a Markdown doc: "## 5. Pitfalls" -> "5", "### 5.3 MTU" -> "5.3". */
export function sectionsOf(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const line of markdown.split("\n")) {
    const m = /^#{2,4}\s+§?(\d+(?:\.\d+)*)\.?\s/.exec(line);
    if (m) out.add(m[1]);
  }
  return out;
}

export interface Problem {
  readonly file: string;
  readonly line: number;
  /** section: a cited section that does not exist or is not written as §N; unshipped: a doc the package lacks; shared: the team folder. */
  readonly kind: "section" | "unshipped" | "shared";
  readonly problem: string;
}

// A doc path: optional ./ ../ or / prefix, path segments, a name ending in .md; not part of a URL or a longer word.
const DOC_PATH = /(?<![\w/.:@-])((?:\.{1,2}\/|\/)?(?:[\w.-]+\/)*[\w-][\w.-]*\.md)(?![\w-])/g;
// A doc path followed by one or more section numbers: "X.md §2, §7", "X.md §3.1/§3.2", "X.md section 1".
const SECTION_REF = /((?:\.{1,2}\/)?(?:[\w.-]+\/)*[\w-][\w.-]*\.md)((?:\s*(?:,|\/|and|or)?\s*(?:§|section\s+)\d+(?:\.\d+)*)+)/g;
// A DVR.md citation whose section is not written as §N (the old "DVR.md pitfall 8", "DVR.md 2.3").
const BARE_SECTION = /DVR\.md,?\s+(pitfalls?\b|\d)/g;
// DVR.md without its folder: outside docs/ a reader cannot find it (inside docs/ it is the sibling file).
const BARE_DVR = /(?<![\w/.-])DVR\.md/;
const SHARED = /(?<![\w-])shared\/|\.\.\/shared\b/g;

/**
 * Resolves a cited doc path the way a reader would: from the package root, else from the citing
 * file's folder; a bare name ("CONTRACTS.md") may also name the shipped doc of that name in docs/.
 */
function resolveDoc(citingFile: string, cited: string): string | undefined {
  if (cited.startsWith("/")) return undefined;
  const candidates = [posix.normalize(cited), posix.normalize(posix.join(posix.dirname(citingFile), cited))];
  if (!cited.includes("/")) candidates.push(`docs/${cited}`);
  return candidates.find(isShipped);
}

/**
 * A .md path is a citation of a document when its name is a document's (upper case: DVR.md,
 * README.md, BENCHMARKS.md) or it sits in a docs/ folder; lower-case names such as report.md are
 * files the code writes, not documents it cites.
 */
const isDocCitation = (path: string) => /^[A-Z][A-Z0-9_-]*\.md$/.test(posix.basename(path)) || /(^|\/)docs\//.test(path);

const sectionCache = new Map<string, Set<string>>();
function sectionsOfFile(rel: string): Set<string> {
  let s = sectionCache.get(rel);
  if (!s) sectionCache.set(rel, (s = sectionsOf(readFileSync(join(ROOT, rel), "utf8"))));
  return s;
}

/** The problems of one shipped file's text. */
export function problemsIn(file: string, text: string): Problem[] {
  const out: Problem[] = [];
  text.split("\n").forEach((lineText, i) => {
    const at = (kind: Problem["kind"], problem: string) => {
      if (!out.some((p) => p.line === i + 1 && p.problem === problem)) out.push({ file, line: i + 1, kind, problem });
    };
    for (const m of lineText.matchAll(DOC_PATH)) {
      if (isDocCitation(m[1]) && !resolveDoc(file, m[1])) at("unshipped", `cites ${m[1]}, which the package does not ship`);
    }
    for (const m of lineText.matchAll(SECTION_REF)) {
      const doc = resolveDoc(file, m[1]);
      if (!doc) continue; // reported above
      const have = sectionsOfFile(doc);
      for (const n of m[2].matchAll(/(?:§|section\s+)(\d+(?:\.\d+)*)/g)) {
        if (!have.has(n[1])) at("section", `cites ${m[1]} §${n[1]}, but ${doc} has no section ${n[1]}`);
      }
    }
    if (!file.startsWith("docs/")) {
      if (BARE_DVR.test(lineText)) at("section", `cites DVR.md without its folder: write docs/DVR.md`);
    }
    for (const m of lineText.matchAll(BARE_SECTION)) at("section", `cites "${m[0]}": write the section as docs/DVR.md §N`);
    for (const m of lineText.matchAll(SHARED)) at("shared", `cites "${m[0]}", a team-internal folder the package does not ship`);
  });
  return out;
}

const scanned = SCANNED_ROOTS.flatMap(walk)
  .filter((f) => !NOT_SCANNED.some((p) => f.startsWith(p)))
  .filter((f) => TEXT.test(posix.basename(f)));

const render = (ps: Problem[]) => ps.map((p) => `${p.file}:${p.line}: ${p.problem}`);

describe("document references in the shipped files", () => {
  test("the scanned folders are what package.json ships", () => {
    for (const r of SCANNED_ROOTS) expect(pkg.files).toContain(r);
    expect(scanned).toContain("docs/DVR.md");
    expect(scanned).toContain("lib/rules/lab-rules.ts");
    expect(scanned).toContain("remote/dvr_push.py");
    expect(scanned.some((f) => f.startsWith("lib/gen/"))).toBe(false);
  });

  test("docs/DVR.md has numbered sections, and every reference to it names one that exists", () => {
    const sections = sectionsOfFile("docs/DVR.md");
    expect([...sections].filter((s) => !s.includes("."))).toEqual(["1", "2", "3", "4", "5", "6"]);
    const refs = scanned.flatMap((f) => [...readFileSync(join(ROOT, f), "utf8").matchAll(/DVR\.md\s*§\d/g)].map(() => f));
    expect(refs.length).toBeGreaterThan(20);
    const problems = scanned.flatMap((f) =>
      problemsIn(f, readFileSync(join(ROOT, f), "utf8")).filter((p) => p.kind === "section"),
    );
    expect(render(problems)).toEqual([]);
  });

  test("every cited doc is shipped", () => {
    const problems = scanned.flatMap((f) => problemsIn(f, readFileSync(join(ROOT, f), "utf8")).filter((p) => p.kind === "unshipped"));
    expect(render(problems)).toEqual([]);
  });

  test("nothing cites the team-internal shared/ folder", () => {
    const problems = scanned.flatMap((f) => problemsIn(f, readFileSync(join(ROOT, f), "utf8")).filter((p) => p.kind === "shared"));
    expect(render(problems)).toEqual([]);
  });
});

describe("the checker itself", () => {
  test("flags a missing section, an unshipped doc, an old-style section and shared/", () => {
    const text = [
      "ok: docs/DVR.md §5.3 and (docs/DVR.md §3.2, §6.5) and CONTRACTS.md §2",
      "bad section: docs/DVR.md §9.9",
      "bad list: docs/DVR.md §3.1/§8",
      "old: DVR.md pitfall 8",
      "unshipped: see CHANGES.md and ../NOTES.md",
      "shared: /work/shared/DVR.md and ../shared",
      "url: https://example.org/a/README.md is fine, and so is the report.md the verifier writes",
    ].join("\n");
    expect(render(problemsIn("lib/example.ts", "// see DVR.md §5.3, not docs/DVR.md §5.3"))).toEqual([
      "lib/example.ts:1: cites DVR.md without its folder: write docs/DVR.md",
    ]);
    expect(render(problemsIn("docs/EXAMPLE.md", text))).toEqual([
      "docs/EXAMPLE.md:2: cites docs/DVR.md §9.9, but docs/DVR.md has no section 9.9",
      "docs/EXAMPLE.md:3: cites docs/DVR.md §8, but docs/DVR.md has no section 8",
      'docs/EXAMPLE.md:4: cites "DVR.md pitfall": write the section as docs/DVR.md §N',
      "docs/EXAMPLE.md:5: cites CHANGES.md, which the package does not ship",
      "docs/EXAMPLE.md:5: cites ../NOTES.md, which the package does not ship",
      "docs/EXAMPLE.md:6: cites /work/shared/DVR.md, which the package does not ship",
      'docs/EXAMPLE.md:6: cites "shared/", a team-internal folder the package does not ship',
      'docs/EXAMPLE.md:6: cites "../shared", a team-internal folder the package does not ship',
    ]);
  });

  test("reads headings as sections", () => {
    expect([...sectionsOf("# Title\n## 1. One\n### 1.2 Sub\n## §3 Three\ntext ## 4. no\n")]).toEqual(["1", "1.2", "3"]);
  });
});
