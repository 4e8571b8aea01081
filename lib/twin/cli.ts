import { existsSync, readFileSync } from "fs";
import { basename, dirname, join, resolve } from "path";
import { packageRoot } from "../push/remote-script";
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
      layout: { type: "string", choices: LAYOUT_NAMES },
      builtin: { type: "string", choices: LAYOUT_NAMES },
      name: NAME_OPTION,
      "state-dir": { type: "string" },
    },
  },
  status: { command: "dvr-lab twin status", options: { name: NAME_OPTION, "state-dir": { type: "string" }, json: { type: "boolean" } } },
  down: { command: "dvr-lab twin down", options: { name: NAME_OPTION, "state-dir": { type: "string" }, "keep-logs": { type: "boolean" } } },
} as const satisfies Record<Subcommand, CommandSpec<OptionSpecs>>;

export const USAGE = `usage: dvr-lab twin <up|status|down> [options]   (root)

  up      the lab deployed by REAL Terraform on the twin cloud, and left up: the twin comes up as a
          bare cloud (namespaces per host, OVS (netdev), MariaDB, RabbitMQ, Keystone, Glance,
          Placement, Nova with the fake driver, neutron-server and agents on the site settings),
          then \`cdktf deploy\` of the example (a --stack file: terraform init + apply): the
          stack's own pushes over SSH, the tenant side through the APIs, its VerifyHook; as
          \`dvr-lab lab\` does but without the destroy and
          the teardown: look at it with status, the openstack client (OS_* in status) or ssh, end
          it with \`twin down\`. The hypervisor stand-in plugs instances only while \`up\` runs.
  status  hosts, agents (alive, mode), router namespaces per host, VMs and ports, OS_* variables
  down    kill everything by PID (namespace membership), remove the state dir

up options (at most one of --stack, --layout):
  --stack FILE          a synthesized cdk.tf.json in its stack folder (with its assets)
  --layout L            reference (default: ctrl1, com1 dvr_snat, com2 dvr) or upstream: the example,
                        synthesized into <package>/cdktf.out (--builtin L is an alias)
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
    try {
      const p = parse(SPECS.up, rest);
      if (p.help) {
        out(USAGE);
        return EXIT.OK;
      }
      o = p.values;
      oneOf(p.given, ["stack", "layout", "builtin"], { atMost: true });
      if (o.stack !== undefined) {
        if (basename(o.stack) !== "cdk.tf.json") throw inputError(`--stack: ${o.stack} must be a synthesized cdk.tf.json in its stack folder`);
        stackDescription("stack", o.stack, readJsonOption("stack", o.stack));
      }
    } catch (e) {
      return usageFailure(command, e, err);
    }
    try {
      const missing = await (io.prerequisites ?? cloudTwinPrerequisites)();
      if (missing.length) {
        err(`dvr-lab twin: this machine lacks: ${missing.join(", ")}\n`);
        return EXIT.PREREQUISITES;
      }
      // Loaded lazily: the deploy needs the examples and the Terraform toolchain.
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { layoutApp, synthLayoutInto } = require("./lab") as typeof import("./lab");
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const { runDeploy } = require("./deploy") as typeof import("./deploy");
      const layout = (o.layout ?? o.builtin ?? "reference") as import("./lab").Layout;
      const stackDir = o.stack !== undefined ? dirname(resolve(o.stack)) : synthLayoutInto(layout, join(packageRoot(), "cdktf.out"));
      const r = await runDeploy({
        stackDir,
        // An example is deployed as its users do (cdktf deploy); a --stack file with plain terraform.
        ...(o.stack === undefined ? { cdktfApp: layoutApp(layout) } : {}),
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o["state-dir"] !== undefined ? { stateDir: o["state-dir"] } : {}),
        leaveUp: true,
        log,
      });
      const twin = r.stateDir ? Twin.attach(r.stateDir) : undefined;
      if (twin && twin.state.phase === "up") out((await twin.status()) + "\n");
      if (r.report) out(`verifier (the stack's VerifyHook): ${r.report.verdict} (exit ${r.report.exitCode}); report in ${r.reportDir}\n`);
      if (r.error) err(`${command}: ${r.error}\n`);
      return r.exitCode;
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
