/**
 * The REAL Terraform CLI and the REAL terraform-provider-openstack (built from source by
 * `npm run setup`) read what the library synthesizes: `init` from the project's filesystem mirror
 * (offline, nothing asks a registry) and `validate`, for both examples and a user-composed stack;
 * broken documents fail with Terraform's own message; the provider's own schema equals the schema
 * files the bindings and the conformance test are generated from.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { DvrLab, L3AgentMode, OpenStackRelease, openstack, SshPrivateKey } from "../../lib";
import { runTerraform } from "../../lib/toolchain/terraform";
import { synthReference, synthUpstream } from "../support/synth";
import { describeTerraform, initAndValidate, stackDir } from "../support/terraform";

/** A stack composed the way the README's "Compose the constructs in your own stack" does it. */
function userStack(): any {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "my-lab");
  new openstack.provider.OpenstackProvider(stack, "openstack", {});
  const key = new TerraformVariable(stack, "ssh_private_key", { type: "string", sensitive: true });
  const ssh = (address: string, hostKey: string) => ({ address, hostKey, privateKey: SshPrivateKey.fromVariable(key) });
  new DvrLab(stack, "Lab", {
    release: OpenStackRelease.OCATA,
    controller: { hostName: "ctrl1", ssh: ssh("192.0.2.10", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDvrLabTestHostKeyOnlyForTests0000000ctrl1") },
    nodes: [
      { hostName: "com1", mode: L3AgentMode.DVR_SNAT, tunnelIp: "192.0.2.111", ssh: ssh("192.0.2.11", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDvrLabTestHostKeyOnlyForTests00000000com1") },
      { hostName: "com2", mode: L3AgentMode.DVR, tunnelIp: "192.0.2.112", ssh: ssh("192.0.2.12", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDvrLabTestHostKeyOnlyForTests00000000com2") },
    ],
    external: { networkName: "public", cidr: "203.0.113.0/24", physnet: "provider" },
    instances: { imageName: "cirros", flavorName: "m1.tiny", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDvrLabTestLabKeyOnlyForSynthTests00000 lab" },
  });
  return JSON.parse(Testing.synth(stack, true));
}

const firstOf = (doc: any, type: string): any => Object.values<any>(doc.resource[type])[0];
const summaries = (d: { diagnostics: { severity: string; summary: string; detail?: string }[] }) =>
  d.diagnostics.map((x) => `${x.severity}: ${x.summary}: ${x.detail ?? ""}`);

describeTerraform("real Terraform CLI and terraform-provider-openstack", (toolchain) => {
  test.each([
    ["reference lab", synthReference],
    ["upstream layout", synthUpstream],
    ["a user-composed stack (README)", userStack],
  ])("%s: init from the mirror (offline) and validate pass", (_name, synth) => {
    const r = initAndValidate(toolchain(), synth());
    expect(r.init.status).toBe(0);
    // Only the project's mirror was asked: init names it and the provider version it found there.
    expect(r.init.output).toContain("terraform-provider-openstack/openstack v3.4.0");
    expect(summaries(r)).toEqual([]);
    expect(r.valid).toBe(true);
  });

  describe("broken documents fail validate with Terraform's own message", () => {
    test("a wrong attribute on a resource", () => {
      const doc = synthReference();
      firstOf(doc, "openstack_networking_router_v2").distributedd = true;
      const r = initAndValidate(toolchain(), doc);
      expect(r.valid).toBe(false);
      expect(summaries(r)).toEqual(['error: Extraneous JSON object property: No argument or block type is named "distributedd".']);
    });

    test("a wrong field in a provisioner's connection", () => {
      const doc = synthReference();
      const push = Object.values<any>(doc.resource.terraform_data).find((r) => r.connection);
      push.connection.hostkey = push.connection.host_key;
      delete push.connection.host_key;
      const r = initAndValidate(toolchain(), doc);
      expect(r.valid).toBe(false);
      expect(summaries(r)).toEqual(['error: Extraneous JSON object property: No argument or block type is named "hostkey". Did you mean "host_key"?']);
    });

    test("an unknown resource type", () => {
      const doc = synthReference();
      doc.resource.openstack_networking_routr_v2 = { r: { name: "x" } };
      const r = initAndValidate(toolchain(), doc);
      expect(r.valid).toBe(false);
      expect(summaries(r)).toEqual([
        'error: Invalid resource type: The provider terraform-provider-openstack/openstack does not support resource type "openstack_networking_routr_v2". Did you mean "openstack_networking_router_v2"?',
      ]);
    });
  });

  test("the real provider's schema equals the project's schema files for every resource and attribute the library uses", () => {
    const { dir, cleanup } = stackDir(synthReference());
    try {
      const t = toolchain();
      expect(runTerraform(t, ["init", "-input=false", "-no-color", "-backend=false"], dir).status).toBe(0);
      const out = runTerraform(t, ["providers", "schema", "-json"], dir);
      expect(out.status).toBe(0);
      const real = JSON.parse(out.stdout).provider_schemas;
      const differences: string[] = [];
      for (const file of ["openstack-provider-schema.json", "terraform-builtin-schema.json"]) {
        const own = JSON.parse(readFileSync(join(__dirname, "../../schema", file), "utf8")).provider_schemas;
        for (const [address, provider] of Object.entries<any>(own)) {
          for (const kind of ["resource_schemas", "data_source_schemas"]) {
            for (const [type, schema] of Object.entries<any>(provider[kind] ?? {})) {
              differences.push(...schemaDifferences(schema, realProvider(real, address)?.[kind]?.[type], `${file}: ${kind}.${type}`));
            }
          }
        }
      }
      expect(differences).toEqual([]);
    } finally {
      cleanup();
    }
  });

  test("the schema comparison names the attribute that differs", () => {
    const schema = { block: { attributes: { name: { type: "string", optional: true } }, block_types: { x: { nesting_mode: "list", block: { attributes: { a: { type: "number" } } } } } } };
    const real = { block: { attributes: { name: { type: "string", required: true }, extra: { type: "bool" } }, block_types: { x: { nesting_mode: "list", block: { attributes: {} } } } } };
    expect(schemaDifferences(schema, real, "t")).toEqual([
      't.block.attributes.name.optional: ours true, the provider\'s undefined',
      't.block.attributes.name.required: ours undefined, the provider\'s true',
      "t.block.attributes.extra: only in the provider",
      "t.block.block_types.x.block.attributes.a: only in ours",
    ]);
    expect(schemaDifferences(schema, undefined, "t")).toEqual(["t: not in the provider"]);
  });
});

/**
 * The CLI's schema of a provider. OpenTofu resolves the same source on registry.opentofu.org, so a
 * registry provider is matched by namespace/type whatever the host.
 */
function realProvider(real: Record<string, any>, address: string): any {
  if (real[address]) return real[address];
  const tail = address.split("/").slice(1).join("/");
  const key = Object.keys(real).find((k) => k.split("/").slice(1).join("/") === tail && !k.startsWith("terraform.io/"));
  return key ? real[key] : undefined;
}

/** Every difference between our schema of a type and the provider's, by attribute path. */
function schemaDifferences(ours: any, theirs: any, where: string): string[] {
  if (theirs === undefined) return [`${where}: not in the provider`];
  if (ours === null || theirs === null || typeof ours !== "object" || typeof theirs !== "object") {
    return JSON.stringify(ours) === JSON.stringify(theirs) ? [] : [`${where}: ours ${JSON.stringify(ours)}, the provider's ${JSON.stringify(theirs)}`];
  }
  if (Array.isArray(ours) || Array.isArray(theirs)) {
    return JSON.stringify(ours) === JSON.stringify(theirs) ? [] : [`${where}: ours ${JSON.stringify(ours)}, the provider's ${JSON.stringify(theirs)}`];
  }
  const out: string[] = [];
  for (const key of new Set([...Object.keys(ours), ...Object.keys(theirs)])) {
    const path = `${where}.${key}`;
    if (!(key in theirs)) {
      out.push(typeof ours[key] === "object" ? `${path}: only in ours` : `${path}: ours ${JSON.stringify(ours[key])}, the provider's undefined`);
    } else if (!(key in ours)) {
      out.push(typeof theirs[key] === "object" ? `${path}: only in the provider` : `${path}: ours undefined, the provider's ${JSON.stringify(theirs[key])}`);
    } else out.push(...schemaDifferences(ours[key], theirs[key], path));
  }
  return out;
}
