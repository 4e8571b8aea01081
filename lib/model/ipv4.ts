import * as ipaddr from "ipaddr.js";

/** Small IPv4 helpers over ipaddr.js (a well-kept parser; we only add arithmetic). */

/** True for a strict dotted-quad IPv4 address ("10.0.0.300" and "10.1" are not). */
export function isIpv4(value: string): boolean {
  return typeof value === "string" && ipaddr.IPv4.isValidFourPartDecimal(value);
}

export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
  /** Number of addresses in the block. */
  readonly size: number;
}

/** Parses "a.b.c.d/n"; returns undefined when malformed or when host bits are set. */
export function parseCidr(value: string): Ipv4Cidr | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(value);
  if (!m || !isIpv4(m[1])) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const addr = toInt(m[1]);
  const size = 2 ** (32 - prefix);
  if (addr % size !== 0) return undefined;
  return { network: addr, prefix, size };
}

export function toInt(ip: string): number {
  return ipaddr.IPv4.parse(ip).toByteArray().reduce((acc, b) => acc * 256 + b, 0);
}

export function fromInt(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

export function cidrContains(cidr: Ipv4Cidr, ip: string): boolean {
  const n = toInt(ip);
  return n >= cidr.network && n < cidr.network + cidr.size;
}

/** True when the address is the network or broadcast address of the block (prefix < 31). */
export function isNetworkOrBroadcast(cidr: Ipv4Cidr, ip: string): boolean {
  if (cidr.prefix >= 31) return false;
  const n = toInt(ip);
  return n === cidr.network || n === cidr.network + cidr.size - 1;
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network < b.network + b.size && b.network < a.network + a.size;
}

/** The n-th address of the block (0 = network address). */
export function nthAddress(cidr: Ipv4Cidr, n: number): string {
  return fromInt(cidr.network + n);
}
