import { TerraformStack, Testing } from "cdktf";
import fc from "fast-check";
import {
  DvrLab,
  DvrLabNodeProps,
  DvrLabProps,
  DvrLabRules,
  L3AgentMode,
  LabDescription,
  LabTopology,
  OpenStackRelease,
  RouterSpec,
  TenantVxlanNetwork,
  TopologySpec,
} from "../../lib";
import { LAB_PUBLIC_KEY, ssh, stackWith, synthErrors } from "./support/lab";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { describeTerraform, initAndValidate } from "../support/terraform";

/**
 * Property tests of lab validation and of the expected routing (issue 16), with fast-check:
 * - random VALID labs (1-3 dvr_snat nodes, 0-20 dvr and dvr_no_external nodes, random subnets,
 *   VNIs, MTUs, ML2 drivers, external network and placement) always synthesize without errors,
 *   with Terraform-valid names, and their description's expected routing agrees with the agent
 *   modes (docs/DVR.md §2.6, re-derived here independently of lib/model/topology.ts);
 * - a random single mutation of such a lab into one of the classes of issue 16 is always rejected,
 *   with a message naming the mutated prop.
 * DvrLab has exactly two routers (distributedRouter and legacyRouter), so the labs have two; the
 * model (LabTopology) and TenantVxlanNetwork take any number, and are tested with 1-4 routers.
 * Failures print fast-check's seed and the shrunk counterexample.
 */

const { DVR_SNAT, DVR, DVR_NO_EXTERNAL } = L3AgentMode;
const RUNS = { valid: 30, mutations: 40, model: 150, tenant: 15, terraform: 6 };
const TERRAFORM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

// ---- the generator of valid labs ------------------------------------------------------------------

interface SubnetGen {
  readonly slot: number;
  readonly prefix: number;
  readonly gatewayOffset?: number;
  readonly vni: boolean;
  readonly mtu?: number;
}

interface LabGen {
  readonly labName: string;
  readonly release: OpenStackRelease;
  readonly snats: readonly boolean[]; // runsVms of each dvr_snat node
  readonly computes: readonly { readonly mode: "dvr" | "dvr_no_external"; readonly runsVms: boolean }[];
  readonly subnets: readonly SubnetGen[]; // 4: distributed a, b; legacy a, b
  readonly vniRange?: { readonly min: number; readonly size: number };
  readonly ml2?: { readonly typeDrivers: readonly string[]; readonly tenantNetworkTypes?: readonly string[] };
  readonly external?: { readonly octet: number; readonly prefix: number; readonly explicitGateway: boolean };
  /** undefined: the default placement; else per router [same host, cross host, cross subnet], extras, floating IPs. */
  readonly placement?: {
    readonly perRouter: readonly (readonly [number, number])[];
    readonly extras: readonly { readonly host: number; readonly subnet: number; readonly fip: boolean }[];
    readonly fips: readonly boolean[];
  };
  readonly sshSourceCidr: boolean;
}

const subnetGen: fc.Arbitrary<Omit<SubnetGen, "slot">> = fc.record(
  {
    prefix: fc.integer({ min: 22, max: 27 }),
    gatewayOffset: fc.integer({ min: 1, max: 9 }),
    vni: fc.boolean(),
    mtu: fc.integer({ min: 1280, max: 1450 }),
  },
  { requiredKeys: ["prefix", "vni"] },
);

/** Present half of the time. */
const half = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });

const labGen: fc.Arbitrary<LabGen> = fc.record(
  {
    labName: fc.stringMatching(/^[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?$/),
    release: fc.constantFrom(...OpenStackRelease.all()),
    snats: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
    computes: fc.array(fc.record({ mode: fc.constantFrom("dvr" as const, "dvr_no_external" as const), runsVms: fc.boolean() }), { maxLength: 20, size: "max" }),
    subnets: fc
      .tuple(fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 4, maxLength: 4 }), fc.array(subnetGen, { minLength: 4, maxLength: 4 }))
      .map(([slots, subs]) => subs.map((s, i) => ({ ...s, slot: slots[i] }))),
    vniRange: half(fc.record({ min: fc.integer({ min: 1, max: 100000 }), size: fc.integer({ min: 4, max: 5000 }) })),
    ml2: half(fc.constantFrom(
      { typeDrivers: ["flat", "vxlan"] },
      { typeDrivers: ["flat", "vlan", "vxlan"], tenantNetworkTypes: ["vxlan", "vlan"] },
      { typeDrivers: ["vxlan", "flat", "geneve"], tenantNetworkTypes: ["vxlan"] },
    )),
    external: half(fc.record({ octet: fc.integer({ min: 0, max: 255 }), prefix: fc.integer({ min: 24, max: 26 }), explicitGateway: fc.boolean() })),
    placement: half(fc.record({
      perRouter: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 2, maxLength: 2 }),
      extras: fc.array(fc.record({ host: fc.nat(), subnet: fc.integer({ min: 0, max: 3 }), fip: fc.boolean() }), { maxLength: 3 }),
      fips: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    })),
    sshSourceCidr: fc.boolean(),
  },
);

