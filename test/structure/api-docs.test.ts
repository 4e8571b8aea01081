/**
 * The public API (issue 17): every exported *Props interface in lib/ (and every *Options interface
 * the package root exports) is documented, with `@default` on every optional prop (`@default -`
 * then needs a sentence saying what happens without it); the package root exports exactly the
 * public names below, one by one (no `export *` that would also export the helpers the constructs
 * build their resources with); the documented `verify()` and its collaborators are reachable from it.
 * Read with the TypeScript compiler's parser (no type check, so fast).
 */
import { readdirSync, readFileSync, statSync } from "fs";
import { join, relative } from "path";
import * as ts from "typescript";

const ROOT = join(__dirname, "../..");
const LIB = join(ROOT, "lib");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return p === join(LIB, "gen") ? [] : sources(p);
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

const parse = (file: string, text = readFileSync(file, "utf8")) => ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
const isExported = (n: ts.Node) => (ts.canHaveModifiers(n) ? ts.getModifiers(n) : undefined)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) === true;
const text = (c: string | ts.NodeArray<ts.JSDocComment> | undefined) => (typeof c === "string" ? c : (c ?? []).map((x) => x.text).join("")).trim();

/** Problems of one interface's docs: undocumented interface or prop, optional prop without a usable @default. */
export function docProblems(src: ts.SourceFile, select: (name: string) => boolean): string[] {
  const out: string[] = [];
  const where = relative(ROOT, src.fileName);
  for (const st of src.statements) {
    if (!ts.isInterfaceDeclaration(st) || !isExported(st) || !select(st.name.text)) continue;
    const name = st.name.text;
    if (ts.getJSDocCommentsAndTags(st).length === 0) out.push(`${where}: interface ${name} has no doc comment`);
    for (const m of st.members) {
      if (!ts.isPropertySignature(m)) continue;
      const prop = `${name}.${m.name.getText(src)}`;
      const docs = ts.getJSDocCommentsAndTags(m).filter(ts.isJSDoc);
      if (docs.length === 0) {
        out.push(`${where}: ${prop} has no doc comment`);
        continue;
      }
      if (!m.questionToken) continue;
      const tag = ts.getJSDocTags(m).find((t) => t.tagName.text === "default");
      if (!tag) {
        out.push(`${where}: ${prop} is optional and has no @default`);
        continue;
      }
      const value = text(tag.comment);
      const sentence = value.replace(/^-\s*/, "");
      if (!value) out.push(`${where}: ${prop} has an empty @default`);
      else if (value.startsWith("-") && !sentence && !docs.some((d) => text(d.comment))) out.push(`${where}: ${prop} has "@default -" without a sentence saying what happens without it`);
    }
  }
  return out;
}

describe("props are documented with their defaults", () => {
  test("every exported *Props interface in lib/: each prop documented, each optional prop with @default", () => {
    expect(sources(LIB).flatMap((f) => docProblems(parse(f), (n) => n.endsWith("Props")))).toEqual([]);
  });

  test("every *Options interface the package root exports, likewise", () => {
    const options = rootExports().filter((e) => e.name.endsWith("Options"));
    expect(options.map((e) => e.name).sort()).toEqual(["BackgroundOptions", "NeutronClientOptions", "QdhcpSshOptions", "RunOptions", "SshTransportOptions", "ValidationErrorOptions", "VerifyOptions"]);
    const files = [...new Set(options.map((e) => e.file))];
    const names = new Set(options.map((e) => e.name));
    expect(files.flatMap((f) => docProblems(parse(f), (n) => names.has(n)))).toEqual([]);
  });

  test("the check fails where it should (a missing @default, a bare `@default -`, an undocumented prop)", () => {
    const src = parse(
      join(LIB, "fixture.ts"),
      `/** ok */
export interface FixtureProps {
  /** documented, required */
  readonly a: string;
  /** no default */
  readonly b?: string;
  /** @default - */
  readonly c?: string;
  /**
   * Explained.
   * @default -
   */
  readonly d?: string;
  /** @default - nothing: the sentence is here */
  readonly e?: string;
  readonly f: string;
}
interface NotExportedProps { readonly g?: string }
`,
    );
    expect(docProblems(src, (n) => n.endsWith("Props"))).toEqual([
      "lib/fixture.ts: FixtureProps.b is optional and has no @default",
      'lib/fixture.ts: FixtureProps.c has "@default -" without a sentence saying what happens without it',
      "lib/fixture.ts: FixtureProps.f has no doc comment",
    ]);
  });
});

interface RootExport {
  readonly name: string;
  readonly typeOnly: boolean;
  /** The module it comes from (absolute .ts path). */
  readonly file: string;
}

