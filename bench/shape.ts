/**
 * The labs the benchmark synthesizes, as plain data (no construct imports), shared by the construct
 * build (bench/constructs-lab.ts) and the raw-cdktf build (bench/raw-lab.ts) so both describe the
 * same lab.
 *
 * Generated lab of size N (N >= 2):
 *   - controller `ctrl`, one dedicated dvr_snat network node `net1` (runsVms false, DHCP agent),
 *     N dvr compute nodes `cmp001`..`cmpNNN` (tunnel IPs 10.30.0.0/16, SSH addresses 10.20.0.0/16);
 *   - 2 routers x 2 subnets: `<lab>-dvr` (distributed) with subnets -dvr-a/-dvr-b, `<lab>-legacy`
 *     with -legacy-a/-legacy-b; /22 each (10.100.0.0/20), so 400 VMs fit;
 *   - explicit `vms`, 2 per compute: even computes get one VM in dvr-a and one in dvr-b, odd computes
 *     one in legacy-a and one in legacy-b (a same-node pair per compute, cross-node pairs between
 *     computes of the same parity); the `a` VM of cmp001 and of cmp002 gets a floating IP (one per
 *     router);
 *   - external network `public` 203.0.113.0/24 on physnet `provider`;
 *   - SSH: literal addresses and host keys, private key from a file (`file(...)` in the output).
 */

export type BenchSize = "reference" | number;

export interface HostShape {
  readonly name: string;
  readonly role: "controller" | "dvr_snat" | "dvr";
  readonly tunnelIp?: string;
  readonly runsVms: boolean;
  readonly dhcp: boolean;
  /** SSH address literal (generated labs). */
  readonly address: string;
  readonly hostKey: string;
}

export interface SubnetShape {
  readonly name: string;
  readonly cidr: string;
  readonly router: string;
}

export interface RouterShape {
  readonly name: string;
  readonly distributed: boolean;
  readonly subnets: readonly SubnetShape[];
}

export interface VmShape {
  readonly name: string;
  readonly host: string;
  readonly subnet: string;
  readonly floatingIp: boolean;
}

export interface LabShape {
  readonly labName: string;
  readonly hosts: readonly HostShape[];
  readonly routers: readonly RouterShape[];
  /** Explicit VMs (generated labs); undefined = the library's default placement (reference lab). */
  readonly vms?: readonly VmShape[];
  readonly external: { readonly networkName: string; readonly cidr: string; readonly physnet: string };
  readonly privateKeyFile: string;
  readonly publicKey: string;
  readonly imageName: string;
  readonly flavorName: string;
}

export const BENCH_SIZES: readonly BenchSize[] = ["reference", 10, 50, 200, 1000];

const pad = (i: number) => String(i).padStart(3, "0");
const octets = (base: string, i: number) => `${base}.${Math.floor(i / 250)}.${(i % 250) + 2}`;

export function computeName(i: number): string {
  return `cmp${pad(i + 1)}`;
}

