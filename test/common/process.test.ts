/**
 * The library's one process runner (lib/common/process.ts): `run` keeps the output byte for byte,
 * `runLines` streams lines (also the last one without a newline) and logs them, exit codes by
 * signal are 128 + n, a program that cannot start is 127 (run) or a rejection (runLines).
 */
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { must, run, runLines, signalExitCode, spawnLines } from "../../lib/common/process";

const sh = (script: string) => ["/bin/sh", "-c", script];

describe("run", () => {
  test("stdout and stderr exactly as written, including a missing final newline", async () => {
    const r = await run(sh("printf 'a\\n\\nb'; printf 'e1\\n' >&2; exit 3"));
    expect(r).toEqual({ code: 3, stdout: "a\n\nb", stderr: "e1\n" });
  });

  test("stdin is written, then closed", async () => {
    expect((await run(["cat"], { input: "héllo\n" })).stdout).toBe("héllo\n");
    expect((await run(["cat"])).stdout).toBe("");
  });

  test("a UTF-8 character split across chunks stays whole", async () => {
    // One ASCII byte, then 100,000 two-byte characters: the pipe delivers 64 KiB chunks, and an odd
    // offset makes every chunk boundary cut a character in half.
    const r = await run(["python3", "-c", "import sys; sys.stdout.buffer.write(('x' + 'é' * 100000).encode())"]);
    expect(r.stdout).toBe("x" + "é".repeat(100000));
  });

  test("timeout kills the child: 128 + 9, and stderr says so", async () => {
    const r = await run(sh("sleep 5"), { timeoutMs: 200 });
    expect(r.code).toBe(137);
    expect(r.stderr).toMatch(/killed by SIGKILL/);
  });

  test("a program that cannot start is exit 127 with the reason, not a throw", async () => {
    const r = await run(["/nonexistent/dvr-lab-no-such-program"]);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/ENOENT/);
  });

  test("cwd and env reach the child", async () => {
    const r = await run(sh('pwd; echo "$DVR_LAB_X"'), { cwd: "/", env: { PATH: process.env.PATH, DVR_LAB_X: "x1" } });
    expect(r.stdout).toBe("/\nx1\n");
  });
});

describe("must", () => {
  test("stdout on success; on failure an error naming the step, exit code and stderr", async () => {
    expect(await must(sh("echo ok"))).toBe("ok\n");
    await expect(must(sh("echo broken >&2; exit 2"), {}, "the step")).rejects.toThrow("the step failed (exit 2): broken");
  });
});

describe("runLines", () => {
  test("every line of both streams, the last partial one too, appended to the log after the header", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dvr-lab-process-"));
    try {
      const log = join(dir, "run.log");
      const lines: string[] = [];
      const code = await runLines(sh("echo one; echo two >&2; printf three"), { cwd: dir, env: process.env, logFile: log, header: "$ demo", onLine: (l) => lines.push(l) });
      expect(code).toBe(0);
      expect(lines.sort()).toEqual(["one", "three", "two"]);
      const text = readFileSync(log, "utf8");
      expect(text.startsWith("\n$ demo\n")).toBe(true);
      expect(text.split("\n").filter(Boolean).sort()).toEqual(["$ demo", "one", "three", "two"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a signal is 128 + n; a program that cannot start rejects", async () => {
    expect(await runLines(sh("kill -TERM $$"), { cwd: "/", env: process.env, onLine: () => undefined })).toBe(143);
    await expect(runLines(["/nonexistent/dvr-lab-no-such-program"], { cwd: "/", env: process.env, onLine: () => undefined })).rejects.toThrow(/ENOENT/);
  });
});

test("signalExitCode", () => {
  expect([signalExitCode("SIGINT"), signalExitCode("SIGTERM"), signalExitCode("SIGKILL")]).toEqual([130, 143, 137]);
});

test("spawnLines without collect keeps no output", async () => {
  const seen: string[] = [];
  const r = await spawnLines(sh("echo x"), { onStdout: (l) => seen.push(l) });
  expect([r.code, r.stdout, seen]).toEqual([0, "", ["x"]]);
});