const ip = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
const ipInt = (a: string) => a.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);

/** What a LabGen becomes: DvrLab props, plus what the tests need to know about it. */
interface BuiltLab {
  readonly props: DvrLabProps;
  /** The lab's only VM hosts are dvr_snat nodes (DVR-E005 is then suppressed with a reason). */
  readonly snatOnly: boolean;
  /** Tenant subnets as built: name, network address (int), size. */
  readonly subnets: readonly { name: string; network: number; size: number }[];
}

/** Turns a generated lab into valid DvrLab props (the few fix-ups keep it valid; see each comment). */
function buildLab(g: LabGen, idBase = 0): BuiltLab {
  const name = g.labName;
  const pikeOrLater = g.release.atLeast(OpenStackRelease.PIKE);
  const tunnel = (i: number) => ip(ipInt("172.16.0.0") + idBase + i + 1);
  const address = (i: number) => ip(ipInt("172.24.0.0") + idBase + i + 1);
  let snats = [...g.snats];
  let computes = g.computes.map((c) => ({ ...c, mode: pikeOrLater ? c.mode : ("dvr" as const) })); // dvr_no_external needs Pike
  // At least two VM hosts, one of them a dvr / dvr_no_external node when there is one.
  if (computes.length > 0 && !computes.some((c) => c.runsVms)) computes = computes.map((c, i) => (i === 0 ? { ...c, runsVms: true } : c));
  if (computes.length === 0) snats = snats.length >= 2 ? snats.map(() => true) : [true, true];
  const vmHostCount = snats.filter(Boolean).length + computes.filter((c) => c.runsVms).length;
  if (vmHostCount < 2) snats = snats.map((r, i) => (i === 0 ? true : r));
  const nodes: DvrLabNodeProps[] = [
    ...snats.map((runsVms, i) => ({ hostName: `${name}-net${i + 1}`, mode: DVR_SNAT, tunnelIp: tunnel(i), runsVms, ssh: ssh({ address: address(i) }) })),
    ...computes.map((c, i) => ({
      hostName: `${name}-com${i + 1}`,
      mode: c.mode === "dvr" ? DVR : DVR_NO_EXTERNAL,
      tunnelIp: tunnel(10 + i),
      runsVms: c.runsVms,
      ssh: ssh({ address: address(10 + i) }),
    })),
  ];
  const vmHosts = nodes.filter((n) => n.runsVms).map((n) => n.hostName);

  const range = g.vniRange && { min: g.vniRange.min, max: g.vniRange.min + g.vniRange.size - 1 };
  const subnets = g.subnets.map((s, i) => {
    const size = 2 ** (32 - s.prefix);
    const network = ipInt("10.0.0.0") + (idBase / 32) * 65536 + s.slot * 1024;
    return {
      spec: {
        name: `${name}-s${i}`,
        cidr: `${ip(network)}/${s.prefix}`,
        ...(s.gatewayOffset !== undefined ? { gatewayIp: ip(network + s.gatewayOffset) } : {}),
        ...(s.vni ? { vni: (range?.min ?? 1) + i } : {}),
        ...(s.mtu !== undefined ? { mtu: s.mtu } : {}),
      },
      network,
      size,
    };
  });
  const external = g.external && {
    networkName: "public",
    cidr: `100.64.${g.external.octet}.0/${g.external.prefix}`,
    physnet: "provider",
    ...(g.external.explicitGateway ? { gatewayIp: `100.64.${g.external.octet}.1` } : {}),
  };
  let vms: DvrLabProps["vms"];
  if (g.placement) {
    const p = g.placement;
    vms = [];
    const names = subnets.map((s) => s.spec.name);
    p.perRouter.forEach(([same, cross], r) => {
      const [a, b] = [names[2 * r], names[2 * r + 1]];
      const sameHost = vmHosts[same % vmHosts.length];
      const others = vmHosts.filter((h) => h !== sameHost);
      const crossHost = others[cross % others.length];
      vms!.push(
        { name: `vm${r}-a-same`, host: sameHost, subnet: a, floatingIp: !!external && p.fips[3 * r] },
        { name: `vm${r}-b-same`, host: sameHost, subnet: b, floatingIp: !!external && p.fips[3 * r + 1] },
        { name: `vm${r}-a-cross`, host: crossHost, subnet: a, floatingIp: !!external && p.fips[3 * r + 2] },
      );
    });
    p.extras.forEach((x, i) => vms!.push({ name: `extra${i}`, host: vmHosts[x.host % vmHosts.length], subnet: names[x.subnet], floatingIp: !!external && x.fip }));
  }
  const props: DvrLabProps = {
    labName: name,
    release: g.release,
    controller: { hostName: `${name}-ctrl`, ssh: ssh({ address: address(100) }), ...(g.ml2 ? { typeDrivers: [...g.ml2.typeDrivers], ...(g.ml2.tenantNetworkTypes ? { tenantNetworkTypes: [...g.ml2.tenantNetworkTypes] } : {}) } : {}) },
    nodes,
    distributedRouter: { subnets: [subnets[0].spec, subnets[1].spec] },
    legacyRouter: { subnets: [subnets[2].spec, subnets[3].spec] },
    ...(external ? { external } : {}),
    ...(vms ? { vms } : {}),
    ...(range ? { vniRange: range } : {}),
    ...(g.sshSourceCidr ? { sshSourceCidr: "192.168.0.0/16" } : {}),
    instances: { imageName: "cirros", flavorName: "m1.tiny", publicKey: LAB_PUBLIC_KEY },
    verify: true,
  };
  return { props, snatOnly: computes.filter((c) => c.runsVms).length === 0, subnets: subnets.map((s) => ({ name: s.spec.name, network: s.network, size: s.size })) };
}

