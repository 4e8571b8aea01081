import type { VerifyVmAccess } from "../model/lab-props";
import { cidrContains, cidrsOverlap, Ipv4Cidr, isIpv4, isNetworkOrBroadcast, nthAddress, parseCidr, toInt } from "../model/ipv4";
import type { ExternalModel, RouterModel, SubnetModel, VmModel } from "../model/topology";
import * as check from "./checks";
import { Finding, isUnresolved } from "./format";
import { vmAccessFindings } from "./lab-checks";

/**
 * Checks of the building blocks used on their own (TenantVxlanNetwork, PinnedVm, VerifyHook without
 * a DvrLab around them). Inside a DvrLab the lab validates the same values with the prop paths the
 * user wrote (distributedRouter.subnets[0].cidr, vms[2].host, verifyCommand), so these run only
 * when the block's scope is not a lab.
 */

const literal = (v: unknown): v is string => typeof v === "string" && !isUnresolved(v);
const names = (list: readonly string[]) => list.map((n) => `"${n}"`).join(", ");

/** What TenantVxlanNetwork validates of its own props. */
export interface TenantInput {
  readonly subnets: readonly SubnetModel[];
  readonly routers: readonly RouterModel[];
  readonly external?: ExternalModel;
  readonly sshSourceCidr?: string;
}

export function tenantFindings(input: TenantInput): Finding[] {
  const out: (Finding | undefined)[] = [];
  const routerIndex = new Map<string, number>();
  input.routers.forEach((r, i) => {
    const bad = check.nonEmpty(`routers[${i}].name`, r.name, "give the router a name");
    out.push(bad);
    if (!bad && routerIndex.has(r.name)) {
      out.push({
        prop: `routers[${i}].name`,
        value: r.name,
        what: `is already the name of routers[${routerIndex.get(r.name)}], so only the first is built`,
        fix: "give each router its own name",
      });
    } else if (!bad) routerIndex.set(r.name, i);
    if (r.externalGateway && !input.external) {
      out.push({
        prop: `routers[${i}].externalGateway`,
        value: true,
        what: "needs external (the network the gateway is taken from), so the router would be built without a gateway",
        fix: "pass external, or set externalGateway: false",
      });
    }
  });
  const routerNames = [...routerIndex.keys()];

  const subnetIndex = new Map<string, number>();
  const blocks: { i: number; block: Ipv4Cidr; subnet: SubnetModel }[] = [];
  const vnis = new Map<number, number>();
  input.subnets.forEach((s, i) => {
    const p = `subnets[${i}]`;
    const nameBad = check.nonEmpty(`${p}.name`, s.name, "give the subnet a name (it names the Neutron network and subnet)");
    out.push(nameBad);
    if (!nameBad && subnetIndex.has(s.name)) {
      out.push({ prop: `${p}.name`, value: s.name, what: `is already the name of subnets[${subnetIndex.get(s.name)}], so only the first is built`, fix: "give every subnet its own name" });
      return;
    }
    if (!nameBad) subnetIndex.set(s.name, i);
    if (!routerIndex.has(s.router)) {
      out.push({
        prop: `${p}.router`,
        value: s.router,
        what: "names no router in routers, so the subnet, its network and its router interface would not be built",
        fix: routerNames.length > 0 ? `use one of: ${names(routerNames)}` : "add the router to routers",
      });
    }
    const [cidrBad, block] = check.cidr(`${p}.cidr`, s.cidr);
    out.push(cidrBad);
    if (block) {
      const gwBad = check.gateway(`${p}.gatewayIp`, s.gatewayIp, block, s.cidr);
      out.push(gwBad);
      const pool = s.allocationPool;
      const startBad = check.gateway(`${p}.allocationPool.start`, pool?.start, block, s.cidr);
      const endBad = check.gateway(`${p}.allocationPool.end`, pool?.end, block, s.cidr);
      out.push(startBad, endBad);
      if (!startBad && !endBad && literal(pool?.start) && literal(pool?.end)) {
        if (toInt(pool.start) > toInt(pool.end)) {
          out.push({ prop: `${p}.allocationPool`, value: pool, what: "starts after it ends", fix: "swap start and end" });
        } else if (!gwBad && literal(s.gatewayIp) && toInt(s.gatewayIp) >= toInt(pool.start) && toInt(s.gatewayIp) <= toInt(pool.end)) {
          out.push({
            prop: `${p}.gatewayIp`,
            value: s.gatewayIp,
            what: `is inside the allocation pool ${pool.start}-${pool.end}, so Neutron refuses the subnet (GatewayConflictWithAllocationPools)`,
            fix: `use a gateway outside ${pool.start}-${pool.end}, or move the pool`,
          });
        }
      }
      blocks.push({ i, block, subnet: s });
    }
    if (s.vni !== undefined && !isUnresolved(s.vni)) {
      if (!Number.isInteger(s.vni) || s.vni < 1 || s.vni > check.VNI_MAX) {
        out.push({ prop: `${p}.vni`, value: s.vni, what: "is not a VNI", fix: "use an integer from 1 to 16777215, or leave vni unset" });
      } else if (vnis.has(s.vni)) {
        out.push({ prop: `${p}.vni`, value: s.vni, what: `is already the VNI of subnets[${vnis.get(s.vni)}]`, fix: "give every network its own VNI, or leave vni unset" });
      } else vnis.set(s.vni, i);
    }
    out.push(check.mtu(`${p}.mtu`, s.mtu));
  });

  // Neutron refuses a router interface on a subnet that overlaps another subnet of the same router;
  // subnets of different routers may overlap (each router has its own namespace).
  blocks.forEach((b, k) => {
    const hit = blocks.slice(0, k).find((o) => o.subnet.router === b.subnet.router && cidrsOverlap(o.block, b.block));
    if (hit) {
      out.push({
        prop: `subnets[${b.i}].cidr`,
        value: b.subnet.cidr,
        what: `overlaps subnets[${hit.i}].cidr "${hit.subnet.cidr}" of the same router "${b.subnet.router}", so Neutron refuses the second router interface ("overlaps with cidr ... of subnet")`,
        fix: "give the subnets of one router separate address blocks (subnets of different routers may overlap)",
      });
    }
  });
  if (input.sshSourceCidr !== undefined) out.push(check.cidr("sshSourceCidr", input.sshSourceCidr)[0]);
  return out.filter((f): f is Finding => f !== undefined);
}