/** The package root's exports, read from lib/index.ts (which names each one). */
function rootExports(): RootExport[] {
  const index = join(LIB, "index.ts");
  const src = parse(index);
  const out: RootExport[] = [];
  for (const st of src.statements) {
    if (!ts.isExportDeclaration(st)) continue;
    const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : "";
    const base = join(LIB, spec);
    const file = [`${base}.ts`, join(base, "index.ts")].find((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    })!;
    if (!st.exportClause) out.push({ name: `* from ${spec}`, typeOnly: st.isTypeOnly, file });
    else if (ts.isNamespaceExport(st.exportClause)) out.push({ name: st.exportClause.name.text, typeOnly: false, file });
    else for (const e of st.exportClause.elements) out.push({ name: e.name.text, typeOnly: st.isTypeOnly || e.isTypeOnly, file });
  }
  return out;
}

/** What the package root exports: the constructs and their props, the model, rules and errors, the verifier. */
const PUBLIC_VALUES = [
  // model
  "OpenStackRelease", "L3AgentMode", "releaseSettings", "LAB_DESCRIPTION_SCHEMA", "LabTopology",
  // config push
  "ServiceManager", "ProvisionerResource", "ConfigPush", "SshPrivateKey",
  // nodes, tenant side, lab
  "DvrNode", "DvrAgentNode", "DvrController", "DvrSnatNode", "DvrComputeNode", "TenantVxlanNetwork", "PinnedVm", "VerifyHook", "DvrLab",
  "openstack",
  // validation errors, rules
  "DvrLabInputError", "DvrLabValidationError", "DvrLabRules", "DvrLabSuppressions", "LAB_RULES", "RuleLevel", "SUPPRESSIONS_METADATA",
  // the verifier
  "verify", "plan", "REPORT_SCHEMA", "causes", "renderMarkdown", "renderText", "causeOf", "formatTarget",
  "SshTransport", "NeutronClient", "NamespaceVmExecutor", "QdhcpSshVmExecutor", "detachedBackground",
].sort();

/** Helpers the constructs and the verifier use inside; none is part of the public API. */
const INTERNAL = [
  "renderConnection", "isToken", "filePath", "logPath", "unitName", "SERVICE_FILES", "SERVICE_ORDER",
  "PUSH_COMMAND", "PUSH_DOCUMENT_PATH", "PUSH_SCRIPT_ASSET_ID", "PUSH_SCRIPT_PATH", "PUSH_SCHEMA", "desiredConfig",
  "l3AgentModeOf", "RELEASE_TABLE", "labPath", "render", "addFindingsValidation", "gateCheck", "runGate",
  "parseSnapshot", "snapshotScript", "captureScript", "countersScript", "judgeDirection", "tunnelChecks", "spawnCollect", "shq", "shJoin",
];

describe("the package root", () => {
  const exports = rootExports();
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const root = require("../../lib") as Record<string, unknown>;

  test("names every export (no `export *`, which would also export a module's helpers)", () => {
    expect(exports.filter((e) => e.name.startsWith("* from"))).toEqual([]);
  });

  test("exports exactly the public values, and at run time nothing else", () => {
    expect(exports.filter((e) => !e.typeOnly).map((e) => e.name).sort()).toEqual(PUBLIC_VALUES);
    expect(Object.keys(root).sort()).toEqual(PUBLIC_VALUES);
  });

  test("exports no internal helper", () => {
    expect(INTERNAL.filter((n) => exports.some((e) => e.name === n) || n in root)).toEqual([]);
  });

  test("exports the types of its public signatures: every *Props, the verifier's seams and report", () => {
    const types = exports.filter((e) => e.typeOnly).map((e) => e.name);
    const props = sources(LIB)
      .filter((f) => !relative(LIB, f).startsWith("twin/") && !relative(LIB, f).startsWith("layouts/") && !relative(LIB, f).startsWith("cli/"))
      .flatMap((f) => parse(f).statements.filter((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && isExported(s) && s.name.text.endsWith("Props")).map((s) => s.name.text));
    expect(props.filter((p) => !types.includes(p))).toEqual([]);
    for (const t of ["Transport", "VmExecutor", "NeutronApi", "AccessInfo", "Report", "VerifyDeps", "VerifyOptions", "GateCheck", "CheckTarget", "LabDescription"]) expect(types).toContain(t);
  });

  test("the documented verify() (docs/VERIFY.md) and its collaborators are reachable from it", () => {
    expect(root.verify).toBe(require("../../lib/verify/run").verify);
    expect(root.renderText).toBe(require("../../lib/verify/report").renderText);
    const doc = readFileSync(join(ROOT, "docs/VERIFY.md"), "utf8");
    for (const name of ["verify", "renderText", "renderMarkdown", "SshTransport", "detachedBackground", "QdhcpSshVmExecutor", "NamespaceVmExecutor", "NeutronClient"]) {
      expect([name, doc.includes(`\`${name}`)]).toEqual([name, true]);
      expect([name, typeof root[name]]).toEqual([name, "function"]);
    }
  });
});