/** A stack holding the built lab (DVR-E005 suppressed, with a reason, when its VMs run on dvr_snat nodes only) and whatever `extra` adds. */
function labStackOf(lab: BuiltLab, extra?: (s: TerraformStack) => void, id = "Lab"): TerraformStack {
  return stackWith((s) => {
    const built = new DvrLab(s, id, lab.props);
    if (lab.snatOnly) DvrLabRules.suppress(built, [{ id: "DVR-E005", reason: "a lab of dvr_snat nodes only, generated on purpose" }]);
    extra?.(s);
  });
}

// ---- the oracle: expected routing from the agent modes (docs/DVR.md §2.6) ---------------------------

/** Every disagreement between the description's rows and what the agent modes make Neutron do. */
function routingDisagreements(d: LabDescription): string[] {
  const out: string[] = [];
  const role = (h: string) => d.hosts.find((x) => x.name === h)?.role;
  const vm = (n: string) => d.vms.find((v) => v.name === n)!;
  const snat = d.hosts.find((h) => h.role === "dvr_snat")!.name;
  const hop = (namespace: string, host: string) => `${namespace}@${host}`;
  for (const r of d.rows) {
    const router = d.routers.find((x) => x.name === r.router)!;
    const got = Object.fromEntries(r.directions.map((x) => [x.direction, x.routedAt.map((h) => hop(h.namespace, h.host))]));
    let want: Record<string, string[]>;
    const src = vm(r.source);
    if (!router.distributed) {
      want = { request: [hop("qrouter", snat)], reply: [hop("qrouter", snat)] };
    } else if (r.kind === "same-node" || r.kind === "cross-node") {
      const dst = vm(r.target);
      if ((src.host === dst.host) !== (r.kind === "same-node") || src.subnet === dst.subnet) out.push(`${r.id}: placement is not ${r.kind}`);
      want = { request: [hop("qrouter", src.host)], reply: [hop("qrouter", dst.host)] };
    } else if (r.kind === "snat" || role(src.host) === "dvr_no_external") {
      // SNAT, and the centralized floating IP of a dvr_no_external node's VM.
      want = { request: [hop("qrouter", src.host), hop("snat", snat)], reply: [hop("snat", snat)] };
    } else {
      want = { request: [hop("qrouter", src.host), hop("fip", src.host)], reply: [hop("fip", src.host), hop("qrouter", src.host)] };
    }
    if (JSON.stringify(got) !== JSON.stringify(want)) out.push(`${r.id}: ${JSON.stringify(got)} but the modes give ${JSON.stringify(want)}`);
    if (r.kind === "floating-ip" && !src.floatingIp) out.push(`${r.id}: source has no floating IP`);
    if (r.kind === "snat" && src.floatingIp) out.push(`${r.id}: source has a floating IP`);
    for (const x of r.directions) {
      for (const h of x.routedAt) {
        if (h.namespace === "fip" && !["dvr", "dvr_snat"].includes(role(h.host) ?? "")) out.push(`${r.id}: fip namespace on ${role(h.host)} host ${h.host}`);
        if (h.namespace === "snat" && role(h.host) !== "dvr_snat") out.push(`${r.id}: snat namespace on ${role(h.host)} host ${h.host}`);
        if (h.namespace === "qrouter" && role(h.host) === "controller") out.push(`${r.id}: qrouter on the controller`);
      }
    }
  }
  for (const router of d.routers) {
    const kinds = d.rows.filter((r) => r.router === router.name).map((r) => r.kind);
    for (const k of ["same-node", "cross-node"] as const) if (!kinds.includes(k)) out.push(`router ${router.name} has no ${k} row`);
    const vms = d.vms.filter((v) => router.subnets.includes(v.subnet));
    if (d.external && vms.some((v) => v.floatingIp) !== kinds.includes("floating-ip")) out.push(`router ${router.name}: floating-ip row and floating IPs disagree`);
    if (d.external && vms.some((v) => !v.floatingIp) !== kinds.includes("snat")) out.push(`router ${router.name}: snat row and VMs without floating IP disagree`);
  }
  // Where a dvr or dvr_no_external node runs VMs, the default same-node pair sits on one (§6.3, §6.4).
  return out;
}

