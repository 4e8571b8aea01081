/**
 * What a user gets from the npm package: `npm pack` of this repo, installed from the tarball into
 * throwaway projects (the npm registry supplies everything else), exactly as a user would:
 *
 *  - a plain cdktf 0.21 project compiles and runs README.md's "Compose the constructs in your own
 *    stack" example (extracted from README.md at test time, never copied here);
 *  - every `dvr-lab` command of the installed bin answers --help, and the commands that need no root
 *    and no cloud run in a harmless mode (verify --plan on the synthesized stack, twin status/down
 *    without a twin, the twin's default layouts synthesized from the installed package);
 *  - a CDK Terrain (cdktn 0.24.0) project, with npm overrides, synthesizes the same stack.
 *
 * Needs the npm registry (skipped, with the reason, only when `npm view cdktf@0.21.0 version` fails).
 * Never starts the twin: `twin up` / `lab` run only as a non-root uid, where they stop at the root check.
 */
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import {
  importedPackages,
  installedCopies,
  makeProject,
  readmeBlock,
  registryAvailable,
  REPO,
  repoPin,
  run,
  runOk,
  staleSources,
  UserProject,
  withoutLocalDetails,
  type Ran,
} from "./support";

const README = join(REPO, "README.md");
const EXAMPLE_HEADING = "Compose the constructs in your own stack";
/** The pins of a plain cdktf user (the versions this library is built and tested with). */
const PLAIN = { cdktf: "0.21.0", constructs: "10.4.2", typescript: "5.9.3", "@types/node": "20.19.9" };
/** CDK Terrain: cdktn 0.24.0 peer-depends on constructs ">=10.6.0 <10.8.0" (npm view cdktn@0.24.0 peerDependencies). */
const CDKTN = "npm:cdktn@0.24.0";
const CDKTN_CONSTRUCTS = "10.6.0";

const registry = registryAvailable();
if (!registry.ok) console.warn(`SKIPPED test/package: it needs the npm registry; ${registry.why}`);
const describeWithRegistry = registry.ok ? describe : describe.skip;

/** How to run a command as a non-root uid (so `twin up` / `lab` cannot start a twin), or why not. */
const nonRoot: { prefix: string[] } | { why: string } = (() => {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
  const probe = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, "-e", "0"], { encoding: "utf8" });
  return probe.status === 0 ? { prefix } : { why: `running as root and \`setpriv --reuid=65534 node\` does not work (${probe.error?.message ?? probe.stderr.trim()})` };
})();

const seconds: Record<string, number> = {};
function timed<T>(what: string, f: () => T): T {
  const t0 = Date.now();
  try {
    return f();
  } finally {
    seconds[what] = Math.round((Date.now() - t0) / 100) / 10;
  }
}

/** The project's own tsc (strict; installed declarations checked) and then node on the output. */
function compileAndRun(p: UserProject, label: string): { tsc: Ran; node: Ran } {
  const tsc = timed(`${label}: tsc`, () => run(process.execPath, [join(p.dir, "node_modules", "typescript", "bin", "tsc"), "-p", "."], p.dir));
  if (tsc.status !== 0) return { tsc, node: tsc };
  const node = timed(`${label}: node (synth)`, () => run(process.execPath, ["out/main.js"], p.dir, { timeoutMs: 120_000 }));
  return { tsc, node };
}

