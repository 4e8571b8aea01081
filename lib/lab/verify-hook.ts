import { ITerraformDependable, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { LabDescription } from "../model/topology";
import { DvrAgentNode } from "../nodes/dvr-agent-node";
import type { VerifyVmAccess } from "../model/lab-props";
import { DvrNode } from "../nodes/dvr-node";
export type { VerifyVmAccess } from "../model/lab-props";
import { ProvisionerResource } from "../push/provisioner-resource";
import { sha256 } from "../push/remote-script";
import { verifyHookFindings } from "../validation/block-checks";
import { addFindingsValidation } from "../validation/format";
import { isLabScope } from "../validation/node-checks";

/** Props of the verify hook: what it verifies and how the verifier reaches the nodes. */
export interface VerifyHookProps {
  /** The lab description the verifier proves (DvrLab's `topology.toDescription()`). */
  readonly description: LabDescription;
  /** The nodes of the description, for their SSH access (address, user, port, host key, private key). */
  readonly nodes: readonly DvrNode[];
  /** Where the verifier writes report.json and report.md. @default "dvr-lab-reports/<lab name>" */
  readonly reportDir?: string;
  /** The command that runs the verifier. @default "npx --no-install dvr-lab verify" */
  readonly command?: string;
  /** VM access for the probes. @default user "cirros", key and host chosen by the verifier */
  readonly vmAccess?: VerifyVmAccess;
  /**
   * What must be applied before the verifier runs (the config pushes and the VMs).
   * @default - nothing: the hook runs as soon as Terraform reaches it
   */
  readonly dependsOn?: ITerraformDependable[];
  /** The resource that carries the local-exec. @default ProvisionerResource.TERRAFORM_DATA */
  readonly provisionerResource?: ProvisionerResource;
}

/**
 * Runs the verifier after the config push and the VMs (local-exec), so `cdktf deploy` fails with
 * the failing rows. The lab description and the node access info go in by environment
 * (docs/CONTRACTS.md §3); a private key given as a sensitive variable has its own variable.
 */
export class VerifyHook extends Construct {
  public readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, props: VerifyHookProps) {
    super(scope, id);
    // Used on its own, the hook validates its props; inside a DvrLab the lab does (verifyCommand, verifyVmAccess).
    if (!isLabScope(scope)) {
      addFindingsValidation(this, () =>
        verifyHookFindings({
          command: props.command,
          vmAccess: props.vmAccess,
          nodes: props.nodes.map((n) => ({ name: n.hostName, dhcp: n instanceof DvrAgentNode && n.dhcpAgent })),
          descriptionHosts: props.description.hosts.map((h) => h.name),
        }),
      );
    }
    const description = JSON.stringify(props.description);
    const environment: Record<string, string> = { DVR_LAB_DESCRIPTION: description };
    /** Private keys given as (sensitive) variables: env name -> the variable's expression. */
    const keys: Record<string, string> = {};
    const hosts: Record<string, Record<string, unknown>> = {};
    for (const node of props.nodes) {
      const key = node.ssh.privateKey;
      const entry: Record<string, unknown> = {
        address: node.ssh.address,
        user: node.ssh.user ?? "root",
        port: node.ssh.port ?? 22,
        ...(node.ssh.hostKey && !node.ssh.insecureSkipHostKeyCheck ? { hostKey: node.ssh.hostKey } : {}),
      };
      if (key.kind === "file") entry.privateKeyFile = key.path;
      if (key.kind === "variable") {
        const envName = `DVR_LAB_SSH_KEY_${node.hostName.replace(/[^A-Za-z0-9]/g, "_").toUpperCase()}`;
        entry.privateKeyEnv = envName;
        keys[envName] = key.render()!;
      }
      hosts[node.hostName] = entry;
    }
    environment.DVR_LAB_ACCESS = JSON.stringify({ hosts, ...(props.vmAccess ? { vm: props.vmAccess } : {}) });
    const reportDir = props.reportDir ?? `dvr-lab-reports/${props.description.name}`;
    const command = props.command ?? "npx --no-install dvr-lab verify";
    const verifyArgs = `--description-env DVR_LAB_DESCRIPTION --access-env DVR_LAB_ACCESS --report-dir ${reportDir}`;
    // Terraform hides ALL output of a provisioner whose config holds a sensitive value. The keys
    // therefore go in by a first local-exec that only stashes them (0600 files, KEYS_DIR); the
    // verifier's own local-exec has no sensitive value, reads and deletes the files, and its table
    // shows in `cdktf deploy`.
    const keysDir = `${reportDir}/.keys`;
    const hasKeys = Object.keys(keys).length > 0;
    this.resource = (props.provisionerResource ?? ProvisionerResource.TERRAFORM_DATA).create(this, "Resource", {
      // The hook re-runs when the lab's description changes. Its hash, not the description itself:
      // Terraform prints triggers in every plan, JSON expanded (about 450 lines for the reference lab,
      // BENCHMARKS.md "Plan output"); the verifier gets the description from its environment.
      triggers: { description_sha256: sha256(description) },
      dependsOn: props.dependsOn,
      provisioners: [
        ...(hasKeys
          ? [{ type: "local-exec" as const, command: `${command} --stash-keys ${keysDir} --access-env DVR_LAB_ACCESS`, environment: { DVR_LAB_ACCESS: environment.DVR_LAB_ACCESS, ...keys } }]
          : []),
        {
          type: "local-exec",
          command: `${command} ${verifyArgs}${hasKeys ? ` --keys-from ${keysDir}` : ""}`,
          environment,
        },
      ],
    });
  }
}
