/**
 * An OpenStack release the lab targets. Enum-like class (aws-cdk-lib style): use the static members,
 * or `OpenStackRelease.of("zed")` to parse a name.
 */
export class OpenStackRelease {
  // Declared first: static fields initialize in order, and every member below registers itself.
  private static readonly registry: OpenStackRelease[] = [];

  public static readonly OCATA = new OpenStackRelease("ocata", 10);
  public static readonly PIKE = new OpenStackRelease("pike", 11);
  public static readonly QUEENS = new OpenStackRelease("queens", 12);
  public static readonly ROCKY = new OpenStackRelease("rocky", 13);
  public static readonly STEIN = new OpenStackRelease("stein", 14);
  public static readonly TRAIN = new OpenStackRelease("train", 15);
  public static readonly USSURI = new OpenStackRelease("ussuri", 16);
  public static readonly VICTORIA = new OpenStackRelease("victoria", 17);
  public static readonly WALLABY = new OpenStackRelease("wallaby", 18);
  public static readonly XENA = new OpenStackRelease("xena", 19);
  public static readonly YOGA = new OpenStackRelease("yoga", 20);
  public static readonly ZED = new OpenStackRelease("zed", 21);
  /** 2023.1 */
  public static readonly ANTELOPE = new OpenStackRelease("antelope", 22);
  /** 2023.2 */
  public static readonly BOBCAT = new OpenStackRelease("bobcat", 23);
  /** 2024.1 */
  public static readonly CARACAL = new OpenStackRelease("caracal", 24);
  /** 2024.2 */
  public static readonly DALMATIAN = new OpenStackRelease("dalmatian", 25);
  /** 2025.1 */
  public static readonly EPOXY = new OpenStackRelease("epoxy", 26);
  /** 2025.2 */
  public static readonly FLAMINGO = new OpenStackRelease("flamingo", 27);
  /** 2026.1 */
  public static readonly GAZPACHO = new OpenStackRelease("gazpacho", 28);

  /** Every release the library knows, oldest first. */
  public static all(): OpenStackRelease[] {
    return [...OpenStackRelease.registry];
  }

  /** Parses a release name (case-insensitive). Throws with the list of known names. */
  public static of(name: string): OpenStackRelease {
    const found = OpenStackRelease.registry.find((r) => r.name === String(name).toLowerCase());
    if (!found) {
      throw new Error(
        `unknown OpenStack release "${name}"; use one of: ${OpenStackRelease.registry.map((r) => r.name).join(", ")}`,
      );
    }
    return found;
  }

  private constructor(
    /** Lower-case release name, e.g. "ocata". */
    public readonly name: string,
    /** The neutron major version of this release (Ocata = 10, Zed = 21). */
    public readonly neutronMajor: number,
  ) {
    OpenStackRelease.registry.push(this);
  }

  /** True when this release is the same as or newer than `other`. */
  public atLeast(other: OpenStackRelease): boolean {
    return this.neutronMajor >= other.neutronMajor;
  }

  public toString(): string {
    return this.name;
  }
}
