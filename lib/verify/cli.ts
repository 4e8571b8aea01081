/**
 * `dvr-lab verify`: proves which node routed each direction of every row of a deployed lab.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LabDescription } from "../model/topology";
import { descriptionFromStack, parseDescription } from "../model/description-reader";
import { NeutronClient } from "./neutron";
import { renderMarkdown, renderText } from "./report";
import { plan, verify, type VerifyDeps, type VerifyOptions, type WindowMode } from "./run";
import { SshTransport } from "./ssh-transport";
import type { AccessInfo } from "./types";
import { QdhcpSshVmExecutor } from "./vm-executor";
import { oneOf, parse, resolveIo, usageFailure, UsageError, inputError, type CliIo as BaseIo, type CommandSpec, type OptionSpecs } from "../common/args";
import { EXIT, exitCodesHelp } from "../common/exit-codes";

export const USAGE = `usage: dvr-lab verify [options]

Proves, per row of the lab's topology table and per direction, which node's router namespace
routed the packets (IpForwDatagrams deltas + marker-filtered captures + DVR MACs on the underlay),
after a control-plane gate on the Neutron API. Read-only on the nodes.

lab description (one of):
  --description FILE         LabDescription JSON (dvr-lab/lab@1)
  --description-env VAR      ... from an environment variable (the verify hook uses DVR_LAB_DESCRIPTION)
  --synth FILE --lab NAME    ... from synthesized Terraform JSON (cdk.tf.json): output "<NAME>_description"
node access (one of; JSON {"hosts": {"<name>": {"address","user","port","hostKey","privateKeyFile"|"privateKeyEnv"}}}):
  --access FILE
  --access-env VAR           (the verify hook uses DVR_LAB_ACCESS)
  --keys-from DIR            read each "privateKeyEnv" that is unset from DIR/<VAR> and delete the file
                             (the verify hook's own hand-over, see --stash-keys)
  --stash-keys DIR           only write each "privateKeyEnv" variable to DIR/<VAR> (0600) and exit: the
                             verify hook's first local-exec, so that the verifier's own local-exec has no
                             sensitive value and Terraform shows its output
neutron:
  --neutron-url URL          noauth Neutron (no auth headers sent); otherwise Keystone v3 from OS_* variables
VM traffic (pings run inside the source VM, reached over ssh from the qdhcp namespace of the DHCP node):
  --vm-user USER             login user in the VMs (default: access "vm.user" or cirros)
  --vm-key PATH              private key ON THE DHCP NODE (default: access "vm.keyFileOnNode")
  --vm-via HOST              host to reach VMs from (default: the description's DHCP agent host)
measurement:
  --pings N                  marked pings per row after one warm-up (default 5)
  --min-forwarded N          marker packets a namespace must forward per direction (default: N pings)
  --window all|row           all rows in one window (default, fewest node commands) or one per row
  --agent-report-wait S      before the gate, wait up to S s (default 40; 0: off) for every alive
                             agent's next state report, so that a configuration an agent reported
                             before a push restarted it is not judged (Neutron shows the last report)
  --router-wait S            after the gate, wait up to S s (default 90; 0: off) until the L3 and OVS
                             agents have wired every hop the rows route through (namespace, qr-/sg-/qg-
                             devices plugged and bound, router ports ACTIVE); a hop still not wired
                             then fails as a router-wiring check
  --retries N                measure a row left inconclusive again, at most N times (default 1; 0: off),
                             5 s later, while nothing failed (a converging data plane loses a few pings)
  --continue-after-gate-failure
                             measure the data plane even if the gate failed (exit stays 1)
output:
  --report-dir DIR           write report.json and report.md there
  --json                     print the JSON report instead of the table
  --plan                     print the planned node commands and exit (nothing is run; no access needed)
  -h, --help

${exitCodesHelp([EXIT.OK, EXIT.FAILED, EXIT.USAGE, EXIT.INCONCLUSIVE])}`;

export interface CliOptions {
  description?: string;
  descriptionEnv?: string;
  synth?: string;
  lab?: string;
  access?: string;
  accessEnv?: string;
  keysFrom?: string;
  stashKeys?: string;
  neutronUrl?: string;
  reportDir?: string;
  pings: number;
  minForwarded?: number;
  agentReportWaitSeconds?: number;
  retries?: number;
  routerWaitSeconds?: number;
  window: WindowMode;
  vmUser?: string;
  vmKey?: string;
  vmVia?: string;
  continueAfterGateFailure: boolean;
  json: boolean;
  plan: boolean;
  help: boolean;
}

export const COMMAND = "dvr-lab verify";

/** The options of `dvr-lab verify` (lib/common/args.ts parses them). */
export const SPEC = {
  command: COMMAND,
  options: {
    description: { type: "string" },
    "description-env": { type: "string" },
    synth: { type: "string" },
    lab: { type: "string" },
    access: { type: "string" },
    "access-env": { type: "string" },
    "keys-from": { type: "string" },
    "stash-keys": { type: "string" },
    "neutron-url": { type: "string", pattern: /^https?:\/\/\S+$/, patternHint: "an http(s) URL" },
    "report-dir": { type: "string" },
    pings: { type: "integer", min: 1, max: 1000, default: 5 },
    "min-forwarded": { type: "integer", min: 1, max: 1000 },
    window: { type: "string", choices: ["all", "row"], default: "all" },
    "agent-report-wait": { type: "integer", min: 0, max: 600 },
    retries: { type: "integer", min: 0, max: 10 },
    "router-wait": { type: "integer", min: 0, max: 600 },
    "vm-user": { type: "string" },
    "vm-key": { type: "string" },
    "vm-via": { type: "string" },
    "continue-after-gate-failure": { type: "boolean" },
    json: { type: "boolean" },
    plan: { type: "boolean" },
  },
} as const satisfies CommandSpec<OptionSpecs>;

