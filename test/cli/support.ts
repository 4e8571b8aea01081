/**
 * In-process runs of the `dvr-lab` CLI for the unit tests in test/cli: main() with captured
 * stdout/stderr, nothing spawned, and a machine check that always reports a missing prerequisite, so
 * that no test can ever start a twin (even as root on a machine that could run one).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { main, type MainIo } from "../../lib/cli/main";
import { ReferenceLabStack } from "../../lib/layouts/reference-lab";

export interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  /** How often the command asked for the machine's prerequisites (0: it stopped before). */
  readonly checks: number;
}

/** The "missing" prerequisite every test's machine check reports. */
export const NOT_HERE = "root (run as uid 0) [test/cli: never a twin from a unit test]";

export async function cli(argv: string[], io: Omit<MainIo, "stdout" | "stderr"> = {}): Promise<Ran> {
  const out: string[] = [];
  const err: string[] = [];
  let checks = 0;
  const code = await main(argv, {
    env: {},
    prerequisites: async () => {
      checks++;
      return [NOT_HERE];
    },
    ...io,
    stdout: (s) => void out.push(s),
    stderr: (s) => void err.push(s),
  });
  return { code, out: out.join(""), err: err.join(""), checks };
}

/** A usage error: exit 2, nothing on stdout, ONE line on stderr that names `what`. */
export function expectUsageError(r: Ran, command: string, what: RegExp | string): void {
  expect({ code: r.code, out: r.out, checks: r.checks }).toEqual({ code: 2, out: "", checks: 0 });
  const lines = r.err.split("\n").filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0].startsWith(`${command}: `)).toBe(true);
  if (typeof what === "string") expect(lines[0]).toContain(what);
  else expect(lines[0]).toMatch(what);
}

let synthDir: string | undefined;

/** The reference lab synthesized in-process (Testing.synth), written once as a cdk.tf.json. */
export function referenceStackFile(): string {
  if (!synthDir) {
    synthDir = fs.mkdtempSync(path.join(os.tmpdir(), "dvr-lab-cli-test-"));
    const app = Testing.app();
    const stack = new ReferenceLabStack(app, "reference-lab");
    fs.writeFileSync(path.join(synthDir, "cdk.tf.json"), Testing.synth(stack));
  }
  return path.join(synthDir, "cdk.tf.json");
}

const tmpDirs: string[] = [];

/** A fresh temp dir, removed after the suite (also when a test failed before removing it). */
export function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "dvr-lab-cli-test-"));
  tmpDirs.push(d);
  return d;
}

afterAll(() => {
  if (synthDir) fs.rmSync(synthDir, { recursive: true, force: true });
  synthDir = undefined;
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
