import { App, Testing } from "cdktf";
import { ReferenceLabStack } from "../../lib/layouts/reference-lab";
import { UpstreamLayoutStack } from "../../lib/layouts/upstream-layout";
import { OpenStackRelease } from "../../lib";

/** Synthesized cdk.tf.json (parsed) of an example, with validations ON (Testing.synth(stack, true)). */
export function synthReference(release?: OpenStackRelease): any {
  const app = Testing.app();
  return JSON.parse(Testing.synth(new ReferenceLabStack(app, "reference-lab", release), true));
}

export function synthUpstream(release?: OpenStackRelease): any {
  const app = Testing.app();
  return JSON.parse(Testing.synth(new UpstreamLayoutStack(app, "upstream-layout", release), true));
}

/** Every resource of a type in a synthesized document, as [logicalName, config] pairs. */
export function resourcesOf(doc: any, type: string): [string, any][] {
  return Object.entries(doc.resource?.[type] ?? {});
}

export function freshApp(): App {
  return Testing.app();
}

/** The config pushes (terraform_data with a config_sha256 trigger), as [logicalName, config] pairs. */
export function pushesOf(doc: any): [string, any][] {
  return resourcesOf(doc, "terraform_data").filter(([, r]) => r.triggers_replace?.config_sha256);
}
