/**
 * The ONE argument parser of every `dvr-lab` command: `node:util` `parseArgs` in strict mode, plus
 * what it lacks: typed and range-checked integers, value choices and patterns, no option given
 * twice, positionals counted, `-h/--help` on every command. Every problem is a `UsageError` whose
 * one-line message names the option; `usageFailure` prints it as
 * `<command>: <message> (see <command> --help)` and returns EXIT.USAGE.
 */
import { parseArgs as nodeParseArgs } from "node:util";
import { EXIT } from "./exit-codes";

export interface BooleanOption {
  readonly type: "boolean";
  readonly short?: string;
}

export interface StringOption {
  readonly type: "string";
  readonly short?: string;
  readonly default?: string;
  /** The only values accepted. */
  readonly choices?: readonly string[];
  /** The value must match; `patternHint` says what is expected ("a name: letters, digits, . _ -"). */
  readonly pattern?: RegExp;
  readonly patternHint?: string;
}

export interface IntegerOption {
  readonly type: "integer";
  readonly min: number;
  readonly max: number;
  readonly default?: number;
}

export type OptionSpec = BooleanOption | StringOption | IntegerOption;
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface CommandSpec<O extends OptionSpecs> {
  /** As the user typed it, for messages: "dvr-lab twin up". */
  readonly command: string;
  /** Long names without the dashes ("state-dir"); `help` (-h) is added to every command. */
  readonly options: O;
  /** Positional arguments accepted (default none). */
  readonly positionals?: { readonly min: number; readonly max: number };
}

type ValueOf<S> = S extends BooleanOption ? boolean : S extends IntegerOption ? number : string;

/** Booleans are false unless given; options with a default always have a value; the rest may be undefined. */
export type Values<O extends OptionSpecs> = {
  -readonly [K in keyof O]: O[K] extends BooleanOption ? boolean : O[K] extends { default: unknown } ? ValueOf<O[K]> : ValueOf<O[K]> | undefined;
};

export type Parsed<O extends OptionSpecs> =
  | { readonly help: true }
  | { readonly help: false; readonly values: Values<O>; readonly positionals: string[]; readonly given: ReadonlySet<string> };

