import { Testing } from "cdktf";
import { OpenStackRelease } from "../../../lib";
import { ReferenceLabStack } from "../../../lib/layouts/reference-lab";
import { provisionerResources } from "./remote-exec";

/** Where ConfigPush uploads the push document (CONTRACTS.md section 1). */
export const DOCUMENT_DESTINATION = "/tmp/dvr-lab-desired.json";

export interface ConfigPushEntry {
  /** Address of the push resource in the synthesized stack (terraform_data.<name>). */
  readonly resourceName: string;
  readonly resource: any;
  /** The push document it uploads (parsed). */
  readonly document: any;
}

/**
 * The real example (examples/reference-lab) synthesized with Testing.synth, as cdk.tf.json would
 * hold it. The release is the one installed on the test machine (Debian 12: neutron 21 = Zed), so
 * the pushed keys are the ones this neutron registers.
 */
export function synthReferenceLab(release: OpenStackRelease = OpenStackRelease.ZED): any {
  const stack = new ReferenceLabStack(Testing.app(), "reference-lab", release);
  return JSON.parse(Testing.synth(stack));
}

/** The ConfigPush resources of a synthesized stack, by node name. */
export function configPushes(synth: any): Record<string, ConfigPushEntry> {
  const out: Record<string, ConfigPushEntry> = {};
  for (const [resourceName, resource] of Object.entries(provisionerResources(synth))) {
    for (const p of (resource as any).provisioner ?? []) {
      if (p.file?.destination === DOCUMENT_DESTINATION) {
        const document = JSON.parse(p.file.content);
        out[document.node] = { resourceName, resource, document };
      }
    }
  }
  return out;
}

/** A copy of the synthesized stack whose push document for `node` is replaced by `edit(document)`. */
export function withDocument(synth: any, node: string, edit: (doc: any) => any): any {
  const copy = JSON.parse(JSON.stringify(synth));
  const entry = configPushes(copy)[node];
  if (!entry) throw new Error(`no ConfigPush for ${node}`);
  for (const p of entry.resource.provisioner) {
    if (p.file?.destination === DOCUMENT_DESTINATION) {
      p.file.content = JSON.stringify(edit(JSON.parse(p.file.content)), null, 2) + "\n";
    }
  }
  return copy;
}
