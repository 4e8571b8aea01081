import { TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { NodeSshProps, SshPrivateKey } from "../index";

/**
 * Site-specific values of an example lab as Terraform variables (set them with TF_VAR_... or a
 * .tfvars file). Nothing secret is synthesized: the private key is a sensitive variable.
 */
export class SiteVariables extends Construct {
  public readonly sshUser: TerraformVariable;
  public readonly sshPrivateKey: TerraformVariable;
  public readonly imageName: TerraformVariable;
  public readonly flavorName: TerraformVariable;
  public readonly labPublicKey: TerraformVariable;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.sshUser = this.variable("ssh_user", "SSH user on the nodes (non-root users need passwordless sudo)", "root");
    this.sshPrivateKey = new TerraformVariable(this, "ssh_private_key", {
      type: "string",
      sensitive: true,
      description: "SSH private key for the nodes (e.g. TF_VAR_ssh_private_key=\"$(cat ~/.ssh/id_ed25519)\")",
    });
    this.sshPrivateKey.overrideLogicalId("ssh_private_key");
    this.imageName = this.variable("image_name", "Glance image of the probe VMs", "cirros");
    this.flavorName = this.variable("flavor_name", "Nova flavor of the probe VMs", "m1.tiny");
    this.labPublicKey = this.variable("lab_public_key", "Public key installed into the probe VMs");
  }

  /** SSH access to one node: `<host>_address` and `<host>_host_key` variables. */
  public ssh(host: string): NodeSshProps {
    return {
      address: this.variable(`${host}_address`, `SSH address of ${host}`).stringValue,
      hostKey: this.variable(`${host}_host_key`, `SSH host public key of ${host} (e.g. from ssh-keyscan, verified)`).stringValue,
      user: this.sshUser.stringValue,
      privateKey: SshPrivateKey.fromVariable(this.sshPrivateKey),
    };
  }

  private variable(name: string, description: string, defaultValue?: string): TerraformVariable {
    const v = new TerraformVariable(this, name, { type: "string", description, ...(defaultValue !== undefined ? { default: defaultValue } : {}) });
    v.overrideLogicalId(name);
    return v;
  }
}