export function generatedShape(computes: number): LabShape {
  if (!Number.isInteger(computes) || computes < 2) throw new Error(`generated lab needs >= 2 computes, got ${computes}`);
  const labName = `bench${computes}`;
  const host = (name: string, role: HostShape["role"], i: number, extra: Partial<HostShape> = {}): HostShape => ({
    name,
    role,
    runsVms: role === "dvr",
    dhcp: false,
    address: octets("10.20", i),
    hostKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBENCH${name.toUpperCase()}hostkeyhostkeyhostkeyhostkey`,
    ...extra,
  });
  const hosts: HostShape[] = [
    host("ctrl", "controller", 0),
    host("net1", "dvr_snat", 1, { tunnelIp: octets("10.30", 1), dhcp: true }),
  ];
  for (let i = 0; i < computes; i++) hosts.push(host(computeName(i), "dvr", i + 2, { tunnelIp: octets("10.30", i + 2) }));
  const dvr = `${labName}-dvr`;
  const legacy = `${labName}-legacy`;
  const routers: RouterShape[] = [
    {
      name: dvr,
      distributed: true,
      subnets: [
        { name: `${dvr}-a`, cidr: "10.100.0.0/22", router: dvr },
        { name: `${dvr}-b`, cidr: "10.100.4.0/22", router: dvr },
      ],
    },
    {
      name: legacy,
      distributed: false,
      subnets: [
        { name: `${legacy}-a`, cidr: "10.100.8.0/22", router: legacy },
        { name: `${legacy}-b`, cidr: "10.100.12.0/22", router: legacy },
      ],
    },
  ];
  const vms: VmShape[] = [];
  for (let i = 0; i < computes; i++) {
    const r = routers[i % 2];
    const h = computeName(i);
    vms.push({ name: `vm-${h}-a`, host: h, subnet: r.subnets[0].name, floatingIp: i < 2 });
    vms.push({ name: `vm-${h}-b`, host: h, subnet: r.subnets[1].name, floatingIp: false });
  }
  return {
    labName,
    hosts,
    routers,
    vms,
    external: { networkName: "public", cidr: "203.0.113.0/24", physnet: "provider" },
    privateKeyFile: "~/.ssh/id_ed25519",
    publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBENCHlabkeylabkeylabkeylabkey bench",
    imageName: "cirros",
    flavorName: "m1.tiny",
  };
}

/**
 * The reference lab (examples/reference-lab) as a shape, for its raw twin only: the construct side
 * synthesizes the real ReferenceLabStack. SSH values there are Terraform variables, see raw-lab.ts.
 */
export function referenceShape(): LabShape {
  const h = (name: string, role: HostShape["role"], tunnelIp?: string, dhcp = false): HostShape => ({
    name,
    role,
    tunnelIp,
    runsVms: role !== "controller",
    dhcp,
    address: "",
    hostKey: "",
  });
  return {
    labName: "reference",
    hosts: [h("ctrl1", "controller"), h("com1", "dvr_snat", "192.0.2.11", true), h("com2", "dvr", "192.0.2.12")],
    routers: [
      {
        name: "reference-dvr",
        distributed: true,
        subnets: [
          { name: "reference-dvr-a", cidr: "198.51.100.0/26", router: "reference-dvr" },
          { name: "reference-dvr-b", cidr: "198.51.100.64/26", router: "reference-dvr" },
        ],
      },
      {
        name: "reference-legacy",
        distributed: false,
        subnets: [
          { name: "reference-legacy-a", cidr: "198.51.100.128/26", router: "reference-legacy" },
          { name: "reference-legacy-b", cidr: "198.51.100.192/26", router: "reference-legacy" },
        ],
      },
    ],
    // Default placement per router: a (FIP) and b on com2, a on com1 (README "Default placement").
    vms: ["reference-dvr", "reference-legacy"].flatMap((r) => [
      { name: `${r}-a-com2`, host: "com2", subnet: `${r}-a`, floatingIp: true },
      { name: `${r}-b-com2`, host: "com2", subnet: `${r}-b`, floatingIp: false },
      { name: `${r}-a-com1`, host: "com1", subnet: `${r}-a`, floatingIp: false },
    ]),
    external: { networkName: "public", cidr: "203.0.113.0/24", physnet: "provider" },
    privateKeyFile: "",
    publicKey: "",
    imageName: "",
    flavorName: "",
  };
}

export function parseSize(arg: string | undefined): BenchSize {
  if (arg === "reference") return "reference";
  const n = Number(arg);
  if (!Number.isInteger(n) || n < 2) throw new Error(`size must be "reference" or an integer >= 2, got ${arg}`);
  return n;
}

export function sizeLabel(size: BenchSize): string {
  return size === "reference" ? "reference lab (3 nodes, 6 VMs)" : `${size} computes (${size + 2} nodes, ${2 * size} VMs)`;
}
