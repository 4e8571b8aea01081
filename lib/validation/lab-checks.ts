import { IConstruct } from "constructs";
import { cidrContains, cidrsOverlap, fromInt, Ipv4Cidr, isIpv4, isNetworkOrBroadcast, parseCidr, toInt } from "../model/ipv4";
import type { DvrLabExternalProps, DvrLabInstanceProps } from "../model/lab-props";
import type { VerifyVmAccess } from "../model/lab-props";
import { OpenStackRelease } from "../model/release";
import { ServiceManager } from "../push/service-manager";
import type { LabTopology, SubnetSpec, VmSpec } from "../model/topology";
import * as check from "./checks";
import { DvrLabInputError, Finding, isUnresolved, show } from "./format";

/** A router of the lab as the user gave it (which prop it came from). */
export interface LabRouterInput {
  readonly prop: "distributedRouter" | "legacyRouter";
  readonly name: string;
  readonly distributed: boolean;
  readonly subnets: readonly SubnetSpec[];
}

/** What a lab validation knows of another lab of the same stack (constructed before it). */
export interface OtherLabFacts {
  readonly path: string;
  readonly labName: string;
  readonly outputName: string;
  readonly keyPairName: string;
  readonly routerNames: readonly string[];
  readonly subnetNames: readonly string[];
}

/** Settings DvrLab makes lab-wide (the node props it overrides), as the user gave them. */
export interface LabWideInput {
  readonly release?: OpenStackRelease;
  readonly serviceManager?: unknown;
  readonly vniRange?: { readonly min: number; readonly max: number };
  readonly physnet?: string;
  /** The controller's and the nodes' props as given (a JavaScript caller may set lab-wide keys there). */
  readonly controller: object;
  readonly nodes: readonly object[];
}

/** What the lab validation reads: the user's props (for prop paths) and the model built from them. */
export interface LabInput {
  readonly labName?: string;
  /** The lab's construct id (the default labName is it, lower-cased) and the name in effect. */
  readonly constructId?: string;
  readonly effectiveName?: string;
  /** The Terraform output name of the description, and a Terraform resource name of the lab. */
  readonly outputName?: string;
  readonly resourceName?: string;
  readonly keyPairName?: string;
  /** Labs of the same stack constructed before this one. */
  readonly otherLabs?: readonly OtherLabFacts[];
  readonly labWide?: LabWideInput;
  /** The verify hook's settings, when the lab builds one. */
  readonly verify?: { readonly command?: string; readonly vmAccess?: VerifyVmAccess };
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

  out.push(...nameFindings(input));

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
        const gwBad = check.gateway(`${prop}.gatewayIp`, spec.gatewayIp, block, spec.cidr);
        out.push(gwBad ?? gatewayInTenantPool(`${prop}.gatewayIp`, spec, block));
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

  // The VNI range must hold a VNI for every tenant network of the lab.
  out.push(vniCapacity(input.vniRange, entries.filter((e) => e.block).length));

  // Router and subnet names the other labs of the stack already use (the verifier finds them by
  // name). A lab with the same labName is reported once, for its labName.
  const others = input.otherLabs ?? [];
  if (others.length > 0 && !others.some((o) => o.labName === input.effectiveName)) {
    for (const router of input.routers) {
      const hit = others.find((o) => o.routerNames.includes(router.name));
      if (hit && router.name) {
        out.push({
          prop: `${router.prop}.name`,
          value: router.name,
          what: `is already the name of a router of lab "${hit.path}" in this stack, and the labs of one stack share one cloud, so the verifier's gate finds two routers of that name (router-unique)`,
          fix: "give the routers of each lab their own names",
        });
      }
    }
    const seenNames = new Set<string>();
    for (const e of entries) {
      const hit = others.find((o) => o.subnetNames.includes(e.spec.name));
      if (hit && e.spec.name && !seenNames.has(e.spec.name)) {
        seenNames.add(e.spec.name);
        out.push({
          prop: `${e.prop}.name`,
          value: e.spec.name,
          what: `is already the name of a subnet of lab "${hit.path}" in this stack, and the labs of one stack share one cloud, so the verifier's gate finds two subnets of that name (subnet-unique)`,
          fix: "give the subnets of each lab their own names",
        });
      }
    }
  }

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
      if (out.filter(Boolean).every((f) => !f!.prop.startsWith("external."))) out.push(...externalPoolFindings(input, block));
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

