/**
 * Helpers of test/package/package.test.ts: build + pack the repo, make throwaway user projects that
 * install the tarball from the registry's point of view, and run commands in them.
 */
import { spawnSync } from "child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "fs";
import { builtinModules } from "module";
import { join, relative } from "path";

export const REPO = join(__dirname, "..", "..");
export const FIXTURES = join(__dirname, "fixtures");

export interface Ran {
  readonly cmd: string;
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Child env: the caller's, without the npm_package_* / npm_lifecycle_* of an outer `npm test`. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_(package|lifecycle)_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** Runs a command (no shell), never throws; `timeoutMs` kills it. */
export function run(file: string, args: readonly string[], cwd: string, opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Ran {
  const t0 = Date.now();
  const r = spawnSync(file, args, { cwd, encoding: "utf8", env: childEnv(opts.env), timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 });
  return {
    cmd: [file, ...args].join(" "),
    status: r.status,
    stdout: r.stdout ?? "",
    stderr: (r.stderr ?? "") + (r.error ? `\n[spawn error] ${r.error.message}` : ""),
    seconds: Math.round((Date.now() - t0) / 100) / 10,
  };
}

/** Like run, but throws with the command's output when it does not exit 0. */
export function runOk(file: string, args: readonly string[], cwd: string, opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Ran {
  const r = run(file, args, cwd, opts);
  if (r.status !== 0) throw new Error(`${r.cmd} (in ${cwd}) exited ${r.status}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`);
  return r;
}

/** True when the npm registry answers (the skip rule of the package tests). */
export function registryAvailable(): { ok: boolean; why: string } {
  const r = run("npm", ["view", "cdktf@0.21.0", "version"], REPO, { timeoutMs: 60_000 });
  return r.status === 0 && r.stdout.trim() === "0.21.0"
    ? { ok: true, why: "" }
    : { ok: false, why: `\`npm view cdktf@0.21.0 version\` failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split("\n").filter((l) => !/^npm error\s+at /.test(l)).slice(0, 4).join(" | ")}` };
}

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Sources of lib/ whose compiled dist/lib/*.js is missing or older than the source. */
export function staleSources(): string[] {
  return walk(join(REPO, "lib"))
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .filter((f) => {
      const js = join(REPO, "dist", relative(REPO, f)).replace(/\.ts$/, ".js");
      return !existsSync(js) || statSync(js).mtimeMs < statSync(f).mtimeMs;
    })
    .map((f) => relative(REPO, f));
}

/** The first ```ts block after a README heading, verbatim. */
export function readmeBlock(readmePath: string, heading: string): string {
  const text = readFileSync(readmePath, "utf8");
  const at = text.split("\n").findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, "").trim() === heading);
  if (at < 0) throw new Error(`${readmePath}: no heading "${heading}"`);
  const rest = text.split("\n").slice(at + 1).join("\n");
  const m = /^```ts\n([\s\S]*?)^```/m.exec(rest);
  if (!m) throw new Error(`${readmePath}: no \`\`\`ts block after "${heading}"`);
  return m[1];
}

/** npm package names a TypeScript source imports (import/export ... from, import "x", require("x")), builtins left out. */
export function importedPackages(source: string): string[] {
  const specs = new Set<string>();
  for (const re of [/\bfrom\s+["']([^"']+)["']/g, /\bimport\s+["']([^"']+)["']/g, /\brequire\(\s*["']([^"']+)["']\s*\)/g, /\bimport\(\s*["']([^"']+)["']\s*\)/g]) {
    for (const m of source.matchAll(re)) specs.add(m[1]);
  }
  const names = [...specs]
    .filter((s) => !s.startsWith(".") && !s.startsWith("node:") && !builtinModules.includes(s.split("/")[0]))
    .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]));
  return [...new Set(names)].sort();
}

/** The version the repo pins for a package (dependencies, then devDependencies of package.json). */
export function repoPin(name: string): string {
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  const v = pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
  if (!v) throw new Error(`the README example imports "${name}", which the repo's package.json does not pin: add it there (or drop the import)`);
  return v;
}

export interface UserProject {
  readonly dir: string;
  readonly install: Ran;
  /** node_modules/.bin/dvr-lab of the project. */
  readonly bin: string;
}

/**
 * An empty user project: package.json with `dependencies` (and `overrides`), the fixture tsconfig.json,
 * `src` as main.ts, then `npm install` from the registry. World-readable, so a non-root uid can run it.
 */
export function makeProject(dir: string, dependencies: Record<string, string>, src: string, overrides?: Record<string, string>): UserProject {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const pkg = { name: `dvr-lab-user-${dir.split("/").pop()}`, version: "0.0.0", private: true, dependencies, ...(overrides ? { overrides } : {}) };
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  copyFileSync(join(FIXTURES, "tsconfig.json"), join(dir, "tsconfig.json"));
  writeFileSync(join(dir, "main.ts"), src);
  const install = runOk("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], dir, { timeoutMs: 600_000 });
  return { dir, install, bin: join(dir, "node_modules", ".bin", "dvr-lab") };
}

/** Every physical copy of a package under the project's node_modules: "<path> <name in its package.json>@<version>". */
export function installedCopies(dir: string, name: string): string[] {
  const out: string[] = [];
  const visit = (nm: string) => {
    if (!existsSync(nm)) return;
    const here = join(nm, name, "package.json");
    if (existsSync(here)) {
      const p = JSON.parse(readFileSync(here, "utf8")) as { name: string; version: string };
      out.push(`${relative(dir, join(nm, name))} ${p.name}@${p.version}`);
    }
    for (const e of readdirSync(nm)) {
      const sub = e.startsWith("@") ? readdirSync(join(nm, e)).map((x) => join(e, x)) : [e];
      for (const s of sub) visit(join(nm, s, "node_modules"));
    }
  };
  visit(join(dir, "node_modules"));
  return out.sort();
}

/** A synthesized stack with what legitimately differs between two synths/cores taken out. */
export function withoutLocalDetails(doc: any): any {
  const d = JSON.parse(JSON.stringify(doc));
  // The local backend path is the absolute path of the project that synthesized.
  if (d.terraform?.backend?.local) delete d.terraform.backend.local.path;
  // The "//" metadata names the core's version (cdktf 0.21.0 / cdktn 0.24.0).
  if (d["//"]?.metadata) delete d["//"].metadata.version;
  return d;
}
