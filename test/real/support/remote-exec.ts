import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { join } from "path";
import { RunResult } from "./sshd";
import { ProvisionerResource } from "../../../lib/push/provisioner-resource";
import { assetContent } from "../../../lib/push/remote-script";

/** What the re-enactor needs from a host: run a command, upload a file (legacy scp). */
export interface SshTarget {
  ssh(command: string): RunResult;
  scpTo(localPath: string, remotePath: string): RunResult;
}

export interface ProvisionerStep {
  readonly kind: "file" | "remote-exec";
  /** file: destination; remote-exec: the script path on the host. */
  readonly target: string;
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ReenactResult {
  readonly ok: boolean;
  readonly steps: ProvisionerStep[];
  /** The step that failed (Terraform stops the apply there). */
  readonly failed?: ProvisionerStep;
  /** Concatenated output of the remote-exec steps. */
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Terraform's template unescaping of a literal: "$${" -> "${" and "%%{" -> "%{". A remaining bare
 * "${" or "%{" would be an interpolation Terraform evaluates at apply time, which this re-enactor
 * cannot do: it refuses instead of uploading something else than Terraform would.
 */
export function terraformUnescape(value: string, what: string): string {
  const bare = /(^|[^$])\$\{|(^|[^%])%\{/.exec(value.replace(/\$\$\{/g, "").replace(/%%\{/g, ""));
  if (bare) throw new Error(`${what} holds a Terraform interpolation (${JSON.stringify(bare[0])}); cannot re-enact it`);
  return value.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** The provisioner resources (terraform_data or null_resource) of a synthesized stack (cdk.tf.json as an object), by address. */
export function provisionerResources(synth: any): Record<string, any> {
  return Object.fromEntries(ProvisionerResource.entriesOf(synth).map((e) => [e.address, e.body]));
}

let scriptCounter = 0;

/**
 * Re-enacts, against `target`, what Terraform does for one resource's provisioners:
 * - `file` with `source` (a stack asset) or `content`: uploads the file or the (unescaped) content to
 *   `destination` (scp -O);
 * - `remote-exec` with `inline`: joins the lines with "\n" into one script (a "#!/bin/sh" line
 *   first unless the first line is a shebang), uploads it to /tmp/terraform_<n>.sh with scp -O,
 *   makes it executable and runs it; a non-zero exit status fails the apply.
 * The `connection` block is not used (its host is a Terraform variable): the target is given.
 */
export function reenactProvisioners(synth: any, resourceName: string, target: SshTarget): ReenactResult {
  const resource = provisionerResources(synth)[resourceName];
  if (!resource) throw new Error(`no resource ${resourceName} in the synthesized stack`);
  const provisioners: any[] = resource.provisioner ?? [];
  if (provisioners.length === 0) throw new Error(`${resourceName} has no provisioners`);
  const tmp = mkdtempSync("/tmp/dvr-lab-reenact-");
  const steps: ProvisionerStep[] = [];
  let stdout = "";
  let stderr = "";
  try {
    for (const p of provisioners) {
      const [kind, body] = Object.entries(p)[0] as [string, any];
      let step: ProvisionerStep;
      if (kind === "file") {
        const destination = terraformUnescape(body.destination, `${resourceName} file destination`);
        const local = join(tmp, `upload-${steps.length}`);
        if (typeof body.source === "string") writeFileSync(local, assetContent(body.source)); // the stack's asset (the push script)
        else if (typeof body.content === "string") writeFileSync(local, terraformUnescape(body.content, `${resourceName} file ${destination}`));
        else throw new Error(`${resourceName}: file provisioner without source or content`);
        const r = target.scpTo(local, destination);
        step = { kind: "file", target: destination, ...r };
      } else if (kind === "remote-exec") {
        if (!Array.isArray(body.inline)) throw new Error(`${resourceName}: remote-exec without inline`);
        const lines = (body.inline as string[]).map((l, i) => terraformUnescape(l, `${resourceName} inline[${i}]`));
        let script = [...lines, ""].join("\n");
        if (!script.startsWith("#!")) script = "#!/bin/sh\n" + script;
        const remote = `/tmp/terraform_${process.pid}${++scriptCounter}.sh`;
        const local = join(tmp, `script-${steps.length}.sh`);
        writeFileSync(local, script);
        const up = target.scpTo(local, remote);
        const r = up.status !== 0 ? up : target.ssh(`chmod 0777 ${remote} && ${remote}`);
        stdout += r.stdout;
        stderr += r.stderr;
        step = { kind: "remote-exec", target: remote, ...r };
      } else {
        throw new Error(`${resourceName}: provisioner ${kind} is not re-enacted`);
      }
      steps.push(step);
      if (step.status !== 0) return { ok: false, steps, failed: step, stdout, stderr };
    }
    return { ok: true, steps, stdout, stderr };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
