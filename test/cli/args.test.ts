/** lib/common/args.ts: the one parser every dvr-lab command uses. */
import { oneOf, parse, UsageError, usageFailure } from "../../lib/common/args";

const SPEC = {
  command: "dvr-lab demo",
  options: {
    stack: { type: "string" },
    json: { type: "boolean" },
    runs: { type: "integer", min: 1, max: 100, default: 1 },
    pings: { type: "integer", min: 1, max: 1000 },
    window: { type: "string", choices: ["all", "row"], default: "all" },
    name: { type: "string", pattern: /^[a-z]+$/, patternHint: "lower-case letters" },
  },
} as const;

const fails = (args: string[], spec: Parameters<typeof parse>[0] = SPEC) => {
  try {
    parse(spec, args);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error(`parse(${JSON.stringify(args)}) did not fail`);
};

describe("parse", () => {
  test("typed values and defaults; booleans are false unless given", () => {
    const p = parse(SPEC, ["--stack", "f.json", "--runs=3", "--pings", "7", "--window", "row", "--json"]);
    expect(p).toMatchObject({ help: false, values: { stack: "f.json", runs: 3, pings: 7, window: "row", json: true, name: undefined }, positionals: [] });
    expect(parse(SPEC, [])).toMatchObject({ help: false, values: { runs: 1, window: "all", json: false, stack: undefined, pings: undefined } });
    const given = parse(SPEC, ["--json", "--runs", "2"]);
    expect(given.help === false && [...given.given].sort()).toEqual(["json", "runs"]);
  });

  test.each([
    [["--stak", "f"], "unknown option --stak; did you mean --stack?"],
    [["--bogus"], "unknown option --bogus"],
    [["-x"], "unknown option -x"],
    [["--stack"], "--stack needs a value"],
    [["--stack", "--json"], '--stack needs a value (got the option-like "--json"; write --stack=--json if that is the value)'],
    [["--runs", "-1"], '--runs needs a value (got the option-like "-1"; write --runs=-1 if that is the value)'],
    [["--json=yes"], '--json takes no value (got "yes")'],
    [["extra"], 'unexpected argument "extra"'],
    [["--", "extra"], 'unexpected argument "extra"'],
    [["--runs", "abc"], '--runs must be an integer from 1 to 100 (got "abc")'],
    [["--runs", "0"], '--runs must be an integer from 1 to 100 (got "0")'],
    [["--runs=-1"], '--runs must be an integer from 1 to 100 (got "-1")'],
    [["--runs", "1.5"], '--runs must be an integer from 1 to 100 (got "1.5")'],
    [["--runs", "1e2"], '--runs must be an integer from 1 to 100 (got "1e2")'],
    [["--runs", "101"], '--runs must be an integer from 1 to 100 (got "101")'],
    [["--runs", ""], '--runs must be an integer from 1 to 100 (got "")'],
    [["--pings", "0x10"], '--pings must be an integer from 1 to 1000 (got "0x10")'],
    [["--window", "pair"], '--window must be one of all, row (got "pair")'],
    [["--name", "A/b"], '--name must be lower-case letters (got "A/b")'],
    [["--stack", ""], "--stack needs a non-empty value"],
    [["--stack", "a", "--stack", "b"], "--stack is given more than once"],
  ])("rejects %j: %s", (args, message) => {
    expect(fails(args)).toBe(message);
  });

  test("-h / --help anywhere wins over any other problem; an option's value that looks like -h is not help", () => {
    expect(parse(SPEC, ["--help"])).toEqual({ help: true });
    expect(parse(SPEC, ["--bogus", "-h"])).toEqual({ help: true });
    expect(parse(SPEC, ["--runs", "abc", "--help"])).toEqual({ help: true });
    expect(fails(["--stack", "-h"])).toMatch(/^--stack needs a value/);
    expect(parse(SPEC, ["--stack=-h"])).toMatchObject({ help: false, values: { stack: "-h" } });
  });

  test("positionals: counted against the command's min and max", () => {
    const spec = { command: "dvr-lab demo", options: {}, positionals: { min: 1, max: 2 } } as const;
    expect(parse(spec, ["a", "b"])).toMatchObject({ positionals: ["a", "b"] });
    expect(fails(["a", "b", "c"], spec)).toBe('unexpected argument "c"');
    expect(fails([], spec)).toBe("missing argument");
  });
});

describe("oneOf and usageFailure", () => {
  const given = (...n: string[]) => new Set(n);
  test("exactly one / at most one", () => {
    expect(oneOf(given("a"), ["a", "b"])).toBe("a");
    expect(() => oneOf(given(), ["a", "b"])).toThrow("give exactly one of --a, --b");
    expect(() => oneOf(given("a", "b"), ["a", "b"])).toThrow("give exactly one of --a, --b (got --a and --b)");
    expect(oneOf(given(), ["a", "b"], { atMost: true })).toBeUndefined();
    expect(() => oneOf(given("a", "b"), ["a", "b"], { atMost: true })).toThrow("give at most one of --a, --b (got --a and --b)");
  });

  test("prints ONE line naming the command and where to look, returns 2; other errors are rethrown", () => {
    const lines: string[] = [];
    expect(usageFailure("dvr-lab twin up", new UsageError("unknown option --stak"), (s) => lines.push(s))).toBe(2);
    expect(usageFailure("dvr-lab verify", new UsageError("--access: a.json not found", false), (s) => lines.push(s))).toBe(2);
    expect(lines).toEqual(["dvr-lab twin up: unknown option --stak (see dvr-lab twin up --help)\n", "dvr-lab verify: --access: a.json not found\n"]);
    expect(() => usageFailure("dvr-lab verify", new Error("boom"), () => undefined)).toThrow("boom");
  });
});
