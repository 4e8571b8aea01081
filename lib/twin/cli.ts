import { existsSync, readFileSync } from "fs";
import { descriptionFromStack } from "../model/description-reader";
import { inputError, oneOf, parse, resolveIo, usageFailure, type CliIo, type CommandSpec, type OptionSpecs, type Values } from "../common/args";
import { EXIT, exitCodesHelp } from "../common/exit-codes";
import { LabDescription } from "../model/topology";
import { cloudPrerequisitesSync } from "./cloud/cloud";
import { defaultStateDir, loadState, Twin, twinPrerequisites } from "./twin";

/** A twin name becomes a directory under the state root that `down` removes: a plain name only. */
export const NAME_OPTION = { type: "string", pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, patternHint: "a name (letters, digits, . _ -; no /)" } as const;
export const LAYOUT_NAMES = ["reference", "upstream"] as const;

const SUBCOMMANDS = ["up", "status", "down"] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** The options of each `dvr-lab twin` subcommand (lib/common/args.ts parses them). */
export const SPECS = {
  up: {
    command: "dvr-lab twin up",
    options: {
      stack: { type: "string" },
      description: { type: "string" },
      layout: { type: "string", choices: LAYOUT_NAMES },
      builtin: { type: "string", choices: LAYOUT_NAMES },
      name: NAME_OPTION,
      "state-dir": { type: "string" },
      "converge-timeout": { type: "integer", min: 1, max: 3600 },
      "neutron-only": { type: "boolean" },
    },
  },
  status: { command: "dvr-lab twin status", options: { name: NAME_OPTION, "state-dir": { type: "string" }, json: { type: "boolean" } } },
  down: { command: "dvr-lab twin down", options: { name: NAME_OPTION, "state-dir": { type: "string" }, "keep-logs": { type: "boolean" } } },
} as const satisfies Record<Subcommand, CommandSpec<OptionSpecs>>;

export const USAGE = `usage: dvr-lab twin <up|status|down> [options]   (root)

  up      build the lab twin: namespaces per host, OVS (netdev), MariaDB, RabbitMQ, neutron-server,
          agents configured by the project's push, and (unless --neutron-only) the cloud twin:
          Keystone, Glance, Placement, Nova; tenant networks/routers, VMs as Nova instances; waits
          until every VM pair answers ping
  status  hosts, agents (alive, mode), router namespaces per host, VMs and ports
  down    kill everything by PID (namespace membership), remove the state dir

up options (at most one of --stack, --description, --layout):
  --stack FILE          synthesized cdk.tf.json: the description comes from its "<lab>_description"
                        output and the nodes are configured by its ConfigPush resources
  --description FILE    a LabDescription JSON (dvr-lab/lab@1); nodes get the push built from it
  --layout L            reference (default: ctrl1, com1 dvr_snat, com2 dvr) or upstream: the example,
                        synthesized in-process; its ConfigPush resources configure the nodes
                        (--builtin L is an alias)
  --converge-timeout S  cap of the data-plane gate in seconds, 1 to 3600 (default 90)
  --neutron-only        Neutron alone (noauth), the twin binding the VM ports itself; default: the
                        cloud twin, with Keystone, Glance, Placement and Nova (fake driver) on the
                        controller, Neutron with Keystone auth, the VMs Nova instances plugged by
                        the hypervisor stand-in (docs/CLOUD-TWIN.md); status prints the OS_* variables
up, status and down:
  --name NAME           twin name (default: the lab name; status/down: reference); selects the state dir
  --state-dir DIR       default: <package>/.twin/<name> (or $DVR_LAB_TWIN_STATE/<name>)
status:
  --json                print the state as JSON
down:
  --keep-logs           keep the state dir (logs) instead of removing it
  -h, --help

${exitCodesHelp([EXIT.OK, EXIT.FAILED, EXIT.USAGE, EXIT.PREREQUISITES, EXIT.NOT_RUNNING])}`;

/** The LabDescription from a synthesized stack: the (single) output named *_description (lib/model). */
export { descriptionFromStack };

/** The lab twin's prerequisites and the cloud twin's (Keystone, Glance, Placement, Nova packages). */
export async function cloudTwinPrerequisites(): Promise<string[]> {
  return [...new Set([...(await twinPrerequisites()), ...cloudPrerequisitesSync()])];
}

/** What `twin` and `lab` run before anything else: the missing prerequisites (empty: none). */
export type PrerequisiteCheck = () => Promise<string[]>;

export interface TwinCliIo extends CliIo {
  /** Replaces the machine check (tests: a twin never starts from a unit test). */
  readonly prerequisites?: PrerequisiteCheck;
}

/** Reads and parses a JSON file an option names; a missing or malformed file is a usage error (exit 2). */
export function readJsonOption(option: string, file: string): Record<string, unknown> {
  if (!existsSync(file)) throw inputError(`--${option}: ${file} not found`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  } catch (e) {
    throw inputError(`--${option}: ${file} is not valid JSON (${(e as Error).message})`);
  }
}

