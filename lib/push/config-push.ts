import { AssetType, ITerraformDependable, TerraformAsset, TerraformResource, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { NodeSshProps, renderConnection } from "./ssh";
import { DesiredConfig } from "./desired-config";
import { ProvisionerResource } from "./provisioner-resource";
import { remoteScript, remoteScriptPath, sha256 } from "./remote-script";

/** Where the push files land on the node (Terraform's file provisioner needs an existing folder). */
export const PUSH_SCRIPT_PATH = "/tmp/dvr-lab-push.py";
export const PUSH_DOCUMENT_PATH = "/tmp/dvr-lab-desired.json";
const PUSH_SCRIPT = "dvr_push.py";
/**
 * The one command remote-exec runs: a fixed literal (the SSH user may be a Terraform variable, so
 * the node decides whether sudo is needed).
 */
export const PUSH_COMMAND =
  `if [ "$(id -u)" -eq 0 ]; then python3 ${PUSH_SCRIPT_PATH} ${PUSH_DOCUMENT_PATH}; ` +
  `else sudo -n python3 ${PUSH_SCRIPT_PATH} ${PUSH_DOCUMENT_PATH}; fi`;

/** Props of one node's config push. */
export interface ConfigPushProps {
  /** The node's desired Neutron settings and the services to restart (the push document). */
  readonly desired: DesiredConfig;
  /** How Terraform reaches the node over SSH. */
  readonly ssh: NodeSshProps;
  /**
   * What must be pushed first (the agents' pushes depend on the controller's).
   * @default - nothing: the push runs as soon as Terraform reaches it
   */
  readonly dependsOn?: ITerraformDependable[];
  /** The resource that carries the provisioners. @default ProvisionerResource.TERRAFORM_DATA */
  readonly provisionerResource?: ProvisionerResource;
}

/**
 * One node's config push: a `terraform_data` (or `null_resource`, see `ProvisionerResource`) with two
 * `file` provisioners (the push script, remote/dvr_push.py, uploaded from the stack's one asset copy of
 * it; and the node's push document, inline) and a `remote-exec` that runs the script. Its triggers hash
 * the document and the script, so a re-apply re-pushes only nodes whose desired config (or the script)
 * changed.
 */
export class ConfigPush extends Construct {
  public readonly resource: TerraformResource;
  /** The push document as JSON (exactly what is uploaded). */
  public readonly document: string;

  constructor(scope: Construct, id: string, props: ConfigPushProps) {
    super(scope, id);
    const script = pushScript();
    const asset = pushScriptAsset(this, script.sha256);
    this.document = JSON.stringify(props.desired, null, 2) + "\n";
    const connection = renderConnection(props.ssh);
    this.resource = (props.provisionerResource ?? ProvisionerResource.TERRAFORM_DATA).create(this, "Resource", {
      triggers: {
        node: props.desired.node,
        config_sha256: sha256(this.document),
        script_sha256: script.sha256,
      },
      dependsOn: props.dependsOn,
      connection,
      provisioners: [
        { type: "file", source: asset.path, destination: PUSH_SCRIPT_PATH },
        { type: "file", content: this.document, destination: PUSH_DOCUMENT_PATH },
        { type: "remote-exec", inline: [PUSH_COMMAND] },
      ],
    });
  }
}

/** Id of the push script's asset: one per stack, at the stack's root, shared by every push in it. */
export const PUSH_SCRIPT_ASSET_ID = "DvrLabPushScript";

/**
 * The stack's one asset copy of remote/dvr_push.py (cdktf writes it to
 * `cdktf.out/stacks/<stack>/assets/DvrLabPushScript/<sha256>/dvr_push.py`; the file provisioners upload
 * it by that relative path). Its hash is the script's sha256, the same as the pushes' script_sha256
 * trigger, so the path changes exactly when the script does.
 */
function pushScriptAsset(scope: Construct, scriptSha256: string): TerraformAsset {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(PUSH_SCRIPT_ASSET_ID);
  if (existing instanceof TerraformAsset) return existing;
  return new TerraformAsset(stack, PUSH_SCRIPT_ASSET_ID, { path: remoteScriptPath(PUSH_SCRIPT), type: AssetType.FILE, assetHash: scriptSha256 });
}

/** The push script's hash, computed once per process instead of once per node. */
let cachedScript: { readonly text: string; readonly sha256: string } | undefined;
function pushScript(): { readonly sha256: string } {
  const text = remoteScript(PUSH_SCRIPT);
  if (cachedScript?.text !== text) cachedScript = { text, sha256: sha256(text) };
  return cachedScript;
}