function failWith(r: Ran, what: string): never {
  throw new Error(`${what}: \`${r.cmd}\` exited ${r.status}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
}

/** The synthesized my-lab stack of a project, or a failure naming what went wrong before it. */
function myLabStack(p: UserProject, r: { tsc: Ran; node: Ran }): any {
  if (r.tsc.status !== 0) failWith(r.tsc, "the README example does not compile");
  if (r.node.status !== 0) failWith(r.node, "the README example does not synthesize");
  const f = join(p.dir, "cdktf.out", "stacks", "my-lab", "cdk.tf.json");
  if (!existsSync(f)) throw new Error(`the README example ran but wrote no ${f}`);
  return JSON.parse(readFileSync(f, "utf8"));
}

/** The lab name of a synthesized stack: its one "<lab>_description" output. */
function labName(doc: any): string {
  const names = Object.keys(doc.output ?? {}).filter((k) => k.endsWith("_description"));
  expect(names).toHaveLength(1);
  return names[0].replace(/_description$/, "");
}

/** Synthesizes the twin's default layouts through the installed package's synthLayout (node in the project). */
function synthLayouts(p: UserProject): Record<string, any> {
  const script = `
    const { synthLayout, LAYOUTS } = require("dvr-lab/dist/lib/twin/lab");
    const out = {};
    for (const l of Object.keys(LAYOUTS)) out[l] = { stack: synthLayout(l), module: require.resolve("dvr-lab/dist/lib/layouts/" + LAYOUTS[l].dir) };
    process.stdout.write(JSON.stringify(out));`;
  const r = run(process.execPath, ["-e", script], p.dir, { timeoutMs: 120_000 });
  if (r.status !== 0) failWith(r, "synthLayout from the installed package");
  return JSON.parse(r.stdout);
}

describeWithRegistry(registry.ok ? "the npm package (npm pack, installed from the tarball)" : `the npm package (SKIPPED: no npm registry: ${registry.why})`, () => {
  let tmp: string | undefined;
  let tarball: string;
  let shipped: string[];
  let example: string;
  /** Packages the README example imports beyond dvr-lab, cdktf and constructs, at the repo's pins. */
  let extraDeps: Record<string, string>;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "dvr-lab-package-"));
    chmodSync(tmp, 0o755); // the non-root `twin up` below reads the projects
    const stale = staleSources();
    if (stale.length) timed("npm run build (dist/ was stale)", () => runOk("npm", ["run", "build"], REPO, { timeoutMs: 300_000 }));
    // --ignore-scripts: `prepare` would run tsc a second time; dist/ is fresh now.
    const pack = timed("npm pack", () => runOk("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp!], REPO, { timeoutMs: 120_000 }));
    const info = (JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[])[0];
    tarball = join(tmp, info.filename);
    shipped = info.files.map((f) => f.path);
    example = readmeBlock(README, EXAMPLE_HEADING);
    extraDeps = Object.fromEntries(
      importedPackages(example)
        .filter((n) => !["dvr-lab", "cdktf", "constructs"].includes(n))
        .map((n) => [n, repoPin(n)]),
    );
  }, 420_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    console.log(`test/package durations (s):\n${Object.entries(seconds).map(([k, v]) => `  ${k}: ${v}`).join("\n")}`);
  });

  it("the tarball ships what the package needs at run time, no stale build output, and every file its docs link to", () => {
    const has = new Set(shipped);
    const needed = [
      "package.json",
      "bin/dvr-lab.js",
      "dist/lib/index.js",
      "dist/lib/index.d.ts",
      "dist/lib/cli/main.js",
      "dist/lib/verify/cli.js",
      "dist/lib/twin/cli.js",
      "dist/lib/twin/lab-cli.js",
      // lib/twin/lab.ts synthLayout requires ../layouts/<dir>
      "dist/lib/layouts/reference-lab.js",
      "dist/lib/layouts/upstream-layout.js",
      // read at run time from the package root (lib/push/remote-script.ts, the twin)
      "remote/dvr_push.py",
      "remote/twin/ns-init.sh",
      "remote/twin/systemctl",
    ];
    expect(needed.filter((f) => !has.has(f))).toEqual([]);
    // A compiled file whose source is gone would be published anyway: `rm -rf dist && npm run build`.
    const orphans = shipped.filter((f) => /^dist\/lib\/.*\.js$/.test(f)).filter((f) => !existsSync(join(REPO, f.replace(/^dist\//, "").replace(/\.js$/, ".ts"))));
    expect(orphans).toEqual([]);
    // Relative links of the shipped docs must resolve inside the package.
    const broken: string[] = [];
    for (const md of shipped.filter((f) => f === "README.md" || /^docs\/.*\.md$/.test(f))) {
      const dir = md.includes("/") ? md.slice(0, md.lastIndexOf("/") + 1) : "";
      for (const m of readFileSync(join(REPO, md), "utf8").matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split("#")[0];
        if (!target || /^[a-z]+:/i.test(target)) continue;
        const path = join(dir, target).replace(/\/$/, "");
        if (!has.has(path) && !shipped.some((f) => f.startsWith(`${path}/`))) broken.push(`${md} -> ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  describe("a plain cdktf 0.21 project", () => {
    let p: UserProject;
    let compiled: { tsc: Ran; node: Ran };
    let stack: any;
    let layouts: Record<string, any> | undefined;

    beforeAll(() => {
      p = timed("cdktf project: npm install", () =>
        makeProject(join(tmp!, "cdktf-user"), { "dvr-lab": `file:${tarball}`, ...PLAIN, ...extraDeps }, example),
      );
      compiled = compileAndRun(p, "cdktf project");
      try {
        stack = myLabStack(p, compiled); // the next test reports why when this fails
      } catch {
        stack = undefined;
      }
    }, 900_000);

    it("installs one cdktf and one constructs, shared with dvr-lab", () => {
      expect(installedCopies(p.dir, "cdktf")).toEqual([`node_modules/cdktf cdktf@${PLAIN.cdktf}`]);
      expect(installedCopies(p.dir, "constructs")).toEqual([`node_modules/constructs constructs@${PLAIN.constructs}`]);
    });

    it("compiles README's example (strict, declarations checked) and synthesizes a DvrLab", () => {
      const doc = myLabStack(p, compiled);
      const routers = Object.values(doc.resource?.openstack_networking_router_v2 ?? {}) as any[];
      expect(routers.map((r) => r.distributed).sort()).toEqual([false, true]);
      const vms = Object.values(doc.resource?.openstack_compute_instance_v2 ?? {}) as any[];
      expect(vms.length).toBeGreaterThan(0);
      for (const vm of vms) expect(vm.availability_zone).toMatch(/^nova:\S+$/);
      expect(doc["//"].metadata.version).toBe(PLAIN.cdktf);
      labName(doc);
    });

    it("every dvr-lab command answers --help with its usage (exit 0)", () => {
      const main = run(p.bin, ["--help"], p.dir);
      expect(main.status).toBe(0);
      expect(main.stdout).toMatch(/^usage: dvr-lab <command>/);
      // The commands as `dvr-lab --help` lists them (lib/cli/main.ts).
      const commands = main.stdout.split("commands:\n")[1].split("\n\n")[0].split("\n").map((l) => /^ {2}(\S+)/.exec(l)?.[1]).filter((c): c is string => !!c);
      expect(commands).toEqual(["verify", "twin", "lab"]);
      const cases: [string[], number, RegExp][] = [
        [[], 2, /^usage: dvr-lab <command>/],
        [["-h"], 0, /^usage: dvr-lab <command>/],
        ...commands.map((c): [string[], number, RegExp] => [[c, "--help"], 0, new RegExp(`^usage: dvr-lab ${c} `)]),
        [["twin", "up", "--help"], 0, /^usage: dvr-lab twin /],
        [["twin", "status", "--help"], 0, /^usage: dvr-lab twin /],
        [["twin", "down", "--help"], 0, /^usage: dvr-lab twin /],
        [["lab", "-h"], 0, /^usage: dvr-lab lab /],
      ];
      const wrong = cases
        .map(([args, code, usage]) => ({ args, code, usage, r: run(p.bin, args, p.dir) }))
        .filter(({ code, usage, r }) => r.status !== code || !usage.test(r.stdout))
        .map(({ args, code, r }) => `dvr-lab ${args.join(" ")}: exit ${r.status} (want ${code}), stdout ${JSON.stringify(r.stdout.slice(0, 60))}, stderr ${JSON.stringify(r.stderr.slice(0, 200))}`);
      expect(wrong).toEqual([]);
      const unknown = run(p.bin, ["no-such-command"], p.dir);
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain('unknown command "no-such-command"');
    });

    it("dvr-lab verify --plan prints the plan of the synthesized stack; usage errors exit 2", () => {
      if (!stack) throw new Error("no synthesized stack (the README example test failed)");
      const file = join(p.dir, "cdktf.out", "stacks", "my-lab", "cdk.tf.json");
      const lab = labName(stack);
      const planned = run(p.bin, ["verify", "--synth", file, "--lab", lab, "--plan"], p.dir);
      if (planned.status !== 0) failWith(planned, "verify --plan");
      expect(planned.stdout).toMatch(/^\d+ node commands$/m);
      const hosts = new Set(planned.stdout.split("\n").map((l) => l.split("\t")[1]).filter(Boolean));
      expect([...hosts]).toEqual(expect.arrayContaining(["com1", "com2"]));
      const wrongLab = run(p.bin, ["verify", "--synth", file, "--lab", "nope", "--plan"], p.dir);
      // The exact wording is the CLI's own tests' business; here: a usage error (2) naming the problem.
      expect([wrongLab.status, wrongLab.stderr]).toEqual([2, expect.stringContaining("nope_description")]);
      const noAccess = run(p.bin, ["verify", "--synth", file, "--lab", lab], p.dir);
      expect([noAccess.status, noAccess.stderr]).toEqual([2, expect.stringContaining("--access")]);
    });

    it("twin status / down without a twin and lab with an unknown layout or fault answer without doing anything", () => {
      const state = join(tmp!, "no-twin");
      // Exit codes other than 0 and 2 (usage) are the CLI's own table (lib/cli); here: not 0, and the message.
      const status = run(p.bin, ["twin", "status", "--state-dir", state], p.dir);
      expect(status.status).not.toBe(0);
      expect(status.stdout).toContain(`not running (no state in ${state})`);
      const down = run(p.bin, ["twin", "down", "--state-dir", state], p.dir);
      expect([down.status, down.stdout]).toEqual([0, expect.stringContaining(`not running (no state in ${state})`)]);
      expect(existsSync(state)).toBe(false);
      const layout = run(p.bin, ["lab", "--layout", "nope"], p.dir);
      expect([layout.status, ...["nope", "reference", "upstream"].map((w) => layout.stderr.includes(w))]).toEqual([2, true, true, true]);
      const fault = run(p.bin, ["lab", "--fault", "nope"], p.dir);
      expect([fault.status, fault.stderr]).toEqual([2, expect.stringContaining("nope")]);
    });

    it("the twin's default layouts load and synthesize from the installed package (synthLayout)", () => {
      layouts = timed("cdktf project: synthLayout reference+upstream", () => synthLayouts(p));
      expect(Object.keys(layouts).sort()).toEqual(["reference", "upstream"]);
      for (const [l, { stack: s, module }] of Object.entries(layouts)) {
        expect(module).toBe(join(p.dir, "node_modules", "dvr-lab", "dist", "lib", "layouts", `${l === "reference" ? "reference-lab" : "upstream-layout"}.js`));
        expect(Object.keys(s.resource.openstack_networking_router_v2 ?? {}).length).toBeGreaterThan(0);
        expect(Object.keys(s.resource.openstack_compute_instance_v2 ?? {}).length).toBeGreaterThan(0);
        expect(Object.keys(s.output)).toEqual([`${l}_description`]);
      }
    });

    const nonRootIt = "prefix" in nonRoot ? it : it.skip;
    nonRootIt(`dvr-lab twin up (default and --layout upstream) synthesizes the layout from the installed package, then stops at the root check as a non-root uid${"why" in nonRoot ? ` (SKIPPED: ${nonRoot.why})` : ""}`, () => {
      const prefix = (nonRoot as { prefix: string[] }).prefix;
      const as = (args: string[]) => (prefix.length ? run(prefix[0], [...prefix.slice(1), p.bin, ...args], p.dir) : run(p.bin, args, p.dir));
      // synthLayout + the stack's description come before the root check (lib/twin/cli.ts): stopping at
      // the root check (its own exit code, not 0) proves both ran; a layout the package lacks fails
      // before it with "Cannot find module '../layouts/...'".
      for (const args of [["twin", "up"], ["twin", "up", "--layout", "upstream"]]) {
        const r = timed(`cdktf project: non-root ${args.join(" ")}`, () => as(args));
        expect([args.join(" "), r.status === 0, r.stderr]).toEqual([args.join(" "), false, expect.stringMatching(/^dvr-lab twin: this machine lacks: root\b/)]);
      }
      const lab = as(["lab"]);
      expect([lab.status === 0, lab.stderr]).toEqual([false, expect.stringMatching(/^dvr-lab lab: this machine lacks: root\b/)]);
    });

    describe("a CDK Terrain (cdktn 0.24.0) project", () => {
      let q: UserProject;
      let qCompiled: { tsc: Ran; node: Ran };

      beforeAll(() => {
        q = timed("cdktn project: npm install", () =>
          makeProject(
            join(tmp!, "cdktn-user"),
            { "dvr-lab": `file:${tarball}`, cdktf: CDKTN, constructs: CDKTN_CONSTRUCTS, typescript: PLAIN.typescript, "@types/node": PLAIN["@types/node"], ...extraDeps },
            example,
            // cdktf: dvr-lab's own dependency "cdktf" becomes cdktn too. constructs: dvr-lab pins
            // constructs 10.4.2 exactly; without this override it gets its own nested copy (see below).
            { cdktf: CDKTN, constructs: CDKTN_CONSTRUCTS },
          ),
        );
        qCompiled = compileAndRun(q, "cdktn project");
      }, 900_000);

      it("the overrides make dvr-lab's own require(\"cdktf\") load cdktn, with one constructs in the range cdktn wants", () => {
        expect(installedCopies(q.dir, "cdktf")).toEqual(["node_modules/cdktf cdktn@0.24.0"]);
        expect(installedCopies(q.dir, "constructs")).toEqual([`node_modules/constructs constructs@${CDKTN_CONSTRUCTS}`]);
        const script = `
          const { dirname } = require("path");
          const fromDvrLab = require.resolve("cdktf", { paths: [dirname(require.resolve("dvr-lab"))] });
          const core = require("cdktf/package.json");
          const semver = require(require.resolve("semver", { paths: [dirname(require.resolve("cdktf"))] })); // cdktn's own
          process.stdout.write(JSON.stringify({ fromDvrLab, name: require(fromDvrLab.replace(/lib\\/index\\.js$/, "package.json")).name,
            constructsOk: semver.satisfies(require("constructs/package.json").version, core.peerDependencies.constructs) }));`;
        const r = run(process.execPath, ["-e", script], q.dir);
        if (r.status !== 0) failWith(r, "resolving cdktf from dvr-lab");
        expect(JSON.parse(r.stdout)).toEqual({ fromDvrLab: join(q.dir, "node_modules", "cdktf", "lib", "index.js"), name: "cdktn", constructsOk: true });
      });

      it("README's example synthesizes the same cdk.tf.json as under cdktf 0.21, except the local backend path and the core version in \"//\"", () => {
        const terrain = myLabStack(q, qCompiled);
        if (!stack) throw new Error("no cdktf 0.21 stack to compare with (the plain project's README example test failed)");
        // What differs (found by hand, asserted here):
        //   terraform.backend.local.path   each project's own absolute path (<project>/terraform.my-lab.tfstate)
        //   "//".metadata.version          "0.21.0" under cdktf, "0.24.0" under cdktn
        // Everything else (resources, data, outputs, variables, providers, required_providers,
        // the rest of "//") is equal.
        expect(terrain.terraform.backend.local.path).toBe(join(q.dir, "terraform.my-lab.tfstate"));
        expect(stack.terraform.backend.local.path).toBe(join(p.dir, "terraform.my-lab.tfstate"));
        expect([stack["//"].metadata.version, terrain["//"].metadata.version]).toEqual(["0.21.0", "0.24.0"]);
        expect(withoutLocalDetails(terrain)).toEqual(withoutLocalDetails(stack));
      });

      it("the twin's default layouts synthesize the same under cdktn, except the same two fields", () => {
        const terrain = timed("cdktn project: synthLayout reference+upstream", () => synthLayouts(q));
        const cdktf = layouts ?? synthLayouts(p);
        for (const l of Object.keys(cdktf)) {
          expect(terrain[l].stack["//"].metadata.version).toBe("0.24.0");
          expect(withoutLocalDetails(terrain[l].stack)).toEqual(withoutLocalDetails(cdktf[l].stack));
        }
      });

      it("dvr-lab verify --plan reads the cdktn-synthesized stack", () => {
        const file = join(q.dir, "cdktf.out", "stacks", "my-lab", "cdk.tf.json");
        if (!existsSync(file)) throw new Error("no synthesized stack (the cdktn README example test failed)");
        const planned = run(q.bin, ["verify", "--synth", file, "--lab", labName(JSON.parse(readFileSync(file, "utf8"))), "--plan"], q.dir);
        if (planned.status !== 0) failWith(planned, "verify --plan under cdktn");
        expect(planned.stdout).toMatch(/^\d+ node commands$/m);
      });

      it("overriding only cdktf leaves dvr-lab its own constructs 10.4.2, and tsc rejects the example (two Construct types)", () => {
        const half = timed("cdktn project without the constructs override: npm install", () =>
          makeProject(
            join(tmp!, "cdktn-user-no-constructs-override"),
            { "dvr-lab": `file:${tarball}`, cdktf: CDKTN, constructs: CDKTN_CONSTRUCTS, typescript: PLAIN.typescript, "@types/node": PLAIN["@types/node"], ...extraDeps },
            example,
            { cdktf: CDKTN },
          ),
        );
        expect(installedCopies(half.dir, "constructs")).toEqual([`node_modules/constructs constructs@${CDKTN_CONSTRUCTS}`, `node_modules/dvr-lab/node_modules/constructs constructs@${PLAIN.constructs}`]);
        const tsc = timed("cdktn project without the constructs override: tsc", () => run(process.execPath, [join(half.dir, "node_modules", "typescript", "bin", "tsc"), "-p", "."], half.dir));
        expect(tsc.status).not.toBe(0);
        expect(tsc.stdout).toContain("Types have separate declarations of a private property");
      }, 600_000);
    });
  });
});
