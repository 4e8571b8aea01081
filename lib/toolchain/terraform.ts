import { spawnSync, SpawnSyncReturns } from "child_process";
import { existsSync, readFileSync } from "fs";
import { join } from "path";

/**
 * The ONE place that decides which Terraform CLI dvr-lab runs, and how: `npm run setup` records the
 * CLI it chose (the machine's terraform 1.x, else OpenTofu built from source), the provider mirror and
 * the project's CLI config in `<tools>/toolchain.json`; everything that runs Terraform reads it here.
 */

/** Where `npm run setup` puts the tools (override with DVR_LAB_TOOLS). */
export function toolsDir(): string {
  return process.env.DVR_LAB_TOOLS || "/opt/dvr-lab";
}

export interface TerraformToolchain {
  /** "terraform" or "tofu". */
  readonly kind: "terraform" | "tofu";
  /** Absolute path of the CLI binary. */
  readonly binary: string;
  /** Its version ("1.11.4"). */
  readonly version: string;
  /** The project's CLI config (filesystem mirror only, no direct installation). */
  readonly cliConfigFile: string;
  /** The provider filesystem mirror. */
  readonly mirror: string;
  /** Provider address -> version and binary built by setup. */
  readonly providers: Readonly<Record<string, { readonly version: string; readonly module: string; readonly binary: string }>>;
  /** How messages name it: "terraform 1.11.4 (/usr/local/bin/terraform)". */
  readonly label: string;
}

/** The command that installs the toolchain, for messages. */
export const SETUP_COMMAND = "sudo npm run setup";

/**
 * The toolchain `npm run setup` recorded, or the reason there is none (a sentence that ends with
 * what to run).
 */
export function findTerraformToolchain(): TerraformToolchain | string {
  const file = join(toolsDir(), "toolchain.json");
  if (!existsSync(file)) return `no Terraform toolchain at ${file}; run \`${SETUP_COMMAND}\``;
  let raw: any;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    return `${file} is not JSON (${(e as Error).message}); run \`${SETUP_COMMAND}\` again`;
  }
  const cli = raw?.cli ?? {};
  if ((cli.kind !== "terraform" && cli.kind !== "tofu") || typeof cli.path !== "string") {
    return `${file} names no Terraform CLI; run \`${SETUP_COMMAND}\` again`;
  }
  for (const [what, path] of [["the CLI", cli.path], ["the CLI config", raw.cliConfigFile]] as const) {
    if (typeof path !== "string" || !existsSync(path)) return `${what} recorded in ${file} (${String(path)}) is missing; run \`${SETUP_COMMAND}\` again`;
  }
  for (const [address, p] of Object.entries<any>(raw.providers ?? {})) {
    if (!p?.binary || !existsSync(p.binary)) return `provider ${address} (${String(p?.binary)}) is missing; run \`${SETUP_COMMAND}\` again`;
  }
  return {
    kind: cli.kind,
    binary: cli.path,
    version: String(cli.version ?? ""),
    cliConfigFile: raw.cliConfigFile,
    mirror: String(raw.mirror ?? ""),
    providers: raw.providers ?? {},
    label: `${cli.kind} ${String(cli.version ?? "?")} (${cli.path})`,
  };
}

/** The toolchain, or an Error that says what to run. */
export function terraformToolchain(): TerraformToolchain {
  const t = findTerraformToolchain();
  if (typeof t === "string") throw new Error(`dvr-lab: ${t}`);
  return t;
}

/**
 * The environment every Terraform (or cdktf CLI) process dvr-lab starts gets: the project's CLI
 * config (so providers come from the mirror and nothing asks a registry), no checkpoint calls, and
 * TERRAFORM_BINARY_NAME for cdktf's CLI and validations.
 */
export function terraformEnv(t: TerraformToolchain, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    TF_CLI_CONFIG_FILE: t.cliConfigFile,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    TERRAFORM_BINARY_NAME: t.binary,
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
  };
}

/** Runs the CLI synchronously in `cwd` (`-chdir` is not used: the caller's folder is the stack's). */
export function runTerraform(t: TerraformToolchain, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(t.binary, [...args], {
    cwd,
    env: terraformEnv(t, env),
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
}