export { UsageError };

/** Parses and checks `dvr-lab verify`'s arguments; throws a UsageError naming the option. */
export function parseArgs(args: readonly string[]): CliOptions {
  const p = parse(SPEC, args);
  if (p.help) return { pings: 5, window: "all", continueAfterGateFailure: false, json: false, plan: false, help: true };
  const v = p.values;
  if (v["stash-keys"] !== undefined) {
    oneOf(p.given, ["access", "access-env"]);
    const o: CliOptions = { pings: 5, window: "all", continueAfterGateFailure: false, json: false, plan: false, help: false, stashKeys: v["stash-keys"] };
    if (v.access !== undefined) o.access = v.access;
    if (v["access-env"] !== undefined) o.accessEnv = v["access-env"];
    return o;
  }
  oneOf(p.given, ["description", "description-env", "synth"]);
  if (v.synth !== undefined && v.lab === undefined) throw new UsageError("--synth needs --lab NAME");
  if (v.lab !== undefined && v.synth === undefined) throw new UsageError("--lab is only used with --synth");
  if (!v.plan) oneOf(p.given, ["access", "access-env"]);
  const o: CliOptions = {
    pings: v.pings,
    window: v.window as WindowMode,
    continueAfterGateFailure: v["continue-after-gate-failure"],
    json: v.json,
    plan: v.plan,
    help: false,
  };
  const strings: [keyof CliOptions, string | undefined][] = [
    ["description", v.description],
    ["descriptionEnv", v["description-env"]],
    ["synth", v.synth],
    ["lab", v.lab],
    ["access", v.access],
    ["accessEnv", v["access-env"]],
    ["keysFrom", v["keys-from"]],
    ["neutronUrl", v["neutron-url"]],
    ["reportDir", v["report-dir"]],
    ["vmUser", v["vm-user"]],
    ["vmKey", v["vm-key"]],
    ["vmVia", v["vm-via"]],
  ];
  for (const [k, x] of strings) if (x !== undefined) (o as unknown as Record<string, unknown>)[k] = x;
  if (v["min-forwarded"] !== undefined) o.minForwarded = v["min-forwarded"];
  if (v["agent-report-wait"] !== undefined) o.agentReportWaitSeconds = v["agent-report-wait"];
  if (v.retries !== undefined) o.retries = v.retries;
  if (v["router-wait"] !== undefined) o.routerWaitSeconds = v["router-wait"];
  return o;
}

function readJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw inputError(`${what}: not valid JSON (${(e as Error).message})`);
  }
}

export function checkDescription(v: unknown, what: string): LabDescription {
  try {
    return parseDescription(v, what);
  } catch (e) {
    throw inputError((e as Error).message);
  }
}

/** Reads the description from a file, an env var, or a synthesized cdk.tf.json output `<lab>_description`. */
export function loadDescription(o: CliOptions, env: NodeJS.ProcessEnv): LabDescription {
  if (o.description) {
    if (!fs.existsSync(o.description)) throw inputError(`--description: ${o.description} not found`);
    return checkDescription(readJson(fs.readFileSync(o.description, "utf8"), o.description), o.description);
  }
  if (o.descriptionEnv) {
    const v = env[o.descriptionEnv];
    if (!v) throw inputError(`--description-env: ${o.descriptionEnv} is empty or unset`);
    return checkDescription(readJson(v, o.descriptionEnv), o.descriptionEnv);
  }
  const file = o.synth!;
  if (!fs.existsSync(file)) throw inputError(`--synth: ${file} not found`);
  const tf = readJson(fs.readFileSync(file, "utf8"), file) as Record<string, unknown>;
  try {
    return descriptionFromStack(tf, o.lab, file);
  } catch (e) {
    throw inputError(`--synth: ${(e as Error).message}`);
  }
}

export function loadAccess(o: CliOptions, env: NodeJS.ProcessEnv): AccessInfo {
  let text: string | undefined;
  let what: string;
  if (o.access) {
    what = o.access;
    if (!fs.existsSync(o.access)) throw inputError(`--access: ${o.access} not found`);
    text = fs.readFileSync(o.access, "utf8");
  } else {
    what = o.accessEnv!;
    text = env[o.accessEnv!];
    if (!text) throw inputError(`--access-env: ${o.accessEnv} is empty or unset`);
  }
  const a = readJson(text, what) as AccessInfo;
  if (!a || typeof a !== "object" || !a.hosts || typeof a.hosts !== "object") throw inputError(`${what}: access JSON needs a "hosts" object`);
  return a;
}

/** The env names of the access info's `privateKeyEnv` keys. */
function keyEnvNames(a: AccessInfo): string[] {
  return [...new Set(Object.values(a.hosts).map((h) => h.privateKeyEnv).filter((x): x is string => !!x))];
}

/** `--stash-keys DIR`: each privateKeyEnv value to DIR/<VAR> (dir 0700, files 0600). */
export function stashKeys(a: AccessInfo, dir: string, env: NodeJS.ProcessEnv): string[] {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const names = keyEnvNames(a);
  for (const name of names) {
    const value = env[name];
    if (!value) throw inputError(`--stash-keys: ${name} (privateKeyEnv) is empty or unset`);
    const file = path.join(dir, name);
    fs.writeFileSync(file, value.endsWith("\n") ? value : value + "\n", { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  }
  return names;
}

/**
 * `--keys-from DIR`: an env with every unset privateKeyEnv read from DIR/<VAR>; the files are
 * deleted as they are read (and DIR when it is then empty).
 */
export function keysFrom(a: AccessInfo, dir: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of keyEnvNames(a)) {
    if (out[name]) continue;
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) throw inputError(`--keys-from: ${file} not found (${name} is unset too)`);
    out[name] = fs.readFileSync(file, "utf8");
    fs.rmSync(file, { force: true });
  }
  try {
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  } catch {
    // already gone
  }
  return out;
}