function synthesized(stack: TerraformStack): { doc: any; description: LabDescription } {
  const doc = JSON.parse(Testing.synth(stack, true));
  const out = Object.values<any>(doc.output).find((o) => String(o.description).startsWith("dvr-lab description"));
  return { doc, description: JSON.parse(out.value) };
}

describe("random valid labs", () => {
  test("the generator covers the ranges of issue 16 (statistics over 1,000 samples)", () => {
    const labs = fc.sample(labGen, { numRuns: 1000, seed: 42 }).map((g) => ({ g, lab: buildLab(g) }));
    const snats = labs.map(({ lab }) => lab.props.nodes.filter((n) => n.mode === DVR_SNAT).length);
    const computes = labs.map(({ lab }) => lab.props.nodes.filter((n) => n.mode !== DVR_SNAT).length);
    expect([Math.min(...snats), Math.max(...snats)]).toEqual([1, 3]);
    expect([Math.min(...computes), Math.max(...computes)]).toEqual([0, 20]);
    const share = (f: (x: (typeof labs)[number]) => unknown) => labs.filter(f).length / labs.length;
    expect({
      dvrNoExternal: share(({ lab }) => lab.props.nodes.some((n) => n.mode === DVR_NO_EXTERNAL)) > 0.2,
      external: share(({ lab }) => lab.props.external) > 0.2,
      explicitVms: share(({ lab }) => lab.props.vms) > 0.2,
      defaultPlacement: share(({ lab }) => !lab.props.vms) > 0.2,
      vniRange: share(({ lab }) => lab.props.vniRange) > 0.2,
      ml2: share(({ lab }) => lab.props.controller.typeDrivers) > 0.2,
      snatOnly: share(({ lab }) => lab.snatOnly) > 0.01,
    }).toEqual({ dvrNoExternal: true, external: true, explicitVms: true, defaultPlacement: true, vniRange: true, ml2: true, snatOnly: true });
  });

  test("synthesize without errors, with Terraform-valid names, and expect the routing their agent modes give", () => {
    fc.assert(
      fc.property(labGen, (g) => {
        const lab = buildLab(g);
        const stack = labStackOf(lab);
        expect(synthErrors(stack)).toEqual([]);
        const { doc, description } = synthesized(stack);
        expect(routingDisagreements(description)).toEqual([]);
        const names = [...Object.keys(doc.output ?? {}), ...Object.values<object>(doc.resource ?? {}).flatMap((byName) => Object.keys(byName))];
        expect(names.filter((n) => !TERRAFORM_NAME.test(n))).toEqual([]);
        if (!g.placement && !lab.snatOnly) {
          for (const r of description.rows.filter((x) => x.kind === "same-node")) {
            const host = description.vms.find((v) => v.name === r.source)!.host;
            expect(["dvr", "dvr_no_external"]).toContain(description.hosts.find((h) => h.name === host)!.role);
          }
        }
      }),
      { numRuns: RUNS.valid },
    );
  });
});

