#!/usr/bin/env node
// Generates the cdktf bindings for terraform-provider-openstack from the provider schema this project
// owns (schema/openstack-provider-schema.json, `terraform providers schema -json` format, trimmed to
// the resources and data sources dvr-lab uses). The version constraint "~> 3.4" given below is what
// the synthesized required_providers pins (the schema deliberately has no provider_versions entry:
// cdktf would pin that exact version instead). Output: lib/gen/providers/openstack (generated only).
//
// The generator class is imported directly: the package index require.resolve()s jsii/jsii-pacmak,
// which we do not need (see README "Provider bindings").
"use strict";
const path = require("path");
const fs = require("fs");
const { CodeMaker } = require("codemaker");
const { TerraformProviderGenerator } = require("@cdktf/provider-generator/lib/get/generator/provider-generator");
const { leanBindings, LEAN_HELPER } = require("./lean-bindings");

function tsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}

async function main() {
  const root = path.resolve(__dirname, "..");
  const schema = JSON.parse(fs.readFileSync(path.join(root, "schema/openstack-provider-schema.json"), "utf8"));
  // Optional argument: another output folder (the freshness test generates into a temp dir).
  const outdir = path.resolve(process.argv[2] || path.join(root, "lib/gen"));
  fs.rmSync(path.join(outdir, "providers", "openstack"), { recursive: true, force: true });
  const code = new CodeMaker();
  const generator = new TerraformProviderGenerator(code, schema);
  generator.generate({
    name: "openstack",
    source: "terraform-provider-openstack/openstack",
    version: "~> 3.4",
    fqn: "terraform-provider-openstack/openstack",
    namespace: undefined,
    isModule: false,
    isProvider: true,
    // ConstructsMakerTarget fields the generator reads
    srcMakName: "openstack",
    fqpn: "registry.terraform.io/terraform-provider-openstack/openstack",
  });
  await generator.save(outdir);
  // Cheaper synth, the same cdk.tf.json: scripts/lean-bindings.js.
  const provider = path.join(outdir, "providers", "openstack");
  for (const file of tsFiles(provider)) {
    const source = fs.readFileSync(file, "utf8");
    const lean = leanBindings(source);
    if (lean !== source) fs.writeFileSync(file, lean);
  }
  fs.writeFileSync(path.join(provider, "lean.ts"), LEAN_HELPER);
  console.log(`generated openstack bindings into ${path.join(outdir, "providers", "openstack")}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
