import { App, Testing, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { configureProviders } from "../../../lib/layouts/providers";
import { DvrLab, DvrLabNodeProps, DvrLabProps, L3AgentMode, NodeSshProps, SshPrivateKey } from "../../../lib";
import type { VmModel } from "../../../lib";

/** A syntactically valid host public key (test data only; no matching private key exists). */
export const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6cY2o9JqT1lXy4fTestHostKeyOnly0000000000000";
export const LAB_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIL7nTestLabKeyPairOnly000000000000000000000 lab";
/** Looks like key material to every scanner; it is not a real key. */
export const FAKE_PRIVATE_KEY = "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAtest\n-----END OPENSSH PRIVATE KEY-----\n";

export function ssh(over: Partial<NodeSshProps> = {}): NodeSshProps {
  return { address: "192.0.2.100", privateKey: SshPrivateKey.fromFile("~/.ssh/dvr-lab"), hostKey: HOST_KEY, ...over };
}

export function node(hostName: string, mode: L3AgentMode, tunnelIp: string, over: Partial<DvrLabNodeProps> = {}): DvrLabNodeProps {
  return { hostName, mode, tunnelIp, ssh: ssh(), ...over };
}

/** The smallest valid lab: ctrl1; com1 dvr_snat; com2 dvr; default routers and placement; no external network. */
export function labProps(over: Partial<DvrLabProps> = {}): DvrLabProps {
  return {
    labName: "t",
    controller: { hostName: "ctrl1", ssh: ssh() },
    nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com2", L3AgentMode.DVR, "192.0.2.12")],
    instances: { imageName: "cirros", flavorName: "m1.tiny", publicKey: LAB_PUBLIC_KEY },
    verify: false,
    ...over,
  };
}

/** A stack with providers; `build` composes whatever the test needs into it. */
export function stackWith(build: (stack: TerraformStack) => void): TerraformStack {
  const app: App = Testing.app();
  const stack = new TerraformStack(app, "s");
  configureProviders(stack);
  build(stack);
  return stack;
}

/** A stack holding one DvrLab (id "DvrLab") built from labProps(over). */
export function labStack(over: Partial<DvrLabProps> = {}): TerraformStack {
  return stackWith((s) => new DvrLab(s, "DvrLab", labProps(over)));
}

/**
 * Synthesizes with validations on (Testing.synth(stack, true)) and returns the error messages it
 * failed with (the "[full/path] " prefix cdktf adds removed), or [] when it synthesized.
 */
export function synthErrors(stack: TerraformStack): string[] {
  try {
    Testing.synth(stack, true);
    return [];
  } catch (e) {
    const text = (e as Error).message;
    if (!text.startsWith("Validation failed with the following errors:")) throw e;
    return text
      .split("\n")
      .filter((l) => l.startsWith("  ["))
      .map((l) => l.replace(/^ {2}\[[^\]]*\] /, ""));
  }
}

/** The one error a stack fails with (fails the test when it synthesizes, or fails with several). */
export function oneError(stack: TerraformStack): string {
  const errors = synthErrors(stack);
  expect(errors).toHaveLength(1);
  return errors[0];
}

export type Level = "info" | "warning" | "error";

/** Annotations of a stack after synthesis (aspects run), as "level message". */
export function annotations(stack: TerraformStack, level?: Level): string[] {
  try {
    Testing.synth(stack, true);
  } catch {
    /* errors are annotations too */
  }
  const type = { info: "@cdktf/info", warning: "@cdktf/warn", error: "@cdktf/error" };
  return stack.node
    .findAll()
    .flatMap((c: IConstruct) => c.node.metadata)
    .filter((m) => (level ? m.type === type[level] : Object.values(type).includes(m.type)))
    .map((m) => String(m.data));
}

/** Explicit VMs: the default placement of the baseline lab (t-dvr on com2 + com1, t-legacy likewise). */
export function baselineVms(over: Record<number, Partial<VmModel>> = {}) {
  const base = [
    { name: "t-dvr-a-com2", host: "com2", subnet: "t-dvr-a" },
    { name: "t-dvr-b-com2", host: "com2", subnet: "t-dvr-b" },
    { name: "t-dvr-a-com1", host: "com1", subnet: "t-dvr-a" },
    { name: "t-legacy-a-com2", host: "com2", subnet: "t-legacy-a" },
    { name: "t-legacy-b-com2", host: "com2", subnet: "t-legacy-b" },
    { name: "t-legacy-a-com1", host: "com1", subnet: "t-legacy-a" },
  ];
  return base.map((vm, i) => ({ ...vm, ...(over[i] ?? {}) }));
}
