/**
 * How neutron services are managed on a node. Enum-like class.
 */
export class ServiceManager {
  /** systemd units (Debian/Ubuntu/RDO packages). Config under /etc/neutron. */
  public static readonly SYSTEMD = new ServiceManager("systemd");
  /** kolla-ansible containers (`docker restart neutron_*`). Config under /etc/kolla/<service>/. */
  public static readonly KOLLA = new ServiceManager("kolla");

  private constructor(public readonly value: "systemd" | "kolla") {}

  public toString(): string {
    return this.value;
  }
}
