// The package root: the public API, named one by one (test/structure/api-docs.test.ts holds the list).
// Helpers the constructs use to build their resources (connection blocks, Neutron file paths, the
// push contract's constants, the verifier's parsers and probe scripts) stay in their modules.

// Model: releases, agent modes, the release table and the one topology model
export { OpenStackRelease } from "./model/release";
export { L3AgentMode } from "./model/agent-mode";
export { releaseSettings } from "./model/release-settings";
export type { ReleaseSettings } from "./model/release-settings";
export { LAB_DESCRIPTION_SCHEMA, LabTopology } from "./model/topology";
export type {
  DirectionExpectation,
  ExternalModel,
  ExternalSpec,
  HostModel,
  HostRole,
  HostSpec,
  LabDescription,
  RouterModel,
  RouterSpec,
  RoutingHop,
  RowKind,
  SubnetModel,
  SubnetSpec,
  TopologyRow,
  TopologySpec,
  VmModel,
  VmSpec,
} from "./model/topology";

// Config push
export { ServiceManager } from "./push/service-manager";
export type { NeutronFile, NeutronService } from "./push/neutron-paths";
export type { DesiredConfig, DesiredFile, DesiredService, IniSetting } from "./push/desired-config";
export { ProvisionerResource } from "./push/provisioner-resource";
export type { ProvisionerResourceConfig, ProvisionerResourceEntry } from "./push/provisioner-resource";
export { ConfigPush } from "./push/config-push";
export type { ConfigPushProps } from "./push/config-push";
export { SshPrivateKey } from "./push/ssh";
export type { NodeSshProps } from "./push/ssh";

// Nodes
export { DvrNode } from "./nodes/dvr-node";
export type { DvrNodeProps } from "./nodes/dvr-node";
export { DvrAgentNode } from "./nodes/dvr-agent-node";
export type { DvrAgentNodeProps } from "./nodes/dvr-agent-node";
export { DvrController } from "./nodes/dvr-controller";
export type { DvrControllerProps } from "./nodes/dvr-controller";
export { DvrSnatNode } from "./nodes/dvr-snat-node";
export type { DvrSnatNodeProps } from "./nodes/dvr-snat-node";
export { DvrComputeNode } from "./nodes/dvr-compute-node";
export type { DvrComputeNodeProps } from "./nodes/dvr-compute-node";

// Tenant side
export { TenantVxlanNetwork } from "./network/tenant-vxlan-network";
export type { TenantVxlanNetworkProps } from "./network/tenant-vxlan-network";
export { PinnedVm } from "./network/pinned-vm";
export type { PinnedVmProps } from "./network/pinned-vm";

// Lab
export { VerifyHook } from "./lab/verify-hook";
export type { VerifyHookProps, VerifyVmAccess } from "./lab/verify-hook";
export { DvrLab } from "./lab/dvr-lab";
export type { DvrLabControllerProps, DvrLabExternalProps, DvrLabInstanceProps, DvrLabNodeProps, DvrLabProps, DvrLabRouterProps } from "./lab/dvr-lab";

// Generated provider bindings (terraform-provider-openstack 3.4)
export * as openstack from "./gen/providers/openstack";

// Validation errors and lab rules
export { DvrLabInputError, DvrLabValidationError } from "./validation";
export type { ValidationErrorOptions } from "./validation";
export { DvrLabRules, DvrLabSuppressions, LAB_RULES, RuleLevel, SUPPRESSIONS_METADATA } from "./rules";
export type { LabRule, RuleFinding, RuleReport, RuleSuppression } from "./rules";

// The verifier (docs/VERIFY.md): verify() with its transports, VM executors and Neutron client, and the reports
export { verify, plan, REPORT_SCHEMA } from "./verify/run";
export type { Report, RowResult, VerifyDeps, VerifyOptions, WindowMode } from "./verify/run";
export { causes, renderMarkdown, renderText } from "./verify/report";
export { causeOf, formatTarget } from "./verify/checks";
export type { CheckedSetting, CheckId, CheckTarget, GateCheck } from "./verify/checks";
export type { GateResult, Resolved } from "./verify/gate";
export type { DirectionResult, NamespaceEvidence, Verdict } from "./verify/verdict";
export type { HostSnapshot } from "./verify/probes";
export { SshTransport } from "./verify/ssh-transport";
export type { SshTransportOptions } from "./verify/ssh-transport";
export { NeutronClient } from "./verify/neutron";
export type { FetchLike, NeutronClientOptions } from "./verify/neutron";
export { NamespaceVmExecutor, QdhcpSshVmExecutor } from "./verify/vm-executor";
export type { QdhcpSshOptions, VmLocation } from "./verify/vm-executor";
export { detachedBackground } from "./verify/shell";
export type {
  AccessInfo,
  BackgroundJob,
  BackgroundOptions,
  Command,
  HostAccess,
  NeutronApi,
  PingOutcome,
  PingRequest,
  PlannedCommand,
  RunOptions,
  RunResult,
  Transport,
  VmAccess,
  VmExecutor,
  VmExecutorContext,
} from "./verify/types";
