/** dvr-lab itself: the command dispatch, its --help and the one exit-code table (lib/common/exit-codes.ts). */
import * as fs from "node:fs";
import * as path from "node:path";
import { ALL_EXIT_CODES, EXIT, EXIT_CODE_LINES } from "../../lib/common/exit-codes";
import { USAGE as LAB_USAGE } from "../../lib/twin/lab-cli";
import { USAGE as TWIN_USAGE } from "../../lib/twin/cli";
import { USAGE as VERIFY_USAGE } from "../../lib/verify/cli";
import { cli, expectUsageError } from "./support";

describe("dvr-lab", () => {
  test("--help / -h: the commands and every exit code, exit 0", async () => {
    for (const h of ["--help", "-h"]) {
      const r = await cli([h]);
      expect([r.code, r.err]).toEqual([0, ""]);
      expect(r.out).toMatch(/^usage: dvr-lab <command>/);
      expect(r.out).toMatch(/^ {2}verify /m);
      expect(r.out).toMatch(/^ {2}twin /m);
      expect(r.out).toMatch(/^ {2}lab /m);
      for (const c of ALL_EXIT_CODES) expect(r.out).toContain(`  ${String(c).padEnd(3)}${EXIT_CODE_LINES[c]}\n`);
      expect(r.out).toContain("130/143");
    }
  });

  test("no command: the usage, exit 2", async () => {
    const r = await cli([]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^usage: dvr-lab <command>/);
  });

  test("an unknown command or option: exit 2, one line naming it", async () => {
    expectUsageError(await cli(["no-such-command"]), "dvr-lab", 'unknown command "no-such-command" (known: verify, twin, lab) (see dvr-lab --help)');
    expectUsageError(await cli(["--stak"]), "dvr-lab", "unknown option --stak (see dvr-lab --help)");
    expectUsageError(await cli(["toString"]), "dvr-lab", 'unknown command "toString"');
  });
});

describe("exit codes", () => {
  test("each code means one thing: distinct values 0-5, one line each", () => {
    expect(EXIT).toEqual({ OK: 0, FAILED: 1, USAGE: 2, INCONCLUSIVE: 3, PREREQUISITES: 4, NOT_RUNNING: 5 });
    expect(Object.keys(EXIT_CODE_LINES).map(Number)).toEqual([...ALL_EXIT_CODES]);
    expect(new Set(Object.values(EXIT_CODE_LINES)).size).toBe(ALL_EXIT_CODES.length);
  });

  test("every command's --help lists its codes with the table's meanings", () => {
    const line = (c: keyof typeof EXIT_CODE_LINES) => `  ${String(c).padEnd(3)}${EXIT_CODE_LINES[c]}\n`;
    const codes = (usage: string) => ALL_EXIT_CODES.filter((c) => usage.includes(line(c)));
    expect(codes(VERIFY_USAGE)).toEqual([0, 1, 2, 3]);
    expect(codes(TWIN_USAGE)).toEqual([0, 1, 2, 4, 5]);
    expect(codes(LAB_USAGE)).toEqual([0, 1, 2, 3, 4]);
    for (const u of [VERIFY_USAGE, TWIN_USAGE, LAB_USAGE]) expect(u).toMatch(/\nexit codes:\n/);
  });

  test("README's Command line section has the same table", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const section = readme.split("\n## Command line\n")[1]?.split("\n## ")[0];
    expect(section).toBeDefined();
    const rows = [...section!.matchAll(/^\| (\d+) \| (.+) \|$/gm)].map((m) => [Number(m[1]), m[2]]);
    expect(rows).toEqual(ALL_EXIT_CODES.map((c) => [c, EXIT_CODE_LINES[c]]));
  });
});
