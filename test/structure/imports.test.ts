/**
 * Layers point one way: no import cycle in lib/ (generated code apart), and the layers import only
 * downwards: model and common (the CLI parser and exit codes) at the bottom; then toolchain, push,
 * network, verify and validation (pure checks, below the constructs); then the nodes; the lab rules
 * (an Aspect that reads node and network constructs); the lab; layouts, the twin and the CLI on top.
 */
import { readdirSync, readFileSync, statSync } from "fs";
import { dirname, join, relative, resolve } from "path";

const LIB = join(__dirname, "../../lib");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return p === join(LIB, "gen") ? [] : sources(p);
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : [];
  });
}

/** Relative imports of each lib file (static `import ... from`, `export ... from`, `require()`), as lib-relative paths. */
export function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const known = new Set(files.map((f) => relative(LIB, f)));
  for (const f of files) {
    const text = readFileSync(f, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
    const specs = [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
    const deps = new Set<string>();
    for (const spec of specs) {
      const base = relative(LIB, resolve(dirname(f), spec));
      const hit = [`${base}.ts`, join(base, "index.ts")].find((c) => known.has(c));
      if (hit) deps.add(hit);
    }
    // `import type` is erased at run time but still couples the layers: keep it.
    graph.set(relative(LIB, f), [...deps].sort());
  }
  return graph;
}

/** Every elementary cycle found by DFS, each as "a -> b -> a", deduplicated by rotation. */
export function cycles(graph: Map<string, string[]>): string[] {
  const found = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const done = new Set<string>();
  const visit = (n: string) => {
    stack.push(n);
    onStack.add(n);
    for (const m of graph.get(n) ?? []) {
      if (onStack.has(m)) {
        const cyc = stack.slice(stack.indexOf(m));
        const i = cyc.indexOf([...cyc].sort()[0]);
        const rot = [...cyc.slice(i), ...cyc.slice(0, i)];
        found.add([...rot, rot[0]].join(" -> "));
      } else if (!done.has(m)) visit(m);
    }
    stack.pop();
    onStack.delete(n);
    done.add(n);
  };
  for (const n of [...graph.keys()].sort()) if (!done.has(n)) visit(n);
  return [...found].sort();
}

/** Layer rank of a lib file: a file may import only files of its own or a lower rank. */
const LAYERS: [RegExp, number][] = [
  [/^(model|common)\//, 0],
  [/^(toolchain|push|network|verify|validation)\//, 1],
  [/^nodes\//, 2],
  [/^rules\//, 3],
  [/^lab\//, 4],
  [/^index\.ts$/, 5],
  [/^layouts\//, 6],
  [/^twin\//, 7],
  [/^cli\//, 8],
];
const rank = (f: string) => LAYERS.find(([re]) => re.test(f))?.[1] ?? -1;

export function upwardImports(graph: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [f, deps] of graph) for (const d of deps) if (rank(d) > rank(f)) out.push(`${f} imports ${d} (a higher layer)`);
  return out.sort();
}

const graph = importGraph(sources(LIB));

test("no import cycle in lib/", () => {
  expect(cycles(graph)).toEqual([]);
});

test("every lib file belongs to a layer, and no file imports a higher layer", () => {
  expect([...graph.keys()].filter((f) => rank(f) < 0)).toEqual([]);
  expect(upwardImports(graph)).toEqual([]);
});

test("the checks find a cycle and an upward import", () => {
  const g = new Map([
    ["model/a.ts", ["push/b.ts"]],
    ["push/b.ts", ["model/a.ts", "model/c.ts"]],
    ["model/c.ts", []],
  ]);
  expect(cycles(g)).toEqual(["model/a.ts -> push/b.ts -> model/a.ts"]);
  expect(upwardImports(g)).toEqual(["model/a.ts imports push/b.ts (a higher layer)"]);
});
