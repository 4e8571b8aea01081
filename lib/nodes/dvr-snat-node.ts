import { Construct } from "constructs";
import { DvrAgentNode, DvrAgentNodeProps } from "./dvr-agent-node";

/** Props of a network node (L3 agent_mode dvr_snat): those of every agent node. */
export interface DvrSnatNodeProps extends DvrAgentNodeProps {}

/**
 * A network node with L3 agent_mode dvr_snat: hosts the central SNAT part of distributed routers,
 * their local part, and legacy routers. With `runsVms` (the default) it is also a compute node, as in
 * the reference lab (unsupported upstream after Wallaby: rule DVR-W001).
 */
export class DvrSnatNode extends DvrAgentNode {
  constructor(scope: Construct, id: string, props: DvrSnatNodeProps) {
    super(scope, id, "dvr_snat", props);
  }
}
