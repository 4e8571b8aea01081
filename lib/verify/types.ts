/**
 * Pluggable seams of the verifier. A real lab and the lab twin differ only in these: how a command
 * reaches a node (Transport), how a VM sends traffic (VmExecutor) and how Neutron is asked (NeutronApi).
 */
import type { LabDescription, VmModel } from "../model/topology";

/** Result of one command on a node. `code` 124 with `timedOut` when the time limit killed it. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut?: boolean;
}

/** Options of one command on a node. */
export interface RunOptions {
  /** Kill the command after this many milliseconds. @default - transport-specific: 60 s for SshTransport */
  readonly timeoutMs?: number;
}

/**
 * A command: an argv (quoted for the remote shell by the transport) or a POSIX sh script (fed to
 * `sh -s` on stdin, so it needs no quoting). Both run as root on the node: a transport whose login
 * user is not root prefixes `sudo -n`.
 */
export type Command = readonly string[] | { readonly script: string };

/** Options of a long-lived job (a capture) on a node. */
export interface BackgroundOptions {
  /** Safety net: the job is killed on the node after this many seconds even if never stopped. */
  readonly maxSeconds: number;
  /** `start` returns once the job printed this line on stdout (or `readyTimeoutMs` passed). @default - none: `start` returns at once */
  readonly readyMarker?: string;
  /** How long `start` waits for `readyMarker` (ms). @default 8000 */
  readonly readyTimeoutMs?: number;
}

/** A long-lived job (a capture) on a node. */
export interface BackgroundJob {
  readonly host: string;
  /** Whether the ready marker was seen before `startBackground` returned. */
  readonly ready: boolean;
  /** Sends SIGTERM to the job's process group, waits for it, returns everything it printed. */
  stop(opts?: RunOptions): Promise<RunResult>;
}

/**
 * Runs commands on lab nodes by host name (the LabDescription's host names). Implementations:
 * `SshTransport` (OpenSSH client, verified host keys); the twin may use SSH to its hosts too, or an
 * nsenter-based transport that implements the same two methods (see `detachedBackground` for a
 * `startBackground` built on `run` alone).
 */
export interface Transport {
  run(host: string, command: Command, opts?: RunOptions): Promise<RunResult>;
  startBackground(host: string, script: string, opts: BackgroundOptions): Promise<BackgroundJob>;
  /** Removes temporary files (keys, known_hosts). */
  close?(): Promise<void>;
}

/** One marked ping from inside a VM. */
export interface PingRequest {
  /** Unique key of this ping in the batch (row id). */
  readonly key: string;
  readonly vm: VmModel;
  /** IPv4 address to ping. */
  readonly target: string;
  readonly count: number;
  /** ICMP payload size (`ping -s`); the IP total length is this + 28. */
  readonly payloadSize: number;
  /** Per-reply wait (`ping -W`). */
  readonly waitSeconds: number;
}

export interface PingOutcome {
  readonly key: string;
  /** False when the ping could not be started at all (no route to the VM, SSH refused...). */
  readonly ran: boolean;
  readonly transmitted: number;
  readonly received: number;
  readonly output: string;
  /** The VM's route to the target after the ping (`ip route get`, one line), when printed. */
  readonly route?: string;
}

/** What a VM executor may use at run time (resolved by the gate and the structure snapshot). */
export interface VmExecutorContext {
  readonly description: LabDescription;
  readonly transport: Transport;
  /** Neutron network id of a subnet (by the description's subnet name). */
  networkIdOf(subnet: string): string | undefined;
  /** Namespaces seen on a host by the structure snapshot (empty when unknown). */
  namespacesOn(host: string): readonly string[];
}

/** A node command the verifier plans (counted by the benchmark; printed by `--plan`). */
export interface PlannedCommand {
  /** Node the command runs on, or "neutron-api" for an API request. */
  readonly host: string;
  readonly phase: "gate" | "snapshot" | "warmup" | "capture-start" | "counters-before" | "ping" | "counters-after" | "capture-stop";
  readonly window?: number;
  readonly detail: string;
}

/**
 * Generates traffic from inside VMs. Real labs: `QdhcpSshVmExecutor` (ssh to the VM from the
 * qdhcp namespace on the DHCP node). Twin: `NamespaceVmExecutor` (the VM is a network namespace on
 * its host). Implementations should group a batch so that node commands grow with hosts, not pings.
 */
export interface VmExecutor {
  plan(batch: readonly PingRequest[], description: LabDescription): PlannedCommand[];
  ping(batch: readonly PingRequest[], ctx: VmExecutorContext): Promise<PingOutcome[]>;
}

/** The Neutron API calls the verifier makes (admin view). Objects are the API's JSON. */
export interface NeutronApi {
  listAgents(): Promise<Record<string, unknown>[]>;
  routersByName(name: string): Promise<Record<string, unknown>[]>;
  networksByName(name: string): Promise<Record<string, unknown>[]>;
  subnetsByName(name: string): Promise<Record<string, unknown>[]>;
  portsByFixedIp(ip: string, subnetId: string): Promise<Record<string, unknown>[]>;
  /** The ports of one device (a router: its qr-, sg- and qg- ports). */
  portsOfDevice(deviceId: string): Promise<Record<string, unknown>[]>;
}

/** Access information per CONTRACTS.md §3, plus optional verifier extras. */
export interface HostAccess {
  readonly address: string;
  readonly user?: string;
  readonly port?: number;
  /** The host's public key as in known_hosts: "<type> <base64>" (a trailing comment is allowed). */
  readonly hostKey: string;
  readonly privateKeyFile?: string;
  /** Name of an env var holding the private key (PEM/OpenSSH text). */
  readonly privateKeyEnv?: string;
  /** Extra (verifier): capture interface for the underlay; default "any" filtered by the tunnel IP. */
  readonly underlayInterface?: string;
  /** Extra (verifier): prefix for ovs-ofctl, e.g. ["docker", "exec", "openvswitch_vswitchd"] on kolla. */
  readonly ovsPrefix?: readonly string[];
  /** Extra (verifier): use `sudo -n` (default: when user is not root). */
  readonly sudo?: boolean;
}

export interface VmAccess {
  /** Login user inside the VMs (default "cirros"). */
  readonly user?: string;
  /** Path ON THE DHCP NODE of the private key the VMs accept. */
  readonly keyFileOnNode?: string;
  /** Host that runs the DHCP agent to reach VMs from (default: the description's DHCP host). */
  readonly viaHost?: string;
}

export interface AccessInfo {
  readonly hosts: Readonly<Record<string, HostAccess>>;
  readonly vm?: VmAccess;
}
