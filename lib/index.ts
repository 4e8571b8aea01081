// Model
export * from "./model/release";
export * from "./model/agent-mode";
export * from "./model/release-settings";
export * from "./model/topology";
// Config push
export * from "./push/service-manager";
export * from "./push/neutron-paths";
export * from "./push/desired-config";
export * from "./push/provisioner-resource";
export * from "./push/config-push";
// Nodes
export * from "./push/ssh";
export * from "./nodes/dvr-node";
export * from "./nodes/dvr-agent-node";
export * from "./nodes/dvr-controller";
export * from "./nodes/dvr-snat-node";
export * from "./nodes/dvr-compute-node";
// Tenant side
export * from "./network/tenant-vxlan-network";
export * from "./network/pinned-vm";
// Lab
export * from "./lab/verify-hook";
export * from "./lab/dvr-lab";
// Generated provider bindings (terraform-provider-openstack 3.4)
export * as openstack from "./gen/providers/openstack";
// Validation and lab rules
export * from "./validation";
export * from "./rules";
