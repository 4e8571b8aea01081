import { OpenStackRelease } from "./release";

/** The neutron L3 agent `agent_mode` (l3_agent.ini [DEFAULT]). Enum-like class. */
export class L3AgentMode {
  /** Centralized routers only; never hosts a DVR router. */
  public static readonly LEGACY = new L3AgentMode("legacy", OpenStackRelease.OCATA);
  /** Compute-node mode: local part of DVR routers and FIPs of local VMs. */
  public static readonly DVR = new L3AgentMode("dvr", OpenStackRelease.OCATA);
  /** Network-node mode: central SNAT part of DVR routers, their local part, and legacy routers. */
  public static readonly DVR_SNAT = new L3AgentMode("dvr_snat", OpenStackRelease.OCATA);
  /** Like `dvr` without north-south; FIPs centralized on the dvr_snat node. Pike and later. */
  public static readonly DVR_NO_EXTERNAL = new L3AgentMode("dvr_no_external", OpenStackRelease.PIKE);

  private constructor(
    /** The value written to l3_agent.ini. */
    public readonly value: string,
    /** The first release that has this mode. */
    public readonly since: OpenStackRelease,
  ) {}

  public toString(): string {
    return this.value;
  }
}