/** A wrong command line, or an input it names (a file, an environment variable) that is missing or invalid. */
export class UsageError extends Error {
  /** seeHelp: end the printed line with "(see <command> --help)" (not for an unreadable input file). */
  constructor(
    message: string,
    readonly seeHelp = true,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

/** An input the command line names is missing or invalid: exit 2, without the --help hint. */
export function inputError(message: string): UsageError {
  return new UsageError(message, false);
}

/** The declared option nearest to a mistyped one (edit distance, a swap of two letters counting once). */
function closest(name: string, known: readonly string[]): string | undefined {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++) {
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1); // transposed
      }
    return d[a.length][b.length];
  };
  const best = known.map((k) => ({ k, d: dist(name, k) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(1, Math.floor(name.length / 3)) ? best.k : undefined;
}

function withHelp(options: OptionSpecs): Record<string, { type: "boolean" | "string"; short?: string }> {
  const out: Record<string, { type: "boolean" | "string"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [k, s] of Object.entries(options)) out[k] = { type: s.type === "boolean" ? "boolean" : "string", ...("short" in s && s.short ? { short: s.short } : {}) };
  return out;
}

type Token = { kind: "option"; name: string; rawName: string; value?: string; inlineValue?: boolean } | { kind: "positional"; value: string } | { kind: "option-terminator" };

/** The non-strict tokens: what the user wrote, for naming the offending option. */
function tokensOf(options: ReturnType<typeof withHelp>, args: readonly string[]): Token[] {
  return nodeParseArgs({ args: [...args], options, strict: false, allowPositionals: true, tokens: true }).tokens as Token[];
}

/** The option or argument strict parsing rejected, as a one-line message. */
function diagnose(spec: CommandSpec<OptionSpecs>, tokens: Token[], fallback: string): string {
  const known = Object.keys(spec.options);
  const max = spec.positionals?.max ?? 0;
  let positionals = 0;
  for (const t of tokens) {
    if (t.kind === "positional") {
      if (++positionals > max) return `unexpected argument "${t.value}"`;
      continue;
    }
    if (t.kind !== "option") continue;
    const s = t.name === "help" ? ({ type: "boolean" } as const) : spec.options[t.name];
    if (!s) {
      const near = t.rawName.startsWith("--") ? closest(t.name, known) : undefined;
      return `unknown option ${t.rawName}${near ? `; did you mean --${near}?` : ""}`;
    }
    const raw = `--${t.name}`;
    if (s.type === "boolean" && t.value !== undefined) return `${raw} takes no value (got "${t.value}")`;
    if (s.type !== "boolean" && t.value === undefined) return `${raw} needs a value`;
    if (s.type !== "boolean" && !t.inlineValue && t.value!.startsWith("-")) return `${raw} needs a value (got the option-like "${t.value}"; write ${raw}=${t.value} if that is the value)`;
  }
  return fallback.split("\n")[0];
}

function convert(name: string, s: OptionSpec, value: string): string | number {
  const opt = `--${name}`;
  if (s.type === "integer") {
    const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n < s.min || n > s.max) throw new UsageError(`${opt} must be an integer from ${s.min} to ${s.max} (got "${value}")`);
    return n;
  }
  if (s.type === "string") {
    if (s.choices && !s.choices.includes(value)) throw new UsageError(`${opt} must be one of ${s.choices.join(", ")} (got "${value}")`);
    if (s.pattern && !s.pattern.test(value)) throw new UsageError(`${opt} must be ${s.patternHint ?? `like ${String(s.pattern)}`} (got "${value}")`);
    if (value === "") throw new UsageError(`${opt} needs a non-empty value`);
  }
  return value;
}

/**
 * Parses `args` against the command's declared options (strict: unknown options, missing values,
 * values for booleans, surplus positionals, an option given twice and bad numbers or choices all
 * throw a UsageError naming the option). `-h/--help` anywhere wins over any other problem.
 */
export function parse<O extends OptionSpecs>(spec: CommandSpec<O>, args: readonly string[]): Parsed<O> {
  const options = withHelp(spec.options);
  const tokens = tokensOf(options, args);
  if (tokens.some((t) => t.kind === "option" && t.name === "help")) return { help: true };
  let raw: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    raw = nodeParseArgs({ args: [...args], options, strict: true, allowPositionals: (spec.positionals?.max ?? 0) > 0 }) as typeof raw;
  } catch (e) {
    throw new UsageError(diagnose(spec, tokens, (e as Error).message));
  }
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given more than once`);
    seen.add(t.name);
  }
  const p = spec.positionals ?? { min: 0, max: 0 };
  if (raw.positionals.length > p.max) throw new UsageError(`unexpected argument "${raw.positionals[p.max]}"`);
  if (raw.positionals.length < p.min) throw new UsageError(`missing argument${p.min > 1 ? "s" : ""}`);
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [name, s] of Object.entries(spec.options)) {
    const v = raw.values[name];
    if (s.type === "boolean") values[name] = v === true;
    else if (typeof v === "string") values[name] = convert(name, s, v);
    else values[name] = s.default;
  }
  return { help: false, values: values as Values<O>, positionals: raw.positionals, given: seen };
}

/** Throws unless exactly one (or, with atMost, at most one) of `names` was given. */
export function oneOf(given: ReadonlySet<string>, names: readonly string[], opts: { atMost?: boolean } = {}): string | undefined {
  const have = names.filter((n) => given.has(n));
  const list = names.map((n) => `--${n}`).join(", ");
  if (have.length > 1) throw new UsageError(`give ${opts.atMost ? "at most" : "exactly"} one of ${list} (got ${have.map((n) => `--${n}`).join(" and ")})`);
  if (!have.length && !opts.atMost) throw new UsageError(`give exactly one of ${list}`);
  return have[0];
}

/** Where a command writes; tests pass their own (the CLI then runs in-process, nothing is spawned). */
export interface CliIo {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: (s: string) => void;
  readonly stderr?: (s: string) => void;
}

export function resolveIo(io: CliIo = {}): { env: NodeJS.ProcessEnv; out: (s: string) => void; err: (s: string) => void } {
  return {
    env: io.env ?? process.env,
    out: io.stdout ?? ((s: string) => void process.stdout.write(s)),
    err: io.stderr ?? ((s: string) => void process.stderr.write(s)),
  };
}

/** Prints a UsageError as one line and returns EXIT.USAGE; anything else is rethrown. */
export function usageFailure(command: string, e: unknown, err: (s: string) => void): number {
  if (!(e instanceof UsageError)) throw e;
  err(`${command}: ${e.message}${e.seeHelp ? ` (see ${command} --help)` : ""}\n`);
  return EXIT.USAGE;
}