/** What PinnedVm validates of its own props (the subnet's CIDR and gateway as literals, when they are). */
export interface PinnedVmInput {
  readonly vm: VmModel;
  readonly subnetCidr?: string;
  readonly subnetGatewayIp?: string;
  readonly floatingIpPool?: string;
}

export function pinnedVmFindings(input: PinnedVmInput): Finding[] {
  const out: (Finding | undefined)[] = [];
  const { vm } = input;
  out.push(check.nonEmpty("vm.name", vm.name, "name the VM (it names the Nova instance and its port)"));
  if (literal(vm.host) && vm.host.trim() === "") {
    out.push({
      prop: "vm.host",
      value: vm.host,
      what: 'is empty, so Nova gets availability_zone "nova:" and pins the VM to no host (the scheduler places it anywhere)',
      fix: "give the host name of the compute node the VM must run on",
    });
  } else {
    out.push(check.hostName("vm.host", vm.host));
  }
  const ipBad = check.ipv4("vm.fixedIp", vm.fixedIp, "use a dotted-quad address inside the subnet (the port's fixed IP, which the lab's expectations name)");
  out.push(ipBad);
  const block = literal(input.subnetCidr) ? parseCidr(input.subnetCidr) : undefined;
  if (!ipBad && block && literal(vm.fixedIp) && isIpv4(vm.fixedIp)) {
    const gateway = literal(input.subnetGatewayIp) && isIpv4(input.subnetGatewayIp) ? input.subnetGatewayIp : input.subnetGatewayIp === undefined ? nthAddress(block, 1) : undefined;
    const fix = `use a free host address inside ${input.subnetCidr} other than the gateway`;
    if (!cidrContains(block, vm.fixedIp)) {
      out.push({ prop: "vm.fixedIp", value: vm.fixedIp, what: `is outside the subnet's CIDR ${input.subnetCidr}, so Neutron refuses the port (InvalidIpForSubnet)`, fix });
    } else if (isNetworkOrBroadcast(block, vm.fixedIp)) {
      out.push({ prop: "vm.fixedIp", value: vm.fixedIp, what: `is the ${toInt(vm.fixedIp) === block.network ? "network" : "broadcast"} address of ${input.subnetCidr}, so Neutron refuses the port`, fix });
    } else if (gateway && vm.fixedIp === gateway) {
      out.push({ prop: "vm.fixedIp", value: vm.fixedIp, what: "is the subnet's gateway, which the router interface owns, so Neutron refuses the port (IpAddressAlreadyAllocated)", fix });
    }
  }
  if (vm.floatingIp && !(literal(input.floatingIpPool) ? input.floatingIpPool.trim() !== "" : input.floatingIpPool !== undefined)) {
    out.push({
      prop: "vm.floatingIp",
      value: true,
      what: "needs floatingIpPool (the external network's name), so no floating IP would be created",
      fix: "pass floatingIpPool, or set floatingIp: false",
    });
  }
  return out.filter((f): f is Finding => f !== undefined);
}

/** What VerifyHook validates of its own props. */
export interface VerifyHookInput {
  readonly command?: string;
  readonly vmAccess?: VerifyVmAccess;
  /** The nodes it gets access info for, and whether each runs a DHCP agent. */
  readonly nodes: readonly { name: string; dhcp: boolean }[];
  /** The hosts of the description the verifier will talk to. */
  readonly descriptionHosts: readonly string[];
}

export function verifyHookFindings(input: VerifyHookInput): Finding[] {
  const out: (Finding | undefined)[] = [];
  const cmd = input.command;
  if (cmd !== undefined && !isUnresolved(cmd) && (typeof cmd !== "string" || cmd.trim() === "")) {
    out.push({
      prop: "command",
      value: cmd,
      what: 'is empty, so the local-exec runs "--description-env ..." as a command and fails at the end of cdktf deploy',
      fix: 'leave command unset (the default is "npx --no-install dvr-lab verify")',
    });
  }
  const known = new Set(input.nodes.map((n) => n.name));
  input.descriptionHosts.forEach((h, i) => {
    if (!known.has(h)) {
      out.push({
        prop: `description.hosts[${i}].name`,
        value: h,
        what: "is not among nodes, so the verifier gets no SSH access to it",
        fix: `pass the node of "${h}" in nodes`,
      });
    }
  });
  out.push(...vmAccessFindings("vmAccess", input.vmAccess, input.nodes, "is not one of nodes"));
  return out.filter((f): f is Finding => f !== undefined);
}
