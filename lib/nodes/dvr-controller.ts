import { Construct } from "constructs";
import { HostSpec } from "../model/topology";
import { NodeFacts } from "../validation/node-checks";
import { DvrNode, DvrNodeProps } from "./dvr-node";

/** Props of the controller node (neutron-server with ML2, L3 scheduling for DVR). */
export interface DvrControllerProps extends DvrNodeProps {
  /** ML2 mechanism drivers. DVR over VXLAN needs l2population. @default ["openvswitch", "l2population"] */
  readonly mechanismDrivers?: string[];
  /** ML2 type drivers. @default ["flat", "vxlan"] with an external network, else ["vxlan"] */
  readonly typeDrivers?: string[];
  /** Tenant network types. @default ["vxlan"] */
  readonly tenantNetworkTypes?: string[];
  /** VXLAN VNI range (ml2_type_vxlan vni_ranges). @default { min: 1, max: 1000 } */
  readonly vniRange?: { readonly min: number; readonly max: number };
  /** Physnet of the flat external network (ml2_type_flat flat_networks). @default no external network */
  readonly externalPhysnet?: string;
  /** neutron.conf [DEFAULT] router_distributed (default type of new routers). @default true */
  readonly routerDistributed?: boolean;
  /** URL at which the neutron API answers on the controller, waited for after a restart. @default "http://127.0.0.1:9696/" */
  readonly apiUrl?: string;
}

/** The neutron-server node: router_distributed, ML2 with l2population, VXLAN type driver and VNI range. */
export class DvrController extends DvrNode {
  public readonly props: DvrControllerProps;

  constructor(scope: Construct, id: string, props: DvrControllerProps) {
    super(scope, id, "controller", props, {
      mechanismDrivers: props.mechanismDrivers,
      typeDrivers: props.typeDrivers,
      tenantNetworkTypes: props.tenantNetworkTypes,
      vniRange: props.vniRange,
      externalPhysnet: props.externalPhysnet,
      routerDistributed: props.routerDistributed,
      apiUrl: props.apiUrl,
    });
    this.props = props;
  }

  /** @internal */
  public validationFacts(): NodeFacts {
    return {
      ...super.validationFacts(),
      mechanismDrivers: this.props.mechanismDrivers,
      typeDrivers: this.props.typeDrivers,
      tenantNetworkTypes: this.props.tenantNetworkTypes,
      externalPhysnet: this.props.externalPhysnet,
      vniRange: this.props.vniRange,
    };
  }

  public get hostSpec(): HostSpec {
    return { name: this.hostName, role: "controller", runsVms: false };
  }
}
