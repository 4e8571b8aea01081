#!/usr/bin/env node
// Prints what `npm run synth` wrote: per stack, the config pushes, routers and pinned VMs.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..", "cdktf.out", "stacks");
for (const stack of fs.readdirSync(root).sort()) {
  const file = path.join(root, stack, "cdk.tf.json");
  const doc = JSON.parse(fs.readFileSync(file, "utf8"));
  const res = doc.resource || {};
  // The pushes are terraform_data (triggers_replace) by default, null_resource (triggers) as an option.
  const pushes = [
    ...Object.values(res.terraform_data || {}).map((r) => r.triggers_replace),
    ...Object.values(res.null_resource || {}).map((r) => r.triggers),
  ].filter((t) => t && t.config_sha256);
  const routers = Object.values(res.openstack_networking_router_v2 || {});
  const vms = Object.values(res.openstack_compute_instance_v2 || {});
  console.log(`${path.relative(process.cwd(), file)}`);
  console.log(`  config pushes (remote-exec): ${pushes.map((t) => t.node).join(", ")}`);
  console.log(`  routers: ${routers.map((r) => `${r.name} (distributed=${r.distributed})`).join(", ")}`);
  console.log(`  VMs: ${vms.map((v) => `${v.name} -> ${v.availability_zone}`).join(", ")}`);
}
