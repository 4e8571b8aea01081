import * as ipaddr from "ipaddr.js";
import { cidrContains, Ipv4Cidr, isIpv4, isNetworkOrBroadcast, nthAddress, parseCidr, toInt } from "../model/ipv4";
import { Finding, isUnresolved } from "./format";

/**
 * Primitive checks of one value. Each returns a Finding (what is wrong and the fix) or undefined.
 * Unresolved Terraform tokens pass: Terraform checks them at apply.
 */

/** Largest VXLAN network identifier (24 bits). */
export const VNI_MAX = 16777215;
export const MTU_MIN = 68;
export const MTU_MAX = 9000;
/** Smallest tenant subnet: gateway at .1, probe VMs from .10, DHCP pool in the upper half. */
export const MAX_TENANT_PREFIX = 27;

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PuTTY-User-Key-File/;
const PUBLIC_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;

export function looksLikePrivateKey(value: unknown): boolean {
  return typeof value === "string" && PRIVATE_KEY.test(value);
}

export function hostName(prop: string, value: unknown): Finding | undefined {
  if (isUnresolved(value)) return undefined;
  const s = typeof value === "string" ? value : "";
  const ok = s.length > 0 && s.length <= 253 && s.split(".").every((l) => LABEL.test(l));
  if (ok) return undefined;
  return {
    prop,
    value,
    what: "is not a valid host name",
    fix: "use RFC 1123 labels (1 to 63 letters, digits or hyphens, no leading or trailing hyphen) separated by dots, exactly as nova-compute and the neutron agents report the host",
  };
}

export function ipv4(prop: string, value: unknown, fix: string): Finding | undefined {
  if (isUnresolved(value)) return undefined;
  if (typeof value === "string" && isIpv4(value)) return undefined;
  return { prop, value, what: "is not an IPv4 address", fix };
}

/** A CIDR: malformed, host bits set, or (with maxPrefix) too small. Returns [finding, parsed]. */
export function cidr(prop: string, value: unknown, maxPrefix?: number): [Finding | undefined, Ipv4Cidr | undefined] {
  if (isUnresolved(value)) return [undefined, undefined];
  const s = typeof value === "string" ? value : "";
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(s);
  if (!m || !isIpv4(m[1]) || Number(m[2]) > 32) {
    return [{ prop, value, what: "is not an IPv4 CIDR", fix: 'use a network address and a prefix length from 0 to 32, such as "10.0.0.0/24"' }, undefined];
  }
  const parsed = parseCidr(s);
  if (!parsed) {
    const prefix = Number(m[2]);
    const size = 2 ** (32 - prefix);
    const network = Math.floor(toInt(m[1]) / size) * size;
    const fixed = `${nthAddress({ network, prefix, size }, 0)}/${prefix}`;
    return [{ prop, value, what: "has host bits set", fix: `use the network address "${fixed}"` }, undefined];
  }
  if (maxPrefix !== undefined && parsed.prefix > maxPrefix) {
    return [
      {
        prop,
        value,
        what: `is too small for a lab subnet`,
        fix: `use a /${maxPrefix} or larger (the gateway, the probe VMs from .10 and the DHCP pool in the upper half need room)`,
      },
      undefined,
    ];
  }
  return [undefined, parsed];
}

/** A gateway (or other router-owned address) inside its CIDR and not its network or broadcast address. */
export function gateway(prop: string, value: unknown, block: Ipv4Cidr | undefined, cidrText: string): Finding | undefined {
  if (isUnresolved(value) || value === undefined) return undefined;
  const bad = ipv4(prop, value, `use a host address inside ${cidrText}, e.g. "${block ? nthAddress(block, 1) : "x.y.z.1"}"`);
  if (bad || !block) return bad;
  const ip = value as string;
  if (!cidrContains(block, ip)) {
    return { prop, value, what: `is outside ${cidrText}`, fix: `use a host address inside ${cidrText}, e.g. "${nthAddress(block, 1)}"` };
  }
  if (isNetworkOrBroadcast(block, ip)) {
    const which = toInt(ip) === block.network ? "network" : "broadcast";
    return { prop, value, what: `is the ${which} address of ${cidrText}`, fix: `use a host address such as "${nthAddress(block, 1)}"` };
  }
  return undefined;
}

export function port(prop: string, value: unknown): Finding | undefined {
  if (value === undefined || isUnresolved(value)) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535) return undefined;
  return { prop, value, what: "is not a TCP port", fix: "use an integer from 1 to 65535 (default 22)" };
}

export function mtu(prop: string, value: unknown): Finding | undefined {
  if (value === undefined || isUnresolved(value)) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value >= MTU_MIN && value <= MTU_MAX) return undefined;
  return {
    prop,
    value,
    what: `is outside ${MTU_MIN}..${MTU_MAX}`,
    fix: "use an integer MTU from 68 to 9000, or leave it unset for Neutron's value (1450 on VXLAN over a 1500 underlay)",
  };
}

export function vniRange(prop: string, value: { min: number; max: number } | undefined): Finding | undefined {
  if (value === undefined || isUnresolved(value.min) || isUnresolved(value.max)) return undefined;
  const { min, max } = value;
  const inRange = (n: unknown) => typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= VNI_MAX;
  if (!inRange(min) || !inRange(max)) {
    return { prop, value: { min, max }, what: `is outside 1..${VNI_MAX}`, fix: "use integer VNIs from 1 to 16777215 (24 bits), e.g. { min: 1, max: 1000 }" };
  }
  if (min > max) return { prop, value: { min, max }, what: "has min greater than max", fix: `swap them: { min: ${max}, max: ${min} }` };
  return undefined;
}

/**
 * A VXLAN endpoint (openvswitch_agent.ini local_ip) must be a unicast address other nodes can reach:
 * not loopback, unspecified, multicast or the limited broadcast address. Only literal IPv4 is checked.
 */
export function tunnelEndpoint(prop: string, value: unknown): Finding | undefined {
  if (typeof value !== "string" || isUnresolved(value) || !isIpv4(value)) return undefined;
  const range = ipaddr.IPv4.parse(value).range();
  const why: Record<string, string> = {
    loopback: "is a loopback address, which no other node can send VXLAN packets to, so no tunnel to this node comes up",
    unspecified: "is the unspecified address, which no other node can send VXLAN packets to (and the OVS agent exits: local_ip must be on a local interface)",
    multicast: "is a multicast address, which cannot be a VXLAN tunnel endpoint (local_ip must be a unicast address on a local interface)",
    broadcast: "is the limited broadcast address, which cannot be a VXLAN tunnel endpoint (local_ip must be a unicast address on a local interface)",
  };
  if (!why[range]) return undefined;
  return { prop, value, what: why[range], fix: "use the unicast address of the node's tunnel interface, which the other nodes reach" };
}

export function nonEmpty(prop: string, value: unknown, fix: string): Finding | undefined {
  if (isUnresolved(value)) return undefined;
  if (typeof value === "string" && value.trim() !== "") return undefined;
  return { prop, value, what: "is empty", fix };
}

/** An SSH public key line (host key or key pair). Private key material is never echoed. */
export function publicKey(prop: string, value: unknown, fix: string): Finding | undefined {
  if (isUnresolved(value)) return undefined;
  if (looksLikePrivateKey(value)) return { prop, what: "holds private key material", fix, hideValue: true };
  if (typeof value === "string" && PUBLIC_KEY.test(value.trim())) return undefined;
  return { prop, value, what: "is not an SSH public key", fix };
}
