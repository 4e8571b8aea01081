import { IConstruct } from "constructs";
import { cidrContains, cidrsOverlap, fromInt, Ipv4Cidr, isIpv4, isNetworkOrBroadcast, parseCidr, toInt } from "../model/ipv4";
import type { DvrLabExternalProps, DvrLabInstanceProps } from "../lab/dvr-lab";
import type { LabTopology, SubnetSpec, VmSpec } from "../model/topology";
import * as check from "./checks";
import { DvrLabInputError, Finding, isUnresolved } from "./format";

/** A router of the lab as the user gave it (which prop it came from). */
export interface LabRouterInput {
  readonly prop: "distributedRouter" | "legacyRouter";
  readonly name: string;
  readonly distributed: boolean;
  readonly subnets: readonly SubnetSpec[];
}

/** What the lab validation reads: the user's props (for prop paths) and the model built from them. */
export interface LabInput {
  readonly labName?: string;
  readonly routers: readonly LabRouterInput[];
  readonly external?: DvrLabExternalProps;
  readonly vms?: readonly VmSpec[];
  readonly nodeCount: number;
  readonly instances: DvrLabInstanceProps;
  readonly sshSourceCidr?: string;
  readonly vniRange?: { readonly min: number; readonly max: number };
  readonly topology: LabTopology;
}

const PUBLIC_KEY_FIX = 'use the "<type> <base64> [comment]" line of a .pub file';

/** Throws for lab props that cannot be synthesized at all (a private key where a public key goes). */
export function assertLabBuildable(scope: IConstruct, instances: { publicKey?: unknown } | undefined): void {
  if (check.looksLikePrivateKey(instances?.publicKey)) {
    throw new DvrLabInputError(scope, {
      prop: "instances.publicKey",
      what: "holds private key material, which would be written into cdk.tf.json",
      fix: `${PUBLIC_KEY_FIX} (the public half of the key pair)`,
      hideValue: true,
    });
  }
}

interface SubnetEntry {
  readonly prop: string;
  readonly spec: SubnetSpec;
  readonly router: LabRouterInput;
  readonly block?: Ipv4Cidr;
}

