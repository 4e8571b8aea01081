/**
 * `dvr-lab verify`: proves which node routed each direction of every row of a deployed lab.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LabDescription } from "../model/topology";
import { NeutronClient } from "./neutron";
import { renderMarkdown, renderText } from "./report";
import { plan, verify, type VerifyDeps, type VerifyOptions, type WindowMode } from "./run";
import { SshTransport } from "./ssh-transport";
import type { AccessInfo } from "./types";
import { QdhcpSshVmExecutor } from "./vm-executor";

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
  --continue-after-gate-failure
                             measure the data plane even if the gate failed (exit stays 1)
output:
  --report-dir DIR           write report.json and report.md there
  --json                     print the JSON report instead of the table
  --plan                     print the planned node commands and exit (nothing is run)
  -h, --help

exit: 0 gate passed and every row passed; 1 gate failed or a row failed; 3 inconclusive (nothing
failed, but not every direction could be proven); 2 usage or input error.
`;

export interface CliOptions {
  description?: string;
  descriptionEnv?: string;
  synth?: string;
  lab?: string;
  access?: string;
  accessEnv?: string;
  neutronUrl?: string;
  reportDir?: string;
  pings: number;
  minForwarded?: number;
  window: WindowMode;
  vmUser?: string;
  vmKey?: string;
  vmVia?: string;
  continueAfterGateFailure: boolean;
  json: boolean;
  plan: boolean;
  help: boolean;
}

const VALUE_FLAGS: Record<string, keyof CliOptions> = {
  "--description": "description",
  "--description-env": "descriptionEnv",
  "--synth": "synth",
  "--lab": "lab",
  "--access": "access",
  "--access-env": "accessEnv",
  "--neutron-url": "neutronUrl",
  "--report-dir": "reportDir",
  "--pings": "pings",
  "--min-forwarded": "minForwarded",
  "--window": "window",
  "--vm-user": "vmUser",
  "--vm-key": "vmKey",
  "--vm-via": "vmVia",
};

export class UsageError extends Error {}

export function parseArgs(args: readonly string[]): CliOptions {
  const o: CliOptions = { pings: 5, window: "all", continueAfterGateFailure: false, json: false, plan: false, help: false };
  for (let i = 0; i < args.length; i++) {
    let a = args[i];
    let value: string | undefined;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    if (a === "-h" || a === "--help") o.help = true;
    else if (a === "--json") o.json = true;
    else if (a === "--plan") o.plan = true;
    else if (a === "--continue-after-gate-failure") o.continueAfterGateFailure = true;
    else if (VALUE_FLAGS[a]) {
      if (value === undefined) {
        value = args[++i];
        if (value === undefined || value.startsWith("--")) throw new UsageError(`${a} needs a value`);
      }
      const key = VALUE_FLAGS[a];
      if (key === "pings" || key === "minForwarded") {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`${a} must be an integer from 1 to 1000`);
        (o as unknown as Record<string, unknown>)[key] = n;
      } else if (key === "window") {
        if (value !== "all" && value !== "row") throw new UsageError(`--window must be "all" or "row"`);
        o.window = value;
      } else {
        (o as unknown as Record<string, unknown>)[key] = value;
      }
    } else {
      throw new UsageError(`unknown argument "${args[i]}"`);
    }
  }
  if (o.help) return o;
  const sources = [o.description, o.descriptionEnv, o.synth].filter((x) => x !== undefined).length;
  if (sources !== 1) throw new UsageError("give exactly one of --description, --description-env, --synth");
  if (o.synth && !o.lab) throw new UsageError("--synth needs --lab NAME");
  if (o.lab && !o.synth) throw new UsageError("--lab is only used with --synth");
  if (!o.plan && [o.access, o.accessEnv].filter((x) => x !== undefined).length !== 1) throw new UsageError("give exactly one of --access, --access-env");
  return o;
}

function readJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${what}: not valid JSON (${(e as Error).message})`);
  }
}

export function checkDescription(v: unknown, what: string): LabDescription {
  const d = v as LabDescription;
  if (!d || typeof d !== "object" || !Array.isArray(d.hosts) || !Array.isArray(d.rows) || !Array.isArray(d.vms)) {
    throw new UsageError(`${what}: not a lab description (needs hosts, vms, rows)`);
  }
  if (d.schema && d.schema !== "dvr-lab/lab@1") throw new UsageError(`${what}: schema ${d.schema}, expected dvr-lab/lab@1`);
  return d;
}

/** Reads the description from a file, an env var, or a synthesized cdk.tf.json output `<lab>_description`. */
export function loadDescription(o: CliOptions, env: NodeJS.ProcessEnv): LabDescription {
  if (o.description) {
    if (!fs.existsSync(o.description)) throw new UsageError(`--description: ${o.description} not found`);
    return checkDescription(readJson(fs.readFileSync(o.description, "utf8"), o.description), o.description);
  }
  if (o.descriptionEnv) {
    const v = env[o.descriptionEnv];
    if (!v) throw new UsageError(`--description-env: ${o.descriptionEnv} is empty or unset`);
    return checkDescription(readJson(v, o.descriptionEnv), o.descriptionEnv);
  }
  const file = o.synth!;
  if (!fs.existsSync(file)) throw new UsageError(`--synth: ${file} not found`);
  const tf = readJson(fs.readFileSync(file, "utf8"), file) as { output?: Record<string, { value?: unknown }> };
  const name = `${o.lab}_description`;
  const out = tf.output?.[name];
  if (!out) {
    const have = Object.keys(tf.output ?? {}).filter((k) => k.endsWith("_description"));
    throw new UsageError(`--synth: ${file} has no output "${name}"${have.length ? ` (has: ${have.join(", ")})` : ""}`);
  }
  const value = typeof out.value === "string" ? readJson(out.value, `${file} output ${name}`) : out.value;
  return checkDescription(value, `${file} output ${name}`);
}

