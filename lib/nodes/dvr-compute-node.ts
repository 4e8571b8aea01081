import { Construct } from "constructs";
import { L3AgentMode } from "../model/agent-mode";
import { HostRole } from "../model/topology";
import { assertAgentMode, NodeFacts } from "../validation/node-checks";
import { DvrAgentNode, DvrAgentNodeProps } from "./dvr-agent-node";

/** Props of a compute node (L3 agent_mode dvr or dvr_no_external). */
export interface DvrComputeNodeProps extends DvrAgentNodeProps {
  /** L3 agent mode of the compute node: DVR or DVR_NO_EXTERNAL (Pike+). @default L3AgentMode.DVR */
  readonly mode?: L3AgentMode;
}

/** A compute node with L3 agent_mode dvr: routes its own VMs' traffic east-west and their FIPs. */
export class DvrComputeNode extends DvrAgentNode {
  public readonly mode: L3AgentMode;

  constructor(scope: Construct, id: string, props: DvrComputeNodeProps) {
    const mode = props.mode ?? L3AgentMode.DVR;
    super(scope, id, (mode instanceof L3AgentMode ? mode.value : "dvr") as HostRole, props);
    assertAgentMode(this, "mode", props.mode);
    this.mode = mode;
  }

  /** @internal */
  public validationFacts(): NodeFacts {
    return { ...super.validationFacts(), mode: this.mode, allowedModes: [L3AgentMode.DVR, L3AgentMode.DVR_NO_EXTERNAL] };
  }
}