/** descriptionFromStack for a stack an option names: its problems are usage errors. */
export function stackDescription(option: string, file: string, stack: Record<string, unknown>): LabDescription {
  try {
    return descriptionFromStack(stack);
  } catch (e) {
    throw inputError(`--${option}: ${file}: ${(e as Error).message}`);
  }
}

export async function run(args: string[], io: TwinCliIo = {}): Promise<number> {
  const { out, err } = resolveIo(io);
  const [cmd, ...rest] = args;
  if (cmd === undefined || cmd === "-h" || cmd === "--help") {
    out(USAGE);
    return cmd === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (!(SUBCOMMANDS as readonly string[]).includes(cmd)) {
    const what = cmd.startsWith("-") ? `the subcommand (up, status or down) comes first (got ${cmd})` : `unknown subcommand "${cmd}" (known: ${SUBCOMMANDS.join(", ")})`;
    err(`dvr-lab twin: ${what} (see dvr-lab twin --help)\n`);
    return EXIT.USAGE;
  }
  const sub = cmd as Subcommand;
  const command = SPECS[sub].command;
  const log = (l: string) => err(`twin: ${l}\n`);
  if (sub === "up") {
    let o: Values<typeof SPECS.up.options>;
    let stack: Record<string, unknown> | undefined;
    let description: LabDescription | undefined;
    try {
      const p = parse(SPECS.up, rest);
      if (p.help) {
        out(USAGE);
        return EXIT.OK;
      }
      o = p.values;
      oneOf(p.given, ["stack", "description", "layout", "builtin"], { atMost: true });
      if (o.stack !== undefined) {
        stack = readJsonOption("stack", o.stack);
        description = stackDescription("stack", o.stack, stack);
      } else if (o.description !== undefined) {
        description = readJsonOption("description", o.description) as unknown as LabDescription;
        if (description.schema !== "dvr-lab/lab@1") throw inputError(`--description: ${o.description} is not a dvr-lab/lab@1 description`);
      }
    } catch (e) {
      return usageFailure(command, e, err);
    }
    try {
      if (!description) {
        // The examples synthesized in-process: the ONE model, no second definition of the lab.
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const { synthLayout } = require("./lab") as typeof import("./lab");
        stack = synthLayout((o.layout ?? o.builtin ?? "reference") as import("./lab").Layout);
        description = descriptionFromStack(stack);
      }
      const cloud = !o["neutron-only"];
      const missing = await (io.prerequisites ?? (cloud ? cloudTwinPrerequisites : twinPrerequisites))();
      if (missing.length) {
        err(`dvr-lab twin: this machine lacks: ${missing.join(", ")}\n`);
        return EXIT.PREREQUISITES;
      }
      const name = o.name ?? description.name;
      const t0 = Date.now();
      const twin = await Twin.up({
        description,
        stack,
        name,
        ...(o["state-dir"] !== undefined ? { stateDir: o["state-dir"] } : {}),
        ...(o["converge-timeout"] !== undefined ? { convergeTimeoutSeconds: o["converge-timeout"] } : {}),
        ...(cloud ? { cloud: true } : {}),
        log,
      });
      log(`up in ${((Date.now() - t0) / 1000).toFixed(1)} s; state ${twin.state.stateDir}`);
      out((await twin.status()) + "\n");
      return EXIT.OK;
    } catch (e) {
      err(`${command}: ${(e as Error).message}\n`);
      return EXIT.FAILED;
    }
  }
  let o: { name?: string; "state-dir"?: string; json?: boolean; "keep-logs"?: boolean };
  try {
    const p = parse<OptionSpecs>(SPECS[sub], rest);
    if (p.help) {
      out(USAGE);
      return EXIT.OK;
    }
    o = p.values as typeof o;
  } catch (e) {
    return usageFailure(command, e, err);
  }
  try {
    const name = o.name ?? "reference";
    const stateDir = o["state-dir"] ?? defaultStateDir(name);
    if (!existsSync(stateDir) || !loadState(stateDir)) {
      out(`twin ${name}: not running (no state in ${stateDir})\n`);
      return sub === "status" ? EXIT.NOT_RUNNING : EXIT.OK;
    }
    const twin = Twin.attach(stateDir, log)!;
    if (sub === "status") {
      out(o.json ? JSON.stringify(twin.state, null, 2) + "\n" : (await twin.status()) + "\n");
      return twin.state.phase === "up" ? EXIT.OK : EXIT.FAILED;
    }
    const r = await twin.down({ keepLogs: !!o["keep-logs"] });
    if (r.leftovers.length) {
      err(`dvr-lab twin down: processes left: ${r.leftovers.join(" ")}\n`);
      return EXIT.FAILED;
    }
    out(`twin ${name}: down in ${r.seconds.toFixed(1)} s (${r.killed} processes)\n`);
    return EXIT.OK;
  } catch (e) {
    err(`${command}: ${(e as Error).message}\n`);
    return EXIT.FAILED;
  }
}
