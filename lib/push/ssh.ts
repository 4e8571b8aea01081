import { Fn, TerraformVariable, Token } from "cdktf";
import { SSHProvisionerConnection } from "cdktf";

/**
 * Where Terraform gets a node's SSH private key. Enum-like class: a key is never a literal string in
 * the synthesized cdk.tf.json.
 */
export class SshPrivateKey {
  /** Terraform reads the key file at plan time (`file(path)`); only the path is synthesized. */
  public static fromFile(path: string): SshPrivateKey {
    return new SshPrivateKey("file", path);
  }

  /** A `sensitive` Terraform variable holding the key (e.g. set with TF_VAR_...). */
  public static fromVariable(variable: TerraformVariable): SshPrivateKey {
    return new SshPrivateKey("variable", undefined, variable);
  }

  /** Use the SSH agent of the machine that runs Terraform. */
  public static fromAgent(): SshPrivateKey {
    return new SshPrivateKey("agent");
  }

  private constructor(
    public readonly kind: "file" | "variable" | "agent",
    /** The key file path (kind "file"). */
    public readonly path?: string,
    /** The variable (kind "variable"). */
    public readonly variable?: TerraformVariable,
  ) {}

  /** `file(path)`, made once: every node sharing the key shares the token (lib/common/shared-tokens.ts). */
  private fileToken?: string;

  /** The value for the Terraform connection block's private_key, undefined for the agent. */
  public render(): string | undefined {
    if (this.kind === "file") return (this.fileToken ??= Fn.file(this.path!));
    if (this.kind === "variable") return this.variable!.stringValue;
    return undefined;
  }
}

/** How Terraform (and the verifier) reach a node over SSH. */
export interface NodeSshProps {
  /** Address (IP or DNS name) of the node's SSH endpoint. May be a Terraform variable token. */
  readonly address: string;
  /**
   * SSH user. A user other than root runs the push with `sudo -n`.
   * @default "root"
   */
  readonly user?: string;
  /** @default 22 */
  readonly port?: number;
  /** The private key: `SshPrivateKey.fromFile(...)`, `.fromVariable(...)` or `.fromAgent()`. */
  readonly privateKey: SshPrivateKey;
  /**
   * The node's SSH host public key ("ssh-ed25519 AAAA..."), verified by Terraform and the verifier.
   * Required unless `insecureSkipHostKeyCheck` is true.
   * @default - none: validation then requires `insecureSkipHostKeyCheck: true`
   */
  readonly hostKey?: string;
  /**
   * Skip host key verification (lab rule DVR-W004 warns). Only for throw-away labs.
   * @default false
   */
  readonly insecureSkipHostKeyCheck?: boolean;
}

/** The Terraform `connection` block for a node. */
export function renderConnection(ssh: NodeSshProps): SSHProvisionerConnection {
  const key = ssh.privateKey.render();
  return {
    type: "ssh",
    host: ssh.address,
    user: ssh.user ?? "root",
    port: ssh.port ?? 22,
    ...(key !== undefined ? { privateKey: key } : { agent: "true" }),
    ...(ssh.hostKey !== undefined && !ssh.insecureSkipHostKeyCheck ? { hostKey: ssh.hostKey } : {}),
    timeout: "5m",
  };
}

/** True when a value is an unresolved Terraform token (checked at apply time, not at synth). */
export function isToken(value: unknown): boolean {
  return typeof value === "string" ? Token.isUnresolved(value) : typeof value === "number" && Token.isUnresolved(value);
}
