import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { ITerraformDependable, SSHProvisionerConnection, TerraformResource } from "cdktf";
import { FileProvisioner, LocalExecProvisioner, RemoteExecProvisioner } from "cdktf";
import { Construct } from "constructs";
import { sharedDependsOn } from "../common/shared-tokens";

/** What a provisioner-carrying resource of the lab gets: the values that force a re-run, and its provisioners. */
export interface ProvisionerResourceConfig {
  /** Values whose change replaces the resource, which re-runs its provisioners. */
  readonly triggers: Readonly<Record<string, string>>;
  readonly dependsOn?: ITerraformDependable[];
  readonly connection?: SSHProvisionerConnection;
  readonly provisioners: (FileProvisioner | LocalExecProvisioner | RemoteExecProvisioner)[];
}

/** One provisioner-carrying resource found in a synthesized stack. */
export interface ProvisionerResourceEntry {
  readonly kind: ProvisionerResource;
  /** `<type>.<name>`, as Terraform addresses it. */
  readonly address: string;
  readonly body: Record<string, unknown>;
  readonly triggers: Readonly<Record<string, string>>;
}

/**
 * Which Terraform resource carries the lab's provisioners (the config pushes and the verify hook).
 * Enum-like class.
 *
 * - `TERRAFORM_DATA` (the default): Terraform's built-in `terraform_data` (Terraform >= 1.4, and
 *   OpenTofu). It needs no provider at all, so `terraform init` installs nothing for it and an
 *   air-gapped lab needs only the OpenStack provider. Triggers go in `triggers_replace`.
 * - `NULL_RESOURCE`: `null_resource` of hashicorp/null (the stack must configure a `NullProvider`).
 *   Triggers go in `triggers`. For stacks that already depend on the null provider, or Terraform
 *   older than 1.4.
 */
export class ProvisionerResource {
  public static readonly TERRAFORM_DATA = new ProvisionerResource("terraform_data", "triggers_replace");
  public static readonly NULL_RESOURCE = new ProvisionerResource("null_resource", "triggers");

  private constructor(
    /** The Terraform resource type. */
    public readonly terraformType: "terraform_data" | "null_resource",
    /** The attribute that holds the triggers in the synthesized JSON. */
    public readonly triggersAttribute: "triggers_replace" | "triggers",
  ) {}

  /** Creates the resource in `scope`. */
  public create(scope: Construct, id: string, config: ProvisionerResourceConfig): TerraformResource {
    const { dependsOn, ...rest } = config;
    const resource =
      this === ProvisionerResource.NULL_RESOURCE
        ? new NullResource(scope, id, { ...rest, triggers: { ...config.triggers } })
        : new TerraformDataResource(scope, id, rest);
    // Every agent push waits for the controller's: one token per dependency (lib/common/shared-tokens.ts).
    resource.dependsOn = sharedDependsOn(dependsOn);
    return resource;
  }

  /**
   * Every resource of a synthesized stack (cdk.tf.json, parsed) that either kind could have made:
   * its address (`terraform_data.x`), its JSON body and its triggers.
   */
  public static entriesOf(stack: unknown): ProvisionerResourceEntry[] {
    const resources = (stack as { resource?: Record<string, Record<string, Record<string, unknown>>> }).resource ?? {};
    return [ProvisionerResource.TERRAFORM_DATA, ProvisionerResource.NULL_RESOURCE].flatMap((kind) =>
      Object.entries(resources[kind.terraformType] ?? {}).map(([name, body]) => ({
        kind,
        address: `${kind.terraformType}.${name}`,
        body,
        triggers: (body[kind.triggersAttribute] ?? {}) as Record<string, string>,
      })),
    );
  }

  public toString(): string {
    return this.terraformType;
  }
}

/**
 * Terraform's built-in `terraform_data`. Not cdktf's `DataResource`: that one adds a validation that
 * runs `terraform version` once per resource at synth time, which makes synth need a Terraform binary
 * (the main job must run offline on any machine) and costs a process per node on large labs.
 */
class TerraformDataResource extends TerraformResource {
  private readonly triggers: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, config: ProvisionerResourceConfig) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      connection: config.connection,
      provisioners: config.provisioners,
    });
    this.triggers = config.triggers;
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return { triggers_replace: { ...this.triggers } };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return { triggers_replace: { value: { ...this.triggers }, isBlock: false, type: "map", storageClassType: "stringMap" } };
  }
}
