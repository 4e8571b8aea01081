import { spawn } from "child_process";
import { appendFileSync } from "fs";
import { StringDecoder } from "string_decoder";

/**
 * The library's one process runner: every child process that the toolchain (terraform, cdktf) and the
 * twin (ip, ovs-vsctl, nsenter, openstack, ...) start goes through `spawnLines`; `run` collects the
 * output of a short command, `runLines` streams the lines of a long one. (Detached daemons and the
 * verifier's interactive SSH sessions are started elsewhere: they outlive a call or talk on stdin.)
 */

/** Exit code of a child ended by a signal: 128 + its number, as a shell reports it. */
export function signalExitCode(signal: NodeJS.Signals): number {
  const n = ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal];
  return 128 + (n ?? 0);
}

export interface SpawnLinesOptions {
  readonly cwd?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. @default "" (stdin closed at once) */
  readonly input?: string;
  /** SIGKILL after this many milliseconds. @default no limit */
  readonly timeoutMs?: number;
  /** Each complete line of stdout (without its newline); the last partial line at exit too. */
  readonly onStdout?: (line: string) => void;
  /** Each complete line of stderr. */
  readonly onStderr?: (line: string) => void;
  /** Keep the whole stdout and stderr text in the outcome. @default false */
  readonly collect?: boolean;
}

export interface SpawnOutcome {
  /** The exit code; a signal counts as 128 + n; 127 when the program could not be started. */
  readonly code: number;
  readonly signal?: NodeJS.Signals;
  /** Set when the program could not be started (ENOENT, EACCES). */
  readonly startError?: Error;
  /** With `collect`: the output as it came, byte for byte (UTF-8). */
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts argv, hands its output over line by line, resolves when it has exited and its pipes closed. */
export function spawnLines(argv: readonly string[], o: SpawnLinesOptions = {}): Promise<SpawnOutcome> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: o.cwd, env: o.env ?? process.env, stdio: ["pipe", "pipe", "pipe"] });
    let timer: NodeJS.Timeout | undefined;
    if (o.timeoutMs) timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs);
    // A decoder per stream: a UTF-8 character split across two chunks stays one character.
    const splitter = (each?: (line: string) => void) => {
      const decoder = new StringDecoder("utf8");
      const buf = { rest: "", all: "" };
      const take = (text: string) => {
        if (o.collect) buf.all += text;
        if (!each) return;
        buf.rest += text;
        const lines = buf.rest.split("\n");
        buf.rest = lines.pop() ?? "";
        for (const line of lines) each(line);
      };
      const feed = (chunk: Buffer) => take(decoder.write(chunk));
      const flush = () => {
        take(decoder.end());
        if (each && buf.rest) each(buf.rest);
        buf.rest = "";
      };
      return { feed, flush, text: () => buf.all };
    };
    const out = splitter(o.onStdout);
    const err = splitter(o.onStderr);
    child.stdout.on("data", out.feed);
    child.stderr.on("data", err.feed);
    let settled = false;
    const settle = (v: SpawnOutcome) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(v);
    };
    child.on("error", (e) => settle({ code: 127, startError: e, stdout: out.text(), stderr: err.text() }));
    child.on("close", (code, signal) => {
      out.flush();
      err.flush();
      const text = { stdout: out.text(), stderr: err.text() };
      settle(signal ? { code: code ?? signalExitCode(signal), signal, ...text } : { code: code ?? 1, ...text });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(o.input ?? "");
  });
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Written to stdin. @default "" */
  readonly input?: string;
  /** SIGKILL after this many milliseconds. @default no limit */
  readonly timeoutMs?: number;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default the current directory */
  readonly cwd?: string;
}

/** Runs a short command and collects its output; never throws (a program that cannot start is exit 127). */
export async function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const r = await spawnLines(argv, { ...opts, collect: true });
  let stderr = r.stderr;
  if (r.startError) stderr += String(r.startError);
  if (r.signal) stderr += `(killed by ${r.signal})`;
  return { code: r.code, stdout: r.stdout, stderr };
}

/** Runs and throws with the command and its stderr on a non-zero exit; resolves with stdout. */
export async function must(argv: readonly string[], opts: RunOptions = {}, what?: string): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    throw new Error(`${what ?? argv.join(" ")} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  }
  return r.stdout;
}

/**
 * Runs a long command, hands each line of stdout and stderr to `onLine` (and appends it to `logFile`,
 * after `header`), and resolves with the exit code (a signal counts as 128 + n). Rejects when the
 * program cannot be started.
 */
export async function runLines(
  argv: readonly string[],
  o: { readonly cwd: string; readonly env: NodeJS.ProcessEnv; readonly logFile?: string; readonly header?: string; readonly onLine: (line: string) => void },
): Promise<number> {
  if (o.logFile) appendFileSync(o.logFile, `\n${o.header ?? `$ ${argv.join(" ")}`}\n`);
  const handle = (line: string) => {
    if (o.logFile) appendFileSync(o.logFile, line + "\n");
    o.onLine(line);
  };
  const r = await spawnLines(argv, { cwd: o.cwd, env: o.env, onStdout: handle, onStderr: handle });
  if (r.startError) throw r.startError;
  return r.code;
}
