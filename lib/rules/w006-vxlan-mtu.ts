import type { IConstruct } from "constructs";
import { NetworkingNetworkV2 } from "../gen/providers/openstack/networking-network-v2";
import { TenantVxlanNetwork } from "../network/tenant-vxlan-network";
import { isUnresolved } from "../validation/format";
import { LabRule, RuleFinding, RuleLevel } from "./rule";

export const DVR_W006: LabRule = {
  id: "DVR-W006",
  level: RuleLevel.WARNING,
  what: "A tenant VXLAN network's MTU is above 1450.",
  why: "VXLAN over IPv4 costs 50 bytes: above 1450 the underlay needs an MTU of at least mtu + 50, or large packets are lost while ping works (docs/DVR.md §5.3).",
  fix: "Leave mtu unset (Neutron derives it from global_physnet_mtu), or make sure the underlay and global_physnet_mtu carry mtu + 50.",
  check(net: IConstruct): RuleFinding[] {
    if (!(net instanceof NetworkingNetworkV2) || !(net.node.scope instanceof TenantVxlanNetwork)) return [];
    const mtu = net.mtuInput;
    if (mtu === undefined || isUnresolved(mtu) || mtu <= 1450) return [];
    return [
      {
        prop: "mtu",
        value: mtu,
        what: "is above 1450 on a VXLAN network",
        fix: `make sure the underlay (and global_physnet_mtu) carries at least ${mtu + 50} bytes, or leave mtu unset`,
      },
    ];
  },
};
