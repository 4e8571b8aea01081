import { ITerraformDependable, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { OpenStackRelease } from "../model/release";
import { HostRole, HostSpec } from "../model/topology";
import { ConfigPush } from "../push/config-push";
import { DesiredConfig, desiredConfig, DesiredConfigInput } from "../push/desired-config";
import { NeutronPaths } from "../push/neutron-paths";
import { ProvisionerResource } from "../push/provisioner-resource";
import { ServiceManager } from "../push/service-manager";
import { addFindingsValidation } from "../validation/format";
import { assertNodeBuildable, LabExternalFacts, labScopeOf, NodeFacts, nodeFindings } from "../validation/node-checks";
import { NodeSshProps } from "../push/ssh";

/** Props every DVR lab node takes. */
export interface DvrNodeProps {
  /**
   * The node's host name as Nova and Neutron know it (nova-compute `host` and the agents' `host` must
   * be equal, docs/DVR.md §5.6).
   */
  readonly hostName: string;
  /** How Terraform and the verifier reach the node. */
  readonly ssh: NodeSshProps;
  /** @default OpenStackRelease.OCATA */
  readonly release?: OpenStackRelease;
  /** @default ServiceManager.SYSTEMD */
  readonly serviceManager?: ServiceManager;
  /** Overrides of config paths, unit names and log paths. @default Debian/Ubuntu packaging (kolla layout for KOLLA) */
  readonly paths?: NeutronPaths;
  /** Seconds a restarted service must stay alive to count as healthy. @default 5 */
  readonly settleSeconds?: number;
  /** Resources the push waits for (e.g. the controller's push). @default none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * The Terraform resource that carries the push's provisioners: the built-in `terraform_data`
   * (no provider needed) or `null_resource` (the stack must configure a NullProvider).
   * @default ProvisionerResource.TERRAFORM_DATA
   */
  readonly provisionerResource?: ProvisionerResource;
}

/**
 * Base of the node constructs: holds the node's desired neutron config and its `ConfigPush`.
 */
export abstract class DvrNode extends Construct {
  public readonly hostName: string;
  public readonly role: HostRole;
  public readonly release: OpenStackRelease;
  public readonly ssh: NodeSshProps;
  /** What the push sets on this node. */
  public readonly desired: DesiredConfig;
  /** The node's config push (terraform_data or null_resource with remote-exec). */
  public readonly push: ConfigPush;

  protected constructor(scope: Construct, id: string, role: HostRole, props: DvrNodeProps, extra: Partial<DesiredConfigInput>) {
    super(scope, id);
    nodeGeneration++;
    // Props that cannot be synthesized at all (wrong kinds, secrets that would land in cdk.tf.json) throw here.
    assertNodeBuildable(this, props);
    this.hostName = props.hostName;
    this.role = role;
    this.release = props.release ?? OpenStackRelease.OCATA;
    this.ssh = props.ssh;
    this.desired = desiredConfig({
      node: props.hostName,
      role,
      release: this.release,
      serviceManager: props.serviceManager ?? ServiceManager.SYSTEMD,
      paths: props.paths,
      settleSeconds: props.settleSeconds,
      ...extra,
    });
    this.push = new ConfigPush(this, "ConfigPush", {
      desired: this.desired,
      ssh: props.ssh,
      dependsOn: props.dependsOn,
      provisionerResource: props.provisionerResource,
    });
    // Everything else is checked at synth, together with the other nodes of the same lab.
    addFindingsValidation(this, () => {
      const peers = labPeers(this);
      const self = peers.find((p) => p.construct === this) ?? this.validationFacts();
      // A node finds itself in the stack's list by identity (otherwise the stack checks are skipped).
      const context = { stack: stackPeers(this), external: labExternalOf(this) };
      return nodeFindings(self, peers, context);
    });
  }

  /** What validation and the lab rules read about this node. @internal */
  public validationFacts(): NodeFacts {
    return { construct: this, hostName: this.hostName, role: this.role, release: this.release, ssh: this.ssh };
  }

  /** This node as the topology model sees it. */
  public abstract get hostSpec(): HostSpec;
}

/**
 * The facts of every node in a node's lab scope, for validation. Built once per scope (not once per
 * node: walking the lab tree per node made a 200-node synth spend ~10% in validation, BENCHMARKS.md)
 * and rebuilt whenever a node was added since.
 */
let nodeGeneration = 0;
const peerCache = new WeakMap<object, { readonly generation: number; readonly facts: NodeFacts[] }>();
function labPeers(node: DvrNode): NodeFacts[] {
  const scope = labScopeOf(node);
  let cached = peerCache.get(scope);
  if (!cached || cached.generation !== nodeGeneration) {
    const facts = scope.node
      .findAll()
      .filter((c): c is DvrNode => c instanceof DvrNode)
      .map((n) => n.validationFacts());
    cached = { generation: nodeGeneration, facts };
    peerCache.set(scope, cached);
  }
  return cached.facts;
}

/**
 * The facts of every node of a node's stack (the labs of one stack share one cloud), built once per
 * stack like labPeers, and sharing the facts objects of labPeers so a node finds itself in both.
 */
const stackCache = new WeakMap<object, { readonly generation: number; readonly facts: NodeFacts[] }>();
function stackPeers(node: DvrNode): NodeFacts[] {
  let stack: TerraformStack;
  try {
    stack = TerraformStack.of(node);
  } catch {
    return [];
  }
  let cached = stackCache.get(stack);
  if (!cached || cached.generation !== nodeGeneration) {
    const byNode = new Map<DvrNode, NodeFacts>();
    const facts = stack.node
      .findAll()
      .filter((c): c is DvrNode => c instanceof DvrNode)
      .map((n) => {
        let f = byNode.get(n);
        if (!f) {
          for (const p of labPeers(n)) byNode.set(p.construct as DvrNode, p);
          f = byNode.get(n) ?? n.validationFacts();
        }
        return f;
      });
    cached = { generation: nodeGeneration, facts };
    stackCache.set(stack, cached);
  }
  return cached.facts;
}

/** The external network of the DvrLab a node belongs to (duck-typed: this module does not import DvrLab). */
function labExternalOf(node: DvrNode): LabExternalFacts | undefined {
  const lab = labScopeOf(node) as { topology?: { external?: LabExternalFacts } };
  return lab.topology?.external;
}
