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
  console.log(`generated openstack bindings into ${path.join(outdir, "providers", "openstack")}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