  out.push(...assignedAddressFindings(input, entries));

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

  out.push(...labWideFindings(input.labWide));
  out.push(...verifyFindings(input));

  return out.filter((f): f is Finding => f !== undefined);
}

/** Terraform identifiers: "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes." */
const TERRAFORM_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const LAB_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const TERRAFORM_REFUSES = 'which Terraform refuses ("A name must start with a letter or underscore")';

/** The default lab name, a name Terraform refuses, and lab names the other labs of the stack already use. */
function nameFindings(input: LabInput): (Finding | undefined)[] {
  const out: (Finding | undefined)[] = [];
  const name = input.effectiveName;
  if (name === undefined || isUnresolved(name)) return out;
  const byDefault = input.labName === undefined;
  const origin = byDefault ? `(the default, from the construct id "${input.constructId}") ` : "";
  if (byDefault && !LAB_NAME.test(name)) {
    out.push({
      prop: "labName",
      value: name,
      what: `${origin}is not a valid lab name`,
      fix: "pass labName, or use a construct id of letters, digits, hyphens and underscores starting with a letter (the lab name prefixes every OpenStack name of the lab)",
    });
  } else if (LAB_NAME.test(name) && input.outputName !== undefined && !TERRAFORM_NAME.test(input.outputName)) {
    out.push({
      prop: "labName",
      value: name,
      what: `${origin}gives the Terraform output name "${input.outputName}", ${TERRAFORM_REFUSES}`,
      fix: byDefault ? "pass a labName that starts with a letter, or start the construct id with a letter" : "start labName with a letter",
    });
  }
  if (input.resourceName !== undefined && !TERRAFORM_NAME.test(input.resourceName)) {
    out.push({
      prop: "id",
      value: input.constructId,
      what: `makes Terraform resource names such as "${input.resourceName}", ${TERRAFORM_REFUSES}`,
      fix: "start the construct id with a letter (cdktf builds resource names from the construct path)",
    });
  }
  const others = input.otherLabs ?? [];
  const same = others.find((o) => o.labName === name);
  if (same) {
    out.push({
      prop: "labName",
      value: name,
      what: `${origin}is already the lab name of lab "${same.path}" in this stack, so both write the output "${input.outputName}" (cdk.tf.json keeps one) and their routers, networks and key pairs get the same names (Nova refuses the second key pair "${input.keyPairName}")`,
      fix: byDefault ? "pass a labName of its own (the default is the construct id, lower-cased)" : "give each lab its own labName",
    });
    return out;
  }
  const sameOutput = others.find((o) => o.outputName === input.outputName);
  if (sameOutput) {
    out.push({
      prop: "labName",
      value: name,
      what: `${origin}gives the output name "${input.outputName}", which lab "${sameOutput.path}" (labName "${sameOutput.labName}") writes too, so cdk.tf.json keeps only one of the two descriptions`,
      fix: `use a labName that differs from "${sameOutput.labName}" in more than "-" versus "_"`,
    });
  }
  const sameKey = others.find((o) => o.keyPairName === input.keyPairName);
  if (sameKey && input.keyPairName) {
    const given = input.instances.keyPairName !== undefined;
    out.push({
      prop: "instances.keyPairName",
      value: input.keyPairName,
      what: `${given ? "" : "(the default, <labName>-key) "}is already the key pair of lab "${sameKey.path}" in this stack, and Nova refuses a second key pair of the same name (409 Conflict)`,
      fix: "give each lab its own keyPairName",
    });
  }
  return out;
}

/** The DHCP allocation pool the lab gives a tenant subnet (the upper half, docs/DVR.md §6.4). */
function tenantPool(block: Ipv4Cidr): { start: number; end: number } | undefined {
  return block.size >= 16 ? { start: block.network + block.size / 2, end: block.network + block.size - 2 } : undefined;
}