describeTerraform("random valid labs through the real Terraform CLI", (toolchain) => {
  test("terraform init (mirror) and validate accept them", () => {
    // The labs read the SSH key with file("~/.ssh/dvr-lab"), which validate evaluates: a HOME with a
    // placeholder file there (never a key).
    const home = mkdtempSync(join(tmpdir(), "dvr-lab-prop-home-"));
    try {
      mkdirSync(join(home, ".ssh"));
      writeFileSync(join(home, ".ssh", "dvr-lab"), "placeholder for terraform validate\n");
      fc.assert(
        fc.property(labGen, (g) => {
          const r = initAndValidate(toolchain(), JSON.parse(Testing.synth(labStackOf(buildLab(g)), true)), false, { ...process.env, HOME: home });
          expect(r.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ""}`)).toEqual([]);
          expect(r.valid).toBe(true);
        }),
        { numRuns: RUNS.terraform },
      );
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 240_000);
});

// ---- mutations into the classes of issue 16 ---------------------------------------------------------

/** A mutation: a class of issue 16, the prop the message must name, and the broken stack. */
interface Mutation {
  readonly name: string;
  readonly prop: string;
  readonly stack: (lab: BuiltLab, pick: number) => TerraformStack;
}

const withProps = (lab: BuiltLab, over: Partial<DvrLabProps>): BuiltLab => ({ ...lab, props: { ...lab.props, ...over } });
const agent = (lab: BuiltLab, pick: number) => pick % lab.props.nodes.length;
const replaceNode = (lab: BuiltLab, i: number, over: Record<string, unknown>): BuiltLab =>
  withProps(lab, { nodes: lab.props.nodes.map((n, k) => (k === i ? ({ ...n, ...over } as DvrLabNodeProps) : n)) });
const subnetOf = (lab: BuiltLab, i: number) => (i < 2 ? "distributedRouter" : "legacyRouter");
const withSubnet = (lab: BuiltLab, i: number, over: Record<string, unknown>): BuiltLab => {
  const key = subnetOf(lab, i);
  const subs = [...lab.props[key]!.subnets!];
  subs[i % 2] = { ...subs[i % 2], ...over };
  return withProps(lab, { [key]: { ...lab.props[key], subnets: subs } });
};
const ensureExternal = (lab: BuiltLab): BuiltLab =>
  lab.props.external ? lab : withProps(lab, { external: { networkName: "public", cidr: "100.64.200.0/24", physnet: "provider" } });
const extGateway = (lab: BuiltLab) => {
  const e = lab.props.external!;
  const [net, prefix] = e.cidr.split("/");
  return { net: ipInt(net), size: 2 ** (32 - Number(prefix)) };
};

/** A second lab for the cross-lab mutations (its own names, hosts and addresses). */
function otherLab(over: Partial<DvrLabProps> = {}): DvrLabProps {
  return {
    labName: "zz-other",
    controller: { hostName: "zz-ctrl", ssh: ssh({ address: "172.31.0.1" }) },
    nodes: [
      { hostName: "zz-net", mode: DVR_SNAT, tunnelIp: "172.30.0.1", ssh: ssh({ address: "172.31.0.2" }) },
      { hostName: "zz-com", mode: DVR, tunnelIp: "172.30.0.2", ssh: ssh({ address: "172.31.0.3" }) },
    ],
    distributedRouter: { subnets: [{ name: "zz-a", cidr: "10.200.0.0/24" }, { name: "zz-b", cidr: "10.200.1.0/24" }] },
    legacyRouter: { subnets: [{ name: "zz-c", cidr: "10.200.2.0/24" }, { name: "zz-d", cidr: "10.200.3.0/24" }] },
    instances: { imageName: "cirros", flavorName: "m1.tiny", publicKey: LAB_PUBLIC_KEY },
    verify: false,
    ...over,
  };
}
const plus = (lab: BuiltLab, second: DvrLabProps) => labStackOf(lab, (s) => new DvrLab(s, "Second", second));

const MUTATIONS: readonly Mutation[] = [
  // two labs in one stack
  { name: "a second lab with the same labName", prop: "labName", stack: (lab) => plus(lab, otherLab({ labName: lab.props.labName })) },
  {
    name: "one host in two labs with two tunnel IPs",
    prop: "tunnelIp",
    stack: (lab, pick) => {
      const n = lab.props.nodes[agent(lab, pick)];
      return plus(lab, otherLab({ nodes: [{ ...otherLab().nodes[0], hostName: n.hostName, mode: n.mode, tunnelIp: "172.30.9.9" }, otherLab().nodes[1]] }));
    },
  },
  {
    name: "one host in two labs with two modes",
    prop: "mode",
    stack: (lab, pick) => {
      const n = lab.props.nodes[agent(lab, pick)];
      const mode = n.mode === DVR_SNAT ? DVR : DVR_SNAT;
      const [a, b] = otherLab().nodes;
      return plus(lab, otherLab({ nodes: mode === DVR_SNAT ? [{ ...a, hostName: n.hostName, tunnelIp: n.tunnelIp }, b] : [a, { ...b, hostName: n.hostName, tunnelIp: n.tunnelIp }] }));
    },
  },
  // names Terraform refuses
  { name: "a lab name starting with a digit", prop: "labName", stack: (lab) => labStackOf(withProps(lab, { labName: `9${lab.props.labName}` })) },
  {
    name: "a default lab name from a construct id the lab-name check refuses",
    prop: "labName",
    stack: (lab) => labStackOf(withProps(lab, { labName: undefined }), undefined, `Lab ${lab.props.labName}`),
  },
  {
    name: "two host names that differ only in case",
    prop: "hostName",
    stack: (lab, pick) => {
      const i = agent(lab, pick);
      const twin = { ...lab.props.nodes[i], hostName: lab.props.nodes[i].hostName.toUpperCase(), tunnelIp: "172.29.0.1", ssh: ssh({ address: "172.29.1.1" }), runsVms: false };
      return labStackOf(withProps(lab, { nodes: [...lab.props.nodes, twin] }));
    },
  },
  // addresses that cannot serve
  { name: "a loopback tunnel IP", prop: "tunnelIp", stack: (lab, pick) => labStackOf(replaceNode(lab, agent(lab, pick), { tunnelIp: `127.0.0.${1 + (pick % 200)}` })) },
  { name: "the unspecified tunnel IP", prop: "tunnelIp", stack: (lab, pick) => labStackOf(replaceNode(lab, agent(lab, pick), { tunnelIp: "0.0.0.0" })) },
  {
    name: "the controller's SSH address as tunnel IP",
    prop: "tunnelIp",
    stack: (lab, pick) => labStackOf(replaceNode(lab, agent(lab, pick), { tunnelIp: lab.props.controller.ssh.address })),
  },
  // ML2
  {
    name: "type drivers without vxlan",
    prop: "typeDrivers",
    stack: (lab) => labStackOf(withProps(lab, { controller: { ...lab.props.controller, typeDrivers: ["flat", "vlan"], tenantNetworkTypes: undefined } })),
  },
  {
    name: "a tenant network type without its type driver",
    prop: "tenantNetworkTypes",
    stack: (lab) => labStackOf(withProps(lab, { controller: { ...lab.props.controller, typeDrivers: undefined, tenantNetworkTypes: ["vxlan", "gre"] } })),
  },
  {
    name: "a flat external network without the flat type driver",
    prop: "typeDrivers",
    stack: (lab) => labStackOf(withProps(ensureExternal(lab), { controller: { ...lab.props.controller, typeDrivers: ["vxlan"], tenantNetworkTypes: undefined } })),
  },
  {
    name: "a VNI range smaller than the lab's networks",
    prop: "vniRange",
    stack: (lab, pick) => {
      let l = withProps(lab, { vniRange: { min: 1 + pick, max: 3 + pick } });
      for (let i = 0; i < 4; i++) l = withSubnet(l, i, { vni: undefined });
      return labStackOf(l);
    },
  },
  // subnets
  {
    name: "a tenant gateway inside the DHCP pool",
    prop: "gatewayIp",
    stack: (lab, pick) => {
      const s = lab.subnets[pick % 4];
      return labStackOf(withSubnet(lab, pick % 4, { gatewayIp: ip(s.network + s.size / 2 + (pick % (s.size / 2 - 1))) }));
    },
  },
  {
    name: "a tenant gateway on the first address the lab gives a VM",
    prop: "gatewayIp",
    stack: (lab, pick) => {
      const i = 2 * (pick % 2); // subnet A of either router always has a VM without fixedIp
      return labStackOf(withSubnet(lab, i, { gatewayIp: ip(lab.subnets[i].network + 10) }));
    },
  },
  {
    name: "an external gateway inside the floating IP pool",
    prop: "external.gatewayIp",
    stack: (lab) => {
      const l = ensureExternal(lab);
      const { net, size } = extGateway(l);
      return labStackOf(withProps(l, { external: { ...l.props.external!, gatewayIp: ip(net + size - 2) } }));
    },
  },
  {
    name: "an external pool too small for the routers' gateways",
    prop: "external.allocationPool",
    stack: (lab) => {
      const l = ensureExternal(lab);
      const { net } = extGateway(l);
      return labStackOf(withProps(l, { external: { ...l.props.external!, allocationPool: { start: ip(net + 5), end: ip(net + 5) } } }));
    },
  },
  // releases
  {
    name: "a node's own release, overwritten by the lab's",
    prop: "release",
    stack: (lab, pick) => {
      const other = OpenStackRelease.all().filter((r) => r !== lab.props.release);
      return labStackOf(replaceNode(lab, agent(lab, pick), { release: other[pick % other.length] }));
    },
  },
  { name: "the controller's own VNI range", prop: "controller.vniRange", stack: (lab) => labStackOf(withProps(lab, { controller: { ...lab.props.controller, vniRange: { min: 7, max: 7000 } } as any })) },
  // agent modes
  {
    name: "VMs only on dvr_snat nodes",
    prop: "nodes",
    stack: (lab) => {
      const nodes = lab.props.nodes.map((n) => ({ ...n, runsVms: n.mode === DVR_SNAT }));
      const snats = nodes.filter((n) => n.mode === DVR_SNAT).length;
      const extra = snats >= 2 ? [] : [{ hostName: "zz-net2", mode: DVR_SNAT, tunnelIp: "172.29.0.2", ssh: ssh({ address: "172.29.1.2" }), runsVms: true }];
      return stackWith((s) => new DvrLab(s, "Lab", { ...lab.props, nodes: [...nodes, ...extra], vms: undefined }));
    },
  },
  // the verify hook
  { name: "an empty verify command", prop: "verifyCommand", stack: (lab) => labStackOf(withProps(lab, { verifyCommand: "" })) },
  { name: "a VM access host that is not a node", prop: "verifyVmAccess.viaHost", stack: (lab) => labStackOf(withProps(lab, { verifyVmAccess: { viaHost: "nowhere" } })) },
];

/** The messages of `errors` that name `prop` (as the prop of the message, or as the last part of a prop path). */
function naming(errors: readonly string[], prop: string): string[] {
  return errors.filter((m) => {
    const body = m.replace(/^\[DVR-[EWI]\d{3}\] /, "");
    const subject = body.slice(body.indexOf(": ") + 2).split(" ")[0];
    return subject === prop || subject.endsWith(`.${prop}`);
  });
}

describe("random single mutations into the classes of issue 16", () => {
  test("are always rejected, with a message naming the mutated prop", () => {
    fc.assert(
      fc.property(labGen, fc.constantFrom(...MUTATIONS), fc.nat(1000), (g, mutation, pick) => {
        const errors = synthErrors(mutation.stack(buildLab(g), pick));
        expect({ mutation: mutation.name, named: naming(errors, mutation.prop).length > 0, errors }).toMatchObject({ mutation: mutation.name, named: true });
      }),
      { numRuns: RUNS.mutations },
    );
  });

  test("each mutation, applied to one fixed valid lab, is rejected naming its prop (none is dead)", () => {
    const [sampled] = fc.sample(labGen, { numRuns: 1, seed: 16 });
    const g = { ...sampled, computes: [{ mode: "dvr" as const, runsVms: true }, { mode: "dvr_no_external" as const, runsVms: true }] };
    expect(synthErrors(labStackOf(buildLab(g)))).toEqual([]);
    for (const m of MUTATIONS) {
      const errors = synthErrors(m.stack(buildLab(g), 3));
      expect({ m: m.name, named: naming(errors, m.prop).length > 0, errors }).toMatchObject({ m: m.name, named: true });
    }
  });
});

// ---- the model and TenantVxlanNetwork with 1-4 routers -----------------------------------------------

const topologyGen = fc.record({
  snats: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
  computes: fc.array(fc.record({ role: fc.constantFrom("dvr" as const, "dvr_no_external" as const), runsVms: fc.boolean() }), { minLength: 1, maxLength: 20, size: "max" }),
  routers: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }),
  external: fc.boolean(),
});

describe("the model with 1-4 routers (what LabTopology supports beyond DvrLab's two)", () => {
  test("default placement: every row's expected routing agrees with the agent modes, and same-node pairs sit on a dvr or dvr_no_external node", () => {
    fc.assert(
      fc.property(topologyGen, (g) => {
        const computes = g.computes.some((c) => c.runsVms) ? g.computes : g.computes.map((c, i) => ({ ...c, runsVms: i === 0 || c.runsVms }));
        const hosts: TopologySpec["hosts"] = [
          { name: "ctrl", role: "controller" },
          ...g.snats.map((runsVms, i) => ({ name: `net${i}`, role: "dvr_snat" as const, tunnelIp: `172.16.0.${i + 1}`, runsVms: i === 0 ? true : runsVms })),
          ...computes.map((c, i) => ({ name: `com${i}`, role: c.role, tunnelIp: `172.16.1.${i + 1}`, runsVms: c.runsVms })),
        ];
        const routers: RouterSpec[] = g.routers.map((distributed, r) => ({
          name: `r${r}`,
          distributed,
          subnets: [
            { name: `r${r}-a`, cidr: `10.${r}.0.0/24` },
            { name: `r${r}-b`, cidr: `10.${r}.1.0/24` },
          ],
        }));
        const t = new LabTopology({ name: "p", release: OpenStackRelease.PIKE, hosts, routers, ...(g.external ? { external: { network: "public", cidr: "100.64.0.0/24", physnet: "provider" } } : {}) });
        const d = t.toDescription();
        expect(routingDisagreements(d)).toEqual([]);
        for (const r of d.rows.filter((x) => x.kind === "same-node")) {
          expect(["dvr", "dvr_no_external"]).toContain(t.host(t.vms.find((v) => v.name === r.source)!.host)!.role);
        }
        expect(d.routers).toHaveLength(g.routers.length);
      }),
      { numRuns: RUNS.model },
    );
  });

  test("TenantVxlanNetwork on its own with 1-4 routers and their subnets synthesizes without errors", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ distributed: fc.boolean(), subnets: fc.integer({ min: 1, max: 3 }), gateway: fc.boolean() }), { minLength: 1, maxLength: 4 }), fc.boolean(), (rs, external) => {
        const stack = stackWith((s) => {
          const subnets = rs.flatMap((r, i) =>
            Array.from({ length: r.subnets }, (_, k) => ({
              name: `r${i}-s${k}`,
              router: `r${i}`,
              cidr: `10.${i}.${k}.0/24`,
              gatewayIp: `10.${i}.${k}.1`,
              allocationPool: { start: `10.${i}.${k}.100`, end: `10.${i}.${k}.200` },
            })),
          );
          new TenantVxlanNetwork(s, "Tenant", {
            subnets,
            routers: rs.map((r, i) => ({ name: `r${i}`, distributed: r.distributed, subnets: subnets.filter((x) => x.router === `r${i}`).map((x) => x.name), externalGateway: external && r.gateway })),
            ...(external ? { external: { network: "public", cidr: "100.64.0.0/24", gatewayIp: "100.64.0.1", physnet: "provider", probeTarget: "100.64.0.1", allocationPool: { start: "100.64.0.100", end: "100.64.0.200" } } } : {}),
          });
        });
        expect(synthErrors(stack)).toEqual([]);
        const doc = JSON.parse(Testing.synth(stack, true));
        expect(Object.keys(doc.resource.openstack_networking_router_v2)).toHaveLength(rs.length);
      }),
      { numRuns: RUNS.tenant },
    );
  });
});

