/**
 * `dvr-lab` command line: dispatches to the subcommands. Each subcommand lives with its feature
 * (lib/verify/cli.ts, lib/twin/cli.ts) and exports `run(args): Promise<number>` (the exit code).
 */
const USAGE = `usage: dvr-lab <command> [options]

commands:
  verify    verify a deployed lab's routing against its topology table (see dvr-lab verify --help)
  twin      run a real Neutron DVR lab twin on this machine: up | status | down (root)
  lab       twin up, verify, twin down (root)
`;

type Runner = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Runner> = {
  // Loaded lazily so that one feature's dependencies never slow down another's start.
  verify: () => require("../verify/cli").run,
  twin: () => require("../twin/cli").run,
  lab: () => require("../twin/lab-cli").run,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load) {
    process.stderr.write(`dvr-lab: unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  return load()(rest);
}
