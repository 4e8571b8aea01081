import { existsSync, readFileSync } from "fs";
import { LabDescription } from "../model/topology";
import { defaultStateDir, loadState, Twin, twinPrerequisites } from "./twin";

const USAGE = `usage: dvr-lab twin <up|status|down> [options]   (root)

  up      build the lab twin: namespaces per host, OVS (netdev), MariaDB, RabbitMQ, neutron-server,
          agents configured by the project's push, tenant networks/routers/VMs; waits until every
          VM pair answers ping
  status  hosts, agents (alive, mode), router namespaces per host, VMs and ports
  down    kill everything by PID (namespace membership), remove the state dir

options:
  --stack FILE          synthesized cdk.tf.json: the description comes from its "<lab>_description"
                        output and the nodes are configured by its ConfigPush null_resources
  --description FILE    a LabDescription JSON (dvr-lab/lab@1); nodes get the push built from it
  --layout L            reference (default: ctrl1, com1 dvr_snat, com2 dvr) or upstream: the example,
                        synthesized in-process; its ConfigPush resources configure the nodes
                        (--builtin L is an alias)
  --name NAME           twin name (default: the lab name); selects the state dir
  --state-dir DIR       default: <package>/.twin/<name> (or $DVR_LAB_TWIN_STATE/<name>)
  --converge-timeout S  cap of the data-plane gate (default 90)
  --keep-logs           down: keep the state dir (logs) instead of removing it
  --json                status: print the state as JSON
`;

interface Parsed {
  cmd?: string;
  opts: Record<string, string | boolean>;
}

function parse(args: string[]): Parsed {
  const out: Parsed = { opts: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith("--")) {
      const [k, v] = a.slice(2).split("=", 2);
      if (["keep-logs", "json", "help"].includes(k)) out.opts[k] = true;
      else out.opts[k] = v ?? args[++i] ?? "";
    } else if (!out.cmd) out.cmd = a;
    else throw new Error(`unexpected argument ${a}`);
  }
  return out;
}

/** The LabDescription from a synthesized stack: the (single) output named *_description. */
export function descriptionFromStack(stack: Record<string, unknown>): LabDescription {
  const outputs = (stack.output ?? {}) as Record<string, { value?: unknown }>;
  const found = Object.entries(outputs).filter(([k]) => k.endsWith("_description"));
  if (found.length !== 1) throw new Error(`expected one "<lab>_description" output in the stack, found ${found.length}`);
  const v = found[0][1].value;
  const d = (typeof v === "string" ? JSON.parse(v) : v) as LabDescription;
  if (d.schema !== "dvr-lab/lab@1") throw new Error(`output ${found[0][0]} is not a dvr-lab/lab@1 description`);
  return d;
}

export async function run(args: string[]): Promise<number> {
  let p: Parsed;
  try {
    p = parse(args);
  } catch (e) {
    process.stderr.write(`dvr-lab twin: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!p.cmd || p.opts.help) {
    process.stdout.write(USAGE);
    return p.cmd ? 0 : 2;
  }
  const o = p.opts;
  const log = (l: string) => process.stderr.write(`twin: ${l}\n`);
  try {
    if (p.cmd === "up") {
      let description: LabDescription;
      let stack: Record<string, unknown> | undefined;
      if (typeof o.stack === "string") {
        stack = JSON.parse(readFileSync(o.stack, "utf8")) as Record<string, unknown>;
        description = descriptionFromStack(stack);
      } else if (typeof o.description === "string") {
        description = JSON.parse(readFileSync(o.description, "utf8")) as LabDescription;
      } else {
        // The examples synthesized in-process: the ONE model, no second definition of the lab.
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const { synthLayout } = require("./lab") as typeof import("./lab");
        const layout = String(o.layout ?? o.builtin ?? "reference") as import("./lab").Layout;
        stack = synthLayout(layout);
        description = descriptionFromStack(stack);
      }
      const missing = await twinPrerequisites();
      if (missing.length) {
        process.stderr.write(`dvr-lab twin: this machine lacks: ${missing.join(", ")}\n`);
        return 3;
      }
      const name = typeof o.name === "string" ? o.name : description.name;
      const t0 = Date.now();
      const twin = await Twin.up({
        description,
        stack,
        name,
        ...(typeof o["state-dir"] === "string" ? { stateDir: o["state-dir"] } : {}),
        ...(typeof o["converge-timeout"] === "string" ? { convergeTimeoutSeconds: Number(o["converge-timeout"]) } : {}),
        log,
      });
      log(`up in ${((Date.now() - t0) / 1000).toFixed(1)} s; state ${twin.state.stateDir}`);
      process.stdout.write((await twin.status()) + "\n");
      return 0;
    }
    const name = typeof o.name === "string" ? o.name : "reference";
    const stateDir = typeof o["state-dir"] === "string" ? o["state-dir"] : defaultStateDir(name);
    if (!existsSync(stateDir) || !loadState(stateDir)) {
      process.stdout.write(`twin ${name}: not running (no state in ${stateDir})\n`);
      return p.cmd === "status" ? 3 : 0;
    }
    const twin = Twin.attach(stateDir, log)!;
    if (p.cmd === "status") {
      process.stdout.write(o.json ? JSON.stringify(twin.state, null, 2) + "\n" : (await twin.status()) + "\n");
      return twin.state.phase === "up" ? 0 : 1;
    }
    if (p.cmd === "down") {
      const r = await twin.down({ keepLogs: !!o["keep-logs"] });
      if (r.leftovers.length) {
        process.stderr.write(`dvr-lab twin down: processes left: ${r.leftovers.join(" ")}\n`);
        return 1;
      }
      process.stdout.write(`twin ${name}: down in ${r.seconds.toFixed(1)} s (${r.killed} processes)\n`);
      return 0;
    }
    process.stderr.write(`dvr-lab twin: unknown subcommand ${p.cmd}\n${USAGE}`);
    return 2;
  } catch (e) {
    process.stderr.write(`dvr-lab twin ${p.cmd}: ${(e as Error).message}\n`);
    return 1;
  }
}
