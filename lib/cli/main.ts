/**
 * `dvr-lab` command line: dispatches to the subcommands. Each subcommand lives with its feature
 * (lib/verify/cli.ts, lib/twin/cli.ts, lib/twin/lab-cli.ts), parses its arguments with the one
 * parser (lib/common/args.ts) and returns an exit code from lib/common/exit-codes.ts.
 */
import { resolveIo, type CliIo } from "../common/args";
import { ALL_EXIT_CODES, EXIT, exitCodesHelp } from "../common/exit-codes";

export const USAGE = `usage: dvr-lab <command> [options]

commands:
  verify    verify a deployed lab's routing against its topology table (see dvr-lab verify --help)
  twin      run a real Neutron DVR lab twin on this machine: up | status | down (root)
  lab       twin up, verify, twin down (root)

Every command takes -h/--help; unknown options and bad values exit 2 naming the option.

${exitCodesHelp(ALL_EXIT_CODES, { signals: true })}`;

/** What `main` passes on: where to write, and (twin, lab) the machine check to use. */
export interface MainIo extends CliIo {
  readonly prerequisites?: () => Promise<string[]>;
}

type Runner = (args: string[], io: MainIo) => Promise<number>;

const COMMANDS: Record<string, () => Runner> = {
  // Loaded lazily so that one feature's dependencies never slow down another's start.
  verify: () => require("../verify/cli").run,
  twin: () => require("../twin/cli").run,
  lab: () => require("../twin/lab-cli").run,
};

export async function main(argv: string[], io: MainIo = {}): Promise<number> {
  const { out, err } = resolveIo(io);
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    out(USAGE);
    return command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!load) {
    const what = command.startsWith("-") ? `unknown option ${command}` : `unknown command "${command}" (known: ${Object.keys(COMMANDS).join(", ")})`;
    err(`dvr-lab: ${what} (see dvr-lab --help)\n`);
    return EXIT.USAGE;
  }
  return load()(rest, io);
}
