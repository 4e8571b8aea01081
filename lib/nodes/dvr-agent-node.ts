import { Construct } from "constructs";
import { HostRole, HostSpec, l3AgentModeOf } from "../model/topology";
import { NodeFacts } from "../validation/node-checks";
import { DvrNode, DvrNodeProps } from "./dvr-node";

/** Props of nodes that run the OVS and L3 agents (dvr_snat and dvr nodes). */
export interface DvrAgentNodeProps extends DvrNodeProps {
  /** VXLAN tunnel endpoint of this node (openvswitch_agent.ini [ovs] local_ip); must be on a local interface. */
  readonly tunnelIp: string;
  /** Whether nova-compute runs here, so the lab may place VMs here. @default true */
  readonly runsVms?: boolean;
  /** Physnet of the external network; sets bridge_mappings (needed on every DVR node for FIPs). @default no external network */
  readonly externalPhysnet?: string;
  /** OVS bridge of the external physnet. @default "br-ex" */
  readonly externalBridge?: string;
  /** Host of the nova metadata API (metadata_agent.ini). @default not set */
  readonly metadataHost?: string;
  /** Run a DHCP agent here (sets dhcp_agent.ini interface_driver, expected in the agent table). @default false */
  readonly dhcpAgent?: boolean;
  /** OVS agent firewall driver. @default the release table's value (iptables_hybrid on Ocata, else unchanged) */
  readonly firewallDriver?: string;
}

/** Shared implementation of DvrSnatNode and DvrComputeNode. */
export abstract class DvrAgentNode extends DvrNode {
  public readonly tunnelIp: string;
  public readonly runsVms: boolean;
  public readonly dhcpAgent: boolean;

  protected constructor(scope: Construct, id: string, role: HostRole, props: DvrAgentNodeProps) {
    super(scope, id, role, props, {
      tunnelIp: props.tunnelIp,
      externalPhysnet: props.externalPhysnet,
      externalBridge: props.externalBridge,
      metadataHost: props.metadataHost,
      dhcpAgent: props.dhcpAgent,
      firewallDriver: props.firewallDriver,
    });
    this.tunnelIp = props.tunnelIp;
    this.runsVms = props.runsVms ?? true;
    this.dhcpAgent = props.dhcpAgent ?? false;
  }

  /** @internal */
  public validationFacts(): NodeFacts {
    return { ...super.validationFacts(), tunnelIp: this.tunnelIp, mode: l3AgentModeOf(this.role) };
  }

  public get hostSpec(): HostSpec {
    return { name: this.hostName, role: this.role, tunnelIp: this.tunnelIp, runsVms: this.runsVms, dhcpAgent: this.dhcpAgent };
  }
}
