import { dependable, ITerraformDependable } from "cdktf";

/*
 * cdktf makes a new token for every read of a resource attribute (`port.id`) and for every
 * `dependsOn` entry, and each token captures a full stack trace when it is made: in a lab of 400 VMs
 * that was most of the build time (BENCHMARKS.md "Synth"). The constructs read each reference and
 * each dependency once and share the token (a token may appear in any number of places; the output
 * is the same).
 */

const dependableTokens = new WeakMap<ITerraformDependable, string>();

/** `depends_on` entries for `deps`, one token per dependency however many resources wait for it. */
export function sharedDependsOn(deps: readonly ITerraformDependable[] | undefined): string[] | undefined {
  return deps?.map((d) => {
    let token = dependableTokens.get(d);
    if (token === undefined) {
      token = dependable(d);
      dependableTokens.set(d, token);
    }
    return token;
  });
}

const attributeTokens = new WeakMap<object, Map<string, string>>();

/**
 * The reference to `resource`'s `attribute` (read by `read` the first time), one token shared by
 * every reader. Read it after the resource's logical id and iterator are final, as any reference.
 */
export function sharedAttribute<T extends object>(resource: T, attribute: string, read: (r: T) => string): string {
  let byName = attributeTokens.get(resource);
  if (!byName) attributeTokens.set(resource, (byName = new Map()));
  let token = byName.get(attribute);
  if (token === undefined) {
    token = read(resource);
    byName.set(attribute, token);
  }
  return token;
}