export interface CliIo extends BaseIo {
  /** Replaces the real transport / VM executor / Neutron client (tests, the twin). */
  readonly deps?: (o: CliOptions, d: LabDescription, a: AccessInfo) => VerifyDeps;
}

export async function run(args: string[], io: CliIo = {}): Promise<number> {
  const { env, out, err } = resolveIo(io);
  let o: CliOptions;
  let d: LabDescription;
  try {
    o = parseArgs(args);
    if (o.help) {
      out(USAGE);
      return EXIT.OK;
    }
    if (o.stashKeys) {
      stashKeys(loadAccess(o, env), o.stashKeys, env);
      return EXIT.OK;
    }
    d = loadDescription(o, env);
  } catch (e) {
    return usageFailure(COMMAND, e, err);
  }
  const vmOpts = (a?: AccessInfo) =>
    new QdhcpSshVmExecutor({
      ...((o.vmUser ?? a?.vm?.user) ? { user: o.vmUser ?? a?.vm?.user } : {}),
      ...((o.vmKey ?? a?.vm?.keyFileOnNode) ? { keyFileOnNode: o.vmKey ?? a?.vm?.keyFileOnNode } : {}),
      ...((o.vmVia ?? a?.vm?.viaHost) ? { viaHost: o.vmVia ?? a?.vm?.viaHost } : {}),
    });
  const options: VerifyOptions = {
    pings: o.pings,
    window: o.window,
    ...(o.minForwarded ? { minForwarded: o.minForwarded } : {}),
    ...(o.agentReportWaitSeconds !== undefined ? { agentReportWaitSeconds: o.agentReportWaitSeconds } : {}),
    ...(o.retries !== undefined ? { retries: o.retries } : {}),
    ...(o.routerWaitSeconds !== undefined ? { routerWiringWaitSeconds: o.routerWaitSeconds } : {}),
    continueAfterGateFailure: o.continueAfterGateFailure,
  };
  if (o.plan) {
    try {
      const p = plan(d, vmOpts(), options);
      out(p.map((c) => `${c.phase}${c.window !== undefined ? `[${c.window}]` : ""}\t${c.host}\t${c.detail}`).join("\n") + "\n");
      out(`${p.filter((c) => c.host !== "neutron-api").length} node commands\n`);
      return EXIT.OK;
    } catch (e) {
      return usageFailure(COMMAND, inputError((e as Error).message), err);
    }
  }
  let access: AccessInfo;
  let keyEnv: NodeJS.ProcessEnv = env;
  try {
    access = loadAccess(o, env);
    if (o.keysFrom) keyEnv = keysFrom(access, o.keysFrom, env);
    const missing = d.hosts.filter((h) => h.role !== "controller" && !access.hosts[h.name]).map((h) => h.name);
    if (missing.length) throw inputError(`access has no entry for host(s) ${missing.join(", ")}`);
  } catch (e) {
    return usageFailure(COMMAND, e, err);
  }
  const deps: VerifyDeps = io.deps
    ? io.deps(o, d, access)
    : {
        transport: new SshTransport(access, { env: keyEnv }),
        vm: vmOpts(access),
        neutron: new NeutronClient(o.neutronUrl ? { url: o.neutronUrl } : { env }),
        access,
        log: (l) => err(`[verify] ${l}\n`),
      };
  try {
    const report = await verify(d, { access, ...deps }, options);
    out(o.json ? JSON.stringify(report, null, 2) + "\n" : renderText(report));
    if (o.reportDir) {
      fs.mkdirSync(o.reportDir, { recursive: true });
      fs.writeFileSync(path.join(o.reportDir, "report.json"), JSON.stringify(report, null, 2) + "\n");
      fs.writeFileSync(path.join(o.reportDir, "report.md"), renderMarkdown(report));
      err(`[verify] report written to ${o.reportDir}/report.{json,md}\n`);
    }
    return report.exitCode;
  } catch (e) {
    err(`dvr-lab verify: ${(e as Error).stack ?? e}\n`);
    return EXIT.FAILED;
  } finally {
    await deps.transport.close?.();
  }
}