export function loadAccess(o: CliOptions, env: NodeJS.ProcessEnv): AccessInfo {
  let text: string | undefined;
  let what: string;
  if (o.access) {
    what = o.access;
    if (!fs.existsSync(o.access)) throw new UsageError(`--access: ${o.access} not found`);
    text = fs.readFileSync(o.access, "utf8");
  } else {
    what = o.accessEnv!;
    text = env[o.accessEnv!];
    if (!text) throw new UsageError(`--access-env: ${o.accessEnv} is empty or unset`);
  }
  const a = readJson(text, what) as AccessInfo;
  if (!a || typeof a !== "object" || !a.hosts || typeof a.hosts !== "object") throw new UsageError(`${what}: access JSON needs a "hosts" object`);
  return a;
}

export interface CliIo {
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: (s: string) => void;
  readonly stderr?: (s: string) => void;
  /** Replaces the real transport / VM executor / Neutron client (tests, the twin). */
  readonly deps?: (o: CliOptions, d: LabDescription, a: AccessInfo) => VerifyDeps;
}

export async function run(args: string[], io: CliIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const out = io.stdout ?? ((s: string) => process.stdout.write(s));
  const err = io.stderr ?? ((s: string) => process.stderr.write(s));
  let o: CliOptions;
  let d: LabDescription;
  try {
    o = parseArgs(args);
    if (o.help) {
      out(USAGE);
      return 0;
    }
    d = loadDescription(o, env);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`dvr-lab verify: ${e.message}\n(see dvr-lab verify --help)\n`);
      return 2;
    }
    throw e;
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
    continueAfterGateFailure: o.continueAfterGateFailure,
  };
  if (o.plan) {
    try {
      const p = plan(d, vmOpts(), options);
      out(p.map((c) => `${c.phase}${c.window !== undefined ? `[${c.window}]` : ""}\t${c.host}\t${c.detail}`).join("\n") + "\n");
      out(`${p.filter((c) => c.host !== "neutron-api").length} node commands\n`);
      return 0;
    } catch (e) {
      err(`dvr-lab verify: ${(e as Error).message}\n`);
      return 2;
    }
  }
  let access: AccessInfo;
  try {
    access = loadAccess(o, env);
    const missing = d.hosts.filter((h) => h.role !== "controller" && !access.hosts[h.name]).map((h) => h.name);
    if (missing.length) throw new UsageError(`access has no entry for host(s) ${missing.join(", ")}`);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`dvr-lab verify: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const deps: VerifyDeps = io.deps
    ? io.deps(o, d, access)
    : {
        transport: new SshTransport(access, { env }),
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
    return 1;
  } finally {
    await deps.transport.close?.();
  }
}
