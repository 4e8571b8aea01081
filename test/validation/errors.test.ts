/**
 * Errors carry fields (like aws-cdk-lib's ValidationError): the construct path, the prop, the value,
 * what is wrong, the fix and, for a lab rule, its id. The message stays the one sentence the other
 * validation tests assert; here every case's fields must say the same thing as its message.
 */
import { Testing } from "cdktf";
import { DvrLabInputError, DvrLabValidationError, L3AgentMode } from "../../lib";
import * as root from "../../lib";
import { SYNTH_CASES, THROW_CASES } from "./support/cases";
import { labStack, node, ssh, synthErrors } from "./support/lab";
import { thrown } from "./support/thrown";

/** The message a validation error's fields make (docs/RULES.md's format). */
function fromFields(e: DvrLabValidationError): string {
  const value = e.valueHidden ? "" : ` ${e.value === undefined ? "undefined" : JSON.stringify(e.value)}`;
  return `${e.ruleId ? `[${e.ruleId}] ` : ""}${e.constructPath}: ${e.prop}${value} ${e.problem}; ${e.fix}`;
}


describe("DvrLabValidationError", () => {
  test("is exported from the package root, with DvrLabInputError as its construct-time kind", () => {
    expect(root.DvrLabValidationError).toBe(DvrLabValidationError);
    expect(Object.prototype.isPrototypeOf.call(DvrLabValidationError.prototype, DvrLabInputError.prototype)).toBe(true);
  });

  test("a validation at synth: construct path, prop, value, problem and fix as fields; the message unchanged", () => {
    const stack = labStack({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"), node("com2", L3AgentMode.DVR, "10.0.0.300")] });
    const [e] = DvrLabValidationError.findAll(stack);
    expect({ ...e, message: e.message, name: e.name }).toEqual({
      name: "DvrLabValidationError",
      message: "DvrLab/com2: tunnelIp \"10.0.0.300\" is not an IPv4 address; use a dotted-quad address on the node's tunnel interface",
      constructPath: "DvrLab/com2",
      fullPath: "s/DvrLab/com2",
      prop: "tunnelIp",
      value: "10.0.0.300",
      valueHidden: false,
      problem: "is not an IPv4 address",
      fix: "use a dotted-quad address on the node's tunnel interface",
    });
    expect(DvrLabValidationError.isDvrLabValidationError(e)).toBe(true);
    expect(DvrLabValidationError.isDvrLabValidationError(new Error(e.message))).toBe(false);
    expect(synthErrors(stack)).toEqual([e.message]);
  });

  test("a construct-time error is thrown with its fields; a secret value is neither shown nor kept", () => {
    const e = thrown(() => labStack({ controller: { hostName: "ctrl1", ssh: ssh({ hostKey: "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n" }) } }));
    expect(e).toBeInstanceOf(DvrLabInputError);
    expect(e).toBeInstanceOf(DvrLabValidationError);
    const v = e as DvrLabInputError;
    expect([v.name, v.constructPath, v.prop, v.valueHidden, v.value, v.problem]).toEqual([
      "DvrLabInputError",
      "DvrLab/ctrl1",
      "ssh.hostKey",
      true,
      undefined,
      "holds private key material, which would be written into cdk.tf.json",
    ]);
    expect(JSON.stringify(v)).not.toMatch(/PRIVATE KEY/);
  });

  test("a lab rule's error carries its rule id (found once the rules ran at synth)", () => {
    const stack = labStack({ controller: { hostName: "ctrl1", ssh: ssh(), mechanismDrivers: ["openvswitch"] } });
    expect(() => Testing.synth(stack, true)).toThrow(/DVR-E001/);
    const rule = DvrLabValidationError.findAll(stack).filter((e) => e.ruleId);
    expect(rule.map((e) => [e.ruleId, e.constructPath, e.prop, e.value])).toEqual([["DVR-E001", "DvrLab/ctrl1", "mechanismDrivers", ["openvswitch"]]]);
    expect(rule[0].message).toMatch(/^\[DVR-E001\] DvrLab\/ctrl1: mechanismDrivers \["openvswitch"\] lacks l2population/);
  });

  test.each(Object.keys(SYNTH_CASES))("synth case %s: findAll has exactly the messages synth fails with, and each message is its fields", (name) => {
    const stack = SYNTH_CASES[name]();
    const messages = synthErrors(stack);
    const errors = DvrLabValidationError.findAll(stack);
    expect(errors.map((e) => e.message).sort()).toEqual([...messages].sort());
    for (const e of errors) expect(fromFields(e)).toBe(e.message);
  });

  test.each(Object.keys(THROW_CASES))("construct-time case %s: a DvrLabInputError whose message is its fields", (name) => {
    const e = thrown(THROW_CASES[name]);
    expect(e).toBeInstanceOf(DvrLabInputError);
    expect(fromFields(e as DvrLabInputError)).toBe((e as Error).message);
  });
});