/** Every finding of a lab's own props (the nodes validate themselves). */
export function labFindings(input: LabInput): Finding[] {
  const out: (Finding | undefined)[] = [];
  const topo = input.topology;

  if (input.labName !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(input.labName)) {
    out.push({
      prop: "labName",
      value: input.labName,
      what: "is not a valid lab name",
      fix: "use letters, digits, hyphens and underscores, starting with a letter or digit (it prefixes every OpenStack name of the lab)",
    });
  }

  // Routers and their subnets.
  const entries: SubnetEntry[] = [];
  const subnetOwner = new Map<string, SubnetEntry>();
  input.routers.forEach((router, ri) => {
    out.push(check.nonEmpty(`${router.prop}.name`, router.name, "give the router a name"));
    const other = input.routers.slice(0, ri).find((r) => r.name === router.name && router.name);
    if (other) {
      out.push({ prop: `${router.prop}.name`, value: router.name, what: `is already the name of ${other.prop}`, fix: "give each router its own name" });
    }
    if (router.subnets.length < 2) {
      out.push({
        prop: `${router.prop}.subnets`,
        value: router.subnets.map((s) => s.name),
        what: `has ${router.subnets.length} subnet${router.subnets.length === 1 ? "" : "s"}`,
        fix: "give the router two subnets (the verification rows route between different subnets of one router)",
      });
    }
    router.subnets.forEach((spec, si) => {
      const prop = `${router.prop}.subnets[${si}]`;
      const nameBad = check.nonEmpty(`${prop}.name`, spec.name, "give the subnet a name (it names the Neutron network and subnet)");
      out.push(nameBad);
      const first = subnetOwner.get(spec.name);
      if (!nameBad && first) {
        out.push(
          first.router === router
            ? { prop: `${prop}.name`, value: spec.name, what: `is already used by ${first.prop}`, fix: "give every subnet a unique name" }
            : {
                prop: `${prop}.name`,
                value: spec.name,
                what: `is already a subnet of router "${first.router.name}" (${first.prop})`,
                fix: "a subnet's gateway belongs to one router: give this router its own subnet",
              },
        );
        entries.push({ prop, spec, router });
        return;
      }
      if (!nameBad) subnetOwner.set(spec.name, { prop, spec, router });
      const [cidrBad, block] = check.cidr(`${prop}.cidr`, spec.cidr, check.MAX_TENANT_PREFIX);
      out.push(cidrBad);
      if (block) {
        out.push(check.gateway(`${prop}.gatewayIp`, spec.gatewayIp, block, spec.cidr));
      }
      out.push(vniFinding(`${prop}.vni`, spec.vni, input.vniRange));
      out.push(check.mtu(`${prop}.mtu`, spec.mtu));
      entries.push({ prop, spec, router, block });
    });
  });

  // Duplicate VNIs.
  const vnis = new Map<number, string>();
  for (const e of entries) {
    if (e.spec.vni === undefined || isUnresolved(e.spec.vni)) continue;
    const first = vnis.get(e.spec.vni);
    if (first) out.push({ prop: `${e.prop}.vni`, value: e.spec.vni, what: `is already the VNI of ${first}`, fix: "give every network its own VNI, or leave vni unset" });
    else vnis.set(e.spec.vni, e.prop);
  }

  // Overlapping tenant CIDRs (a later subnet is reported against the first it overlaps).
  const valid = entries.filter((e) => e.block);
  valid.forEach((e, i) => {
    const hit = valid.slice(0, i).find((o) => cidrsOverlap(o.block!, e.block!));
    if (hit) {
      out.push({
        prop: `${e.prop}.cidr`,
        value: e.spec.cidr,
        what: `overlaps ${hit.prop}.cidr "${hit.spec.cidr}"`,
        fix: "give every subnet its own address block",
      });
    }
  });

  // External network.
  const ext = input.external;
  if (ext) {
    out.push(check.nonEmpty("external.networkName", ext.networkName, "name the existing external network in Neutron"));
    out.push(check.nonEmpty("external.physnet", ext.physnet, 'name the physnet of the flat external network (e.g. "provider")'));
    const [cidrBad, block] = check.cidr("external.cidr", ext.cidr);
    out.push(cidrBad);
    if (block) {
      const hit = valid.find((o) => cidrsOverlap(o.block!, block));
      if (hit) {
        out.push({
          prop: "external.cidr",
          value: ext.cidr,
          what: `overlaps ${hit.prop}.cidr "${hit.spec.cidr}"`,
          fix: "tenant subnets and the external network need separate address blocks",
        });
      }
      out.push(check.gateway("external.gatewayIp", ext.gatewayIp, block, ext.cidr));
      out.push(check.gateway("external.probeTarget", ext.probeTarget, block, ext.cidr));
      if (ext.allocationPool) {
        const pool = ext.allocationPool;
        const s = check.gateway("external.allocationPool.start", pool.start, block, ext.cidr);
        const e = check.gateway("external.allocationPool.end", pool.end, block, ext.cidr);
        out.push(s, e);
        if (!s && !e && !isUnresolved(pool.start) && !isUnresolved(pool.end) && toInt(pool.start) > toInt(pool.end)) {
          out.push({ prop: "external.allocationPool", value: pool, what: "starts after it ends", fix: "swap start and end" });
        }
      }
    }
  }

  // Nodes: a dvr_snat node for the legacy routers and SNAT; hosts for VMs.
  const hosts = topo.hosts;
  const nodeList = hosts.filter((h) => h.role !== "controller").map((h) => `${h.name}:${h.role}`);
  if (input.nodeCount === 0) {
    out.push({ prop: "nodes", value: [], what: "is empty", fix: "add a node with mode L3AgentMode.DVR_SNAT and at least one with L3AgentMode.DVR" });
  } else if (!topo.snatHost) {
    const needs = [
      ...input.routers.filter((r) => !r.distributed).map((r) => `the legacy router "${r.name}"`),
      ...(ext ? input.routers.filter((r) => r.distributed).map((r) => `the SNAT part of router "${r.name}"`) : []),
    ];
    if (needs.length > 0) {
      out.push({
        prop: "nodes",
        value: nodeList,
        what: `has no dvr_snat node to host ${needs.join(" and ")}`,
        fix: "give one node mode L3AgentMode.DVR_SNAT",
      });
    }
  }
  const vmHosts = hosts.filter((h) => h.runsVms);
  const vmHostsOk = vmHosts.length >= 2;
  if (input.nodeCount > 0 && vmHosts.length === 0) {
    out.push({ prop: "nodes", value: nodeList, what: "has no node that runs VMs", fix: "let at least two nodes run VMs (runsVms: true, the default)" });
  } else if (vmHosts.length === 1) {
    out.push({
      prop: "nodes",
      value: nodeList,
      what: `runs VMs only on "${vmHosts[0].name}", so the cross-node rows cannot be verified`,
      fix: "let a second node run VMs (runsVms: true, the default)",
    });
  }

  // Explicit VMs.
  const before = out.filter(Boolean).length;
  const vms = input.vms ?? [];
  const vmNames = new Map<string, number>();
  const vmHostNames = vmHosts.map((h) => `"${h.name}"`).join(", ");
  vms.forEach((vm, i) => {
    const prop = `vms[${i}]`;
    const nameBad = check.hostName(`${prop}.name`, vm.name);
    out.push(nameBad);
    if (!nameBad && vmNames.has(vm.name)) {
      out.push({ prop: `${prop}.name`, value: vm.name, what: `is already the name of vms[${vmNames.get(vm.name)}]`, fix: "give every VM a unique name" });
    } else if (!nameBad) vmNames.set(vm.name, i);
    const host = topo.host(vm.host);
    if (!host) {
      out.push({ prop: `${prop}.host`, value: vm.host, what: "is not a node of this lab", fix: `use a node that runs VMs: ${vmHostNames || "none yet"}` });
    } else if (host.role === "controller") {
      out.push({ prop: `${prop}.host`, value: vm.host, what: "is the controller, which runs no VMs", fix: `use a node that runs VMs: ${vmHostNames}` });
    } else if (!host.runsVms) {
      out.push({
        prop: `${prop}.host`,
        value: vm.host,
        what: "is a node with runsVms false",
        fix: `use a node that runs VMs (${vmHostNames}), or set runsVms on "${vm.host}"`,
      });
    }
    const subnet = topo.subnet(vm.subnet);
    if (!subnet) {
      out.push({
        prop: `${prop}.subnet`,
        value: vm.subnet,
        what: "is not a subnet of this lab",
        fix: `use one of: ${topo.subnets.map((s) => `"${s.name}"`).join(", ")}`,
      });
    }
    if (vm.floatingIp && !ext) {
      out.push({ prop: `${prop}.floatingIp`, value: true, what: "needs an external network", fix: "set external on the lab, or drop floatingIp" });
    }
    const block = subnet && parseCidr(subnet.cidr);
    if (vm.fixedIp !== undefined && !isUnresolved(vm.fixedIp)) {
      if (!isIpv4(vm.fixedIp)) {
        out.push(check.ipv4(`${prop}.fixedIp`, vm.fixedIp, "use a dotted-quad address inside the VM's subnet, or leave fixedIp unset"));
      } else if (subnet && block) {
        const ip = vm.fixedIp;
        const pool = subnet.allocationPool;
        const n = toInt(ip);
        // Where a probe VM's address belongs: above the gateway, below the DHCP pool.
        const low = block.network + 2;
        const high = pool.start ? toInt(pool.start) - 1 : block.network + block.size - 2;
        const fix = `use an address from ${fromInt(low)} to ${fromInt(high)} other than the gateway, or leave fixedIp unset`;
        const where = `subnet "${subnet.name}" (${subnet.cidr})`;
        if (!cidrContains(block, ip)) {
          out.push({ prop: `${prop}.fixedIp`, value: ip, what: `is outside ${where}`, fix });
        } else if (ip === subnet.gatewayIp) {
          out.push({ prop: `${prop}.fixedIp`, value: ip, what: `is the gateway of ${where}, which the router's interface owns`, fix });
        } else if (isNetworkOrBroadcast(block, ip)) {
          out.push({ prop: `${prop}.fixedIp`, value: ip, what: `is the ${n === block.network ? "network" : "broadcast"} address of ${where}`, fix });
        } else if (pool.start && n >= toInt(pool.start) && n <= toInt(pool.end)) {
          out.push({
            prop: `${prop}.fixedIp`,
            value: ip,
            what: `is inside the DHCP allocation pool ${pool.start}-${pool.end} of subnet "${subnet.name}", so DHCP may hand it to another port`,
            fix,
          });
        }
      }
    }
  });
  // Duplicate fixed IPs (after defaults were assigned), within one subnet.
  const seen = new Map<string, number>();
  topo.vms.forEach((vm, i) => {
    if (!vm.fixedIp || isUnresolved(vm.fixedIp)) return;
    const key = `${vm.subnet}/${vm.fixedIp}`;
    if (seen.has(key) && input.vms) {
      out.push({ prop: `vms[${i}].fixedIp`, value: vm.fixedIp, what: `is already the address of vms[${seen.get(key)}]`, fix: "give every VM its own address" });
    } else seen.set(key, i);
  });

  // Verification rows the placement makes impossible (only when the VMs themselves are sound).
  if (input.vms && vmHostsOk && out.filter(Boolean).length === before) {
    for (const router of topo.routers) {
      if (router.subnets.length < 2) continue;
      const kinds = topo.rows.filter((r) => r.router === router.name).map((r) => r.kind);
      const names = router.subnets.map((s) => `"${s}"`).join(" and ");
      if (!kinds.includes("same-node")) {
        out.push({
          prop: "vms",
          hideValue: true,
          what: `place no two VMs of different subnets of router "${router.name}" on one node, so its same-node row cannot be verified`,
          fix: `put VMs of ${names} on the same dvr node`,
        });
      }
      if (!kinds.includes("cross-node")) {
        out.push({
          prop: "vms",
          hideValue: true,
          what: `place no two VMs of different subnets of router "${router.name}" on different nodes, so its cross-node row cannot be verified`,
          fix: `put VMs of ${names} on two different nodes`,
        });
      }
    }
  }

  // Probe VMs' image, flavor and key pair; the extra SSH source.
  out.push(check.nonEmpty("instances.imageName", input.instances.imageName, "name an existing Glance image (CirrOS is enough)"));
  out.push(check.nonEmpty("instances.flavorName", input.instances.flavorName, 'name an existing Nova flavor (e.g. "m1.tiny")'));
  out.push(check.publicKey("instances.publicKey", input.instances.publicKey, PUBLIC_KEY_FIX));
  if (input.instances.keyPairName !== undefined) {
    out.push(check.nonEmpty("instances.keyPairName", input.instances.keyPairName, "name the key pair, or leave keyPairName unset"));
  }
  if (input.sshSourceCidr !== undefined) out.push(check.cidr("sshSourceCidr", input.sshSourceCidr)[0]);

  return out.filter((f): f is Finding => f !== undefined);
}

function vniFinding(prop: string, vni: number | undefined, range: { min: number; max: number } | undefined): Finding | undefined {
  if (vni === undefined || isUnresolved(vni)) return undefined;
  const r = range ?? { min: 1, max: 1000 };
  const rangeOk = !check.vniRange("vniRange", r);
  if (!Number.isInteger(vni) || (rangeOk && (vni < r.min || vni > r.max)) || (!rangeOk && (vni < 1 || vni > check.VNI_MAX))) {
    return {
      prop,
      value: vni,
      what: rangeOk ? `is outside vniRange ${r.min}..${r.max}` : `is not a VNI`,
      fix: rangeOk ? "use a VNI inside vniRange, widen vniRange, or leave vni unset" : "use an integer from 1 to 16777215",
    };
  }
  return undefined;
}

