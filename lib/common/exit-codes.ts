/**
 * The exit codes of every `dvr-lab` command, defined once: each code means exactly one thing, and
 * every command's `--help` prints its codes from here (the README's "Command line" table too).
 *
 * lib/verify/run.ts (`Report.exitCode`) and lib/twin/lab.ts (`LabRunResult.exitCode`) compute
 * OK / FAILED / INCONCLUSIVE with the same values (test/cli/verify.test.ts runs the verifier to each).
 */
export const EXIT = {
  /** The command did what it was asked; a verification: the gate and every row passed. */
  OK: 0,
  /** A verification failed (the gate or a row), or the command failed (bring-up, teardown, an error). */
  FAILED: 1,
  /** The command line is wrong (unknown option, bad value, missing or unreadable input it names); nothing ran. */
  USAGE: 2,
  /** A verification is inconclusive: nothing failed, but not every direction could be proven. */
  INCONCLUSIVE: 3,
  /** This machine lacks prerequisites for the command (named on stderr); nothing ran. */
  PREREQUISITES: 4,
  /** `twin status`: no twin is running with that name / state dir. */
  NOT_RUNNING: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** One line per code, as `--help` and the README show them. */
export const EXIT_CODE_LINES: Readonly<Record<ExitCode, string>> = {
  0: "ok: the command did what it was asked; a verification: the gate and every row passed",
  1: "failed: the gate or a row failed, or the command failed (bring-up, teardown, an error)",
  2: "usage: unknown option, bad value, missing or unreadable input; nothing ran",
  3: "inconclusive: nothing failed, but not every direction could be proven",
  4: "this machine lacks prerequisites (named on stderr; the twin needs root); nothing ran",
  5: "not running: twin status found no twin with that name / state dir",
};

/** Killed by a signal: 128 + its number (`dvr-lab lab` tears the twin down first). */
export const SIGNAL_EXIT_LINE = "130/143  interrupted by SIGINT/SIGTERM (128 + signal)";

/** The "exit codes:" block of a command's `--help`: the codes it can return, meanings from EXIT_CODE_LINES. */
export function exitCodesHelp(codes: readonly ExitCode[], opts: { signals?: boolean } = {}): string {
  const lines = codes.map((c) => `  ${String(c).padEnd(3)}${EXIT_CODE_LINES[c]}`);
  if (opts.signals) lines.push(`  ${SIGNAL_EXIT_LINE}`);
  return `exit codes:\n${lines.join("\n")}\n`;
}

/** Every code, for `dvr-lab --help`. */
export const ALL_EXIT_CODES: readonly ExitCode[] = Object.values(EXIT);
