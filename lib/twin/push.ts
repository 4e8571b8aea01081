import { randomBytes } from "crypto";
import { existsSync, readFileSync } from "fs";
import { join } from "path";
import { OpenStackRelease } from "../model/release";
import { LabDescription } from "../model/topology";
import { desiredConfig } from "../push/desired-config";
import { ProvisionerResource } from "../push/provisioner-resource";
import { assetContent } from "../push/remote-script";
import { ServiceManager } from "../push/service-manager";
import { TwinPlan } from "./plan";
import { TwinSsh } from "./ssh";

/**
 * Node configuration by the project's OWN push: each node's ConfigPush `null_resource` (from the
 * synthesized cdk.tf.json) is replayed against the twin host exactly as Terraform would run it:
 * every `file` provisioner uploads its (Terraform-unescaped) content to its destination, then the
 * `remote-exec` inline lines run as one uploaded script. The connection is the twin's: the host's
 * management IP, the twin's operator key and the twin host's own (verified) host key.
 */

export type Provisioner =
  | { readonly type: "file"; readonly content: string; readonly destination: string }
  | { readonly type: "remote-exec"; readonly inline: readonly string[] };

export interface PushStep {
  /** Twin host name (the push document's `node`). */
  readonly node: string;
  /** Where it came from: the Terraform address, or "stand-in" for a push built from desiredConfig. */
  readonly source: string;
  readonly provisioners: readonly Provisioner[];
}

export const PUSH_SCRIPT_PATH = "/tmp/dvr-lab-push.py";
export const PUSH_DOCUMENT_PATH = "/tmp/dvr-lab-desired.json";

/** Terraform string literal -> value ("$${" -> "${", "%%{" -> "%{"); refuses real interpolations. */
export function terraformUnescape(text: string, where: string): string {
  const stripped = text.replace(/\$\$\{/g, "").replace(/%%\{/g, "");
  if (/\$\{|%\{/.test(stripped)) {
    throw new Error(`dvr-lab twin: ${where} contains a Terraform interpolation the twin cannot evaluate`);
  }
  return text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
}

/** The ConfigPush resources (terraform_data or null_resource) of a synthesized stack (cdk.tf.json), one per node. */
export function pushesFromStack(stack: unknown, stackDir?: string): PushStep[] {
  const out: PushStep[] = [];
  for (const { address: name, body } of ProvisionerResource.entriesOf(stack)) {
    const raw = (body as { provisioner?: unknown }).provisioner;
    const list: unknown[] = Array.isArray(raw) ? raw : raw ? [raw] : [];
    const provisioners: Provisioner[] = [];
    for (const p of list) {
      for (const [type, cfg] of Object.entries(p as Record<string, unknown>)) {
        const c = cfg as Record<string, unknown>;
        if (type === "file") {
          provisioners.push({
            type: "file",
            // An uploaded file (the push script, a stack asset) or inline content (the push document).
            content:
              typeof c.source === "string"
                ? assetContent(c.source, stackDir)
                : terraformUnescape(String(c.content ?? ""), `${name} file ${String(c.destination)}`),
            destination: String(c.destination),
          });
        } else if (type === "remote-exec") {
          const inline = (c.inline as string[] | undefined) ?? [];
          provisioners.push({ type: "remote-exec", inline: inline.map((l) => terraformUnescape(l, `${name} remote-exec`)) });
        }
      }
    }
    const doc = provisioners.find((p) => p.type === "file" && p.destination === PUSH_DOCUMENT_PATH);
    if (!doc || doc.type !== "file") continue;
    const node = (JSON.parse(doc.content) as { node?: string }).node;
    if (!node) throw new Error(`dvr-lab twin: ${name}: push document without "node"`);
    out.push({ node, source: name, provisioners });
  }
  return out;
}

/** The project's push script if present (remote/dvr_push.py), else the twin's stand-in. */
export function pushScript(root: string): { path: string; standIn: boolean } {
  const real = join(root, "remote", "dvr_push.py");
  if (existsSync(real)) return { path: real, standIn: false };
  return { path: join(root, "remote", "twin", "push_stand_in.py"), standIn: true };
}

/**
 * Until a synthesized stack is given: the ConfigPush each node WILL get, built the same way (from
 * lib/push/desired-config.ts and the contract's provisioner layout).
 */
export function pushesFromDescription(plan: TwinPlan, root: string): PushStep[] {
  const d: LabDescription = plan.description;
  const release = OpenStackRelease.of(d.release);
  const script = readFileSync(pushScript(root).path, "utf8");
  return plan.hosts.map((h) => {
    const desired = desiredConfig({
      node: h.name,
      role: h.role,
      release,
      serviceManager: ServiceManager.SYSTEMD,
      vniRange: d.vniRange,
      ...(d.external ? { externalPhysnet: d.external.physnet, externalBridge: "br-ex" } : {}),
      ...(h.tunnelIp ? { tunnelIp: h.tunnelIp } : {}),
      metadataHost: plan.controller.mgmtIp,
      dhcpAgent: h.services.includes("neutron-dhcp-agent"),
      routerDistributed: true,
      apiUrl: `http://127.0.0.1:${plan.apiPort}/`,
      settleSeconds: 2,
    });
    return {
      node: h.name,
      source: "stand-in (desiredConfig)",
      provisioners: [
        { type: "file", content: script, destination: PUSH_SCRIPT_PATH },
        { type: "file", content: JSON.stringify(desired, null, 2) + "\n", destination: PUSH_DOCUMENT_PATH },
        { type: "remote-exec", inline: [`python3 ${PUSH_SCRIPT_PATH} ${PUSH_DOCUMENT_PATH}`] },
      ],
    };
  });
}

/** Runs one node's push over SSH as Terraform would. Returns the remote output; throws on failure. */
export async function runPush(step: PushStep, ssh: TwinSsh, address: string): Promise<string> {
  let output = "";
  for (const p of step.provisioners) {
    if (p.type === "file") {
      const q = shq(p.destination);
      const r = await ssh.exec(address, `mkdir -p "$(dirname ${q})" && cat > ${q}`, p.content);
      if (r.code !== 0) throw new Error(`push ${step.node} (${step.source}): upload of ${p.destination} failed: ${r.stderr.trim()}`);
    } else {
      // Terraform's remote-exec: the inline lines become one script, uploaded and executed.
      const path = `/tmp/terraform_${randomBytes(4).readUInt32BE(0)}.sh`;
      const up = await ssh.exec(address, `cat > ${path} && chmod 0777 ${path}`, p.inline.join("\n") + "\n");
      if (up.code !== 0) throw new Error(`push ${step.node}: upload of the remote-exec script failed: ${up.stderr.trim()}`);
      const r = await ssh.exec(address, path);
      output += r.stdout + r.stderr;
      if (r.code !== 0) {
        throw new Error(`push ${step.node} (${step.source}): remote-exec failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim().slice(-3000)}`);
      }
    }
  }
  return output;
}

function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