function gatewayInTenantPool(prop: string, spec: SubnetSpec, block: Ipv4Cidr): Finding | undefined {
  const gw = spec.gatewayIp;
  const pool = tenantPool(block);
  if (gw === undefined || isUnresolved(gw) || !pool) return undefined;
  const n = toInt(gw);
  if (n < pool.start || n > pool.end) return undefined;
  return {
    prop,
    value: gw,
    what: `is inside the DHCP allocation pool ${fromInt(pool.start)}-${fromInt(pool.end)} that the lab gives subnet "${spec.name}" (the upper half of ${spec.cidr}), so Neutron refuses the subnet (GatewayConflictWithAllocationPools)`,
    fix: `use an address below ${fromInt(block.network + 10)}, e.g. "${fromInt(block.network + 1)}" (the default): the probe VMs take .10 upward and DHCP the upper half`,
  };
}

function vniCapacity(range: { min: number; max: number } | undefined, networks: number): Finding | undefined {
  if (range === undefined || isUnresolved(range.min) || isUnresolved(range.max) || check.vniRange("vniRange", range)) return undefined;
  const capacity = range.max - range.min + 1;
  if (capacity >= networks) return undefined;
  return {
    prop: "vniRange",
    value: { min: range.min, max: range.max },
    what: `holds ${capacity} VNI${capacity === 1 ? "" : "s"}, but the lab has ${networks} tenant networks, so Neutron refuses the networks beyond ${capacity} ("No tenant network is available for allocation")`,
    fix: `widen vniRange to at least ${networks} VNIs, e.g. { min: ${range.min}, max: ${range.min + networks - 1} }`,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The external subnet as the lab describes it: gateway outside the pool, and room in the pool for what the lab takes. */
function externalPoolFindings(input: LabInput, block: Ipv4Cidr): Finding[] {
  const ext = input.external!;
  const model = input.topology.external;
  if (!model || [ext.gatewayIp, ext.allocationPool?.start, ext.allocationPool?.end].some((v) => isUnresolved(v))) return [];
  const out: Finding[] = [];
  const pool = model.allocationPool;
  const poolOk = isIpv4(pool.start) && isIpv4(pool.end);
  const range = poolOk ? `${pool.start}-${pool.end}` : "";
  const gw = model.gatewayIp;
  if (poolOk && isIpv4(gw) && toInt(gw) >= toInt(pool.start) && toInt(gw) <= toInt(pool.end)) {
    if (ext.gatewayIp !== undefined) {
      out.push({
        prop: "external.gatewayIp",
        value: ext.gatewayIp,
        what: `is inside the floating IP allocation pool ${range}${ext.allocationPool ? "" : " (the default: the upper half of external.cidr)"}, and Neutron refuses a subnet whose gateway is inside its pool (GatewayConflictWithAllocationPools), so the real external subnet is not like this`,
        fix: "describe the external subnet as it is in Neutron: its gateway lies outside its allocation pool",
      });
    } else {
      out.push({
        prop: "external.allocationPool",
        value: ext.allocationPool,
        what: `contains the external gateway ${gw} (the default gateway: the first host address of external.cidr), and Neutron refuses a subnet whose gateway is inside its pool (GatewayConflictWithAllocationPools)`,
        fix: "set external.gatewayIp to the upstream gateway's real address, or describe the pool as it is in Neutron",
      });
    }
    return out;
  }
  // What the lab takes from the pool: one gateway per router, one floating IP per VM that asks, and
  // one floating IP agent gateway (fg-) port per dvr/dvr_snat node hosting such a VM of a DVR router
  // (a dvr_no_external node's floating IPs are centralized on the dvr_snat node: no fg- port).
  const topo = input.topology;
  const gateways = topo.routers.filter((r) => r.externalGateway).length;
  const fipVms = topo.vms.filter((v) => v.floatingIp && topo.subnet(v.subnet));
  const fgHosts = new Set(
    fipVms
      .filter((v) => topo.router(topo.subnet(v.subnet)!.router)?.distributed && ["dvr", "dvr_snat"].includes(topo.host(v.host)?.role ?? ""))
      .map((v) => v.host),
  );
  const need = gateways + fipVms.length + fgHosts.size;
  const size = poolOk ? toInt(pool.end) - toInt(pool.start) + 1 : 0;
  if (size >= need) return out;
  const parts = [plural(gateways, "router gateway"), plural(fipVms.length, "floating IP"), plural(fgHosts.size, "floating IP agent gateway port")].join(", ");
  const prefix = 32 - Math.ceil(Math.log2(2 * (need + 1)));
  if (ext.allocationPool) {
    out.push({
      prop: "external.allocationPool",
      value: ext.allocationPool,
      what: `holds ${plural(size, "address", "addresses")}, but the lab needs ${need} there (${parts}), so Neutron fails the rest (IpAddressGenerationFailure)`,
      fix: `widen the pool to at least ${need} addresses`,
    });
  } else {
    out.push({
      prop: "external.cidr",
      value: ext.cidr,
      what: size === 0
        ? `is too small for the default floating IP allocation pool (the upper half of a /28 or larger), and the lab needs ${need} addresses there (${parts})`
        : `leaves ${plural(size, "address", "addresses")} in the default floating IP allocation pool ${range}, but the lab needs ${need} there (${parts}), so Neutron fails the rest (IpAddressGenerationFailure)`,
      fix: `use an external subnet of /${Math.min(prefix, 28)} or larger, or give external.allocationPool`,
    });
  }
  void block;
  return out;
}

/** Addresses the lab itself hands to VMs without fixedIp (.10 upward): never the gateway, never in the DHCP pool. */
function assignedAddressFindings(input: LabInput, entries: readonly SubnetEntry[]): Finding[] {
  const out: Finding[] = [];
  const topo = input.topology;
  const gatewayReported = new Set<string>();
  topo.vms.forEach((vm, i) => {
    const given = input.vms?.[i]?.fixedIp;
    if (input.vms && given !== undefined && given !== "") return;
    const subnet = topo.subnet(vm.subnet);
    const block = subnet && parseCidr(subnet.cidr);
    if (!subnet || !block || !isIpv4(vm.fixedIp)) return;
    const entry = entries.find((e) => e.spec.name === subnet.name && e.block);
    if (!entry) return;
    if (vm.fixedIp === subnet.gatewayIp) {
      if (entry.spec.gatewayIp !== undefined && !gatewayReported.has(subnet.name)) {
        gatewayReported.add(subnet.name);
        out.push({
          prop: `${entry.prop}.gatewayIp`,
          value: entry.spec.gatewayIp,
          what: `is the address the lab gives VM "${vm.name}" (VMs without fixedIp get .10 upward in their subnet), so Neutron refuses the VM's port or the router interface (IpAddressAlreadyAllocated)`,
          fix: `use an address below ${fromInt(block.network + 10)}, e.g. "${fromInt(block.network + 1)}" (the default), or give the VMs of subnet "${subnet.name}" fixed IPs`,
        });
      }
      return;
    }
    const pool = tenantPool(block);
    const n = toInt(vm.fixedIp);
    if (input.vms && pool && n >= pool.start) {
      out.push({
        prop: `vms[${i}].fixedIp`,
        hideValue: true,
        what: `is unset, so the lab gives the VM "${vm.fixedIp}" (the next address from .10 in subnet "${subnet.name}"), which is inside the DHCP allocation pool ${fromInt(pool.start)}-${fromInt(pool.end)} where Neutron's DHCP port and other ports take addresses`,
        fix: `give the VM a fixedIp from ${fromInt(block.network + 2)} to ${fromInt(pool.start - 1)} other than the gateway, or use a larger subnet`,
      });
    }
  });
  return out;
}

/** Node props DvrLab overrides with its own lab-wide value: set on a node (JavaScript callers can) they are silently ignored. */
function labWideFindings(labWide: LabWideInput | undefined): Finding[] {
  if (!labWide) return [];
  const out: Finding[] = [];
  const plain = (v: unknown): unknown => (v instanceof OpenStackRelease ? v.name : v instanceof ServiceManager ? v.value : v);
  const keys: { key: string; labKey: string; lab: unknown; controllerOnly?: boolean }[] = [
    { key: "release", labKey: "release", lab: labWide.release ?? OpenStackRelease.OCATA },
    { key: "serviceManager", labKey: "serviceManager", lab: labWide.serviceManager ?? ServiceManager.SYSTEMD },
    { key: "vniRange", labKey: "vniRange", lab: labWide.vniRange ?? { min: 1, max: 1000 }, controllerOnly: true },
    { key: "externalPhysnet", labKey: "external.physnet", lab: labWide.physnet },
  ];
  const entries: [string, object][] = [["controller", labWide.controller], ...labWide.nodes.map((n, i) => [`nodes[${i}]`, n] as [string, object])];
  for (const [where, props] of entries) {
    for (const k of keys) {
      if (k.controllerOnly && where !== "controller") continue;
      const value = (props as Record<string, unknown>)?.[k.key];
      if (value === undefined || isUnresolved(value) || show(plain(value)) === show(plain(k.lab))) continue;
      out.push({
        prop: `${where}.${k.key}`,
        value: plain(value),
        what: `is ignored: DvrLab gives every node the lab's ${k.key} (${k.lab === undefined ? "none" : show(plain(k.lab))})${k.key === "release" ? " and pushes that release's settings" : ""}`,
        fix: `set ${k.labKey} on the lab (DvrLabProps) and drop it from ${where === "controller" ? "the controller" : "the node"}`,
      });
    }
  }
  return out;
}

/** The verify hook: a command that runs, and a VM access host the verifier can use. */
function verifyFindings(input: LabInput): (Finding | undefined)[] {
  if (!input.verify) return [];
  const out: (Finding | undefined)[] = [];
  const { command, vmAccess } = input.verify;
  if (command !== undefined && !isUnresolved(command) && (typeof command !== "string" || command.trim() === "")) {
    out.push({
      prop: "verifyCommand",
      value: command,
      what: 'is empty, so the verify hook\'s local-exec runs "--description-env ..." as a command and fails at the end of cdktf deploy',
      fix: 'leave verifyCommand unset (the default is "npx --no-install dvr-lab verify"), or set verify: false',
    });
  }
  out.push(...vmAccessFindings("verifyVmAccess", vmAccess, input.topology.hosts.map((h) => ({ name: h.name, dhcp: h.agents.includes("DHCP agent") }))));
  return out;
}

/** A VM access (VerifyVmAccess) against the nodes the verifier can reach. Shared with VerifyHook. */
export function vmAccessFindings(
  prefix: string,
  vmAccess: VerifyVmAccess | undefined,
  hosts: readonly { name: string; dhcp: boolean }[],
  notAmong = "is not a node of this lab",
): (Finding | undefined)[] {
  if (!vmAccess) return [];
  const out: (Finding | undefined)[] = [];
  const dhcpHosts = hosts.filter((h) => h.dhcp).map((h) => `"${h.name}"`).join(", ");
  const fix = dhcpHosts ? `use a node that runs a DHCP agent (${dhcpHosts}), or leave viaHost unset` : "give a node a DHCP agent (dhcpAgent: true) and use it, or leave viaHost unset";
  const via = vmAccess.viaHost;
  if (via !== undefined && !isUnresolved(via)) {
    const host = hosts.find((h) => h.name === via);
    if (!host) {
      out.push({ prop: `${prefix}.viaHost`, value: via, what: `${notAmong}, so the verifier has no SSH access to it and cannot reach the probe VMs`, fix });
    } else if (!host.dhcp) {
      out.push({ prop: `${prefix}.viaHost`, value: via, what: "runs no DHCP agent, so it has no qdhcp namespace through which the verifier reaches the probe VMs", fix });
    }
  }
  if (vmAccess.user !== undefined) out.push(check.nonEmpty(`${prefix}.user`, vmAccess.user, 'use the VMs\' login user (the default is "cirros"), or leave user unset'));
  return out;
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

