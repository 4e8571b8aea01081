import { DVR_E001 } from "./e001-l2population";
import { DVR_E002 } from "./e002-openvswitch-driver";
import { DVR_E003 } from "./e003-firewall-driver";
import { DVR_E004 } from "./e004-sensitive-output";
import { DVR_E005 } from "./e005-telling-node";
import { DVR_I001 } from "./i001-same-node-on-dvr";
import type { LabRule } from "./rule";
import { DVR_W001 } from "./w001-vms-on-snat-node";
import { DVR_W002 } from "./w002-second-snat-node";
import { DVR_W003 } from "./w003-ssh-open-to-world";
import { DVR_W004 } from "./w004-host-key-check-off";
import { DVR_W005 } from "./w005-same-node-on-snat";
import { DVR_W006 } from "./w006-vxlan-mtu";

/**
 * The rule pack (the rules table of docs/RULES.md, in this order): one rule per file in lib/rules.
 * Ids are stable: never renumber, only add.
 */
export const LAB_RULES: readonly LabRule[] = [
  DVR_E001,
  DVR_E002,
  DVR_E003,
  DVR_E004,
  DVR_E005,
  DVR_W001,
  DVR_W002,
  DVR_W003,
  DVR_W004,
  DVR_W005,
  DVR_W006,
  DVR_I001,
];
