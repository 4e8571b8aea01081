import { Testing, TerraformOutput, TerraformVariable } from "cdktf";
import { DvrLab, DvrLabRules, SshPrivateKey } from "../../lib";
import { findSecrets } from "../support/secret-scan";
import { THROW_CASES } from "./support/cases";
import { FAKE_PRIVATE_KEY, HOST_KEY, labProps, ssh, stackWith, synthErrors } from "./support/lab";

/** A lab whose controller key is a sensitive variable and whose agents read a key file; verify hook on. */
function trustedLab(extra?: (s: import("cdktf").TerraformStack, key: TerraformVariable) => void) {
  return stackWith((s) => {
    const key = new TerraformVariable(s, "ssh_key", { type: "string", sensitive: true });
    new DvrLab(s, "DvrLab", labProps({ verify: true, controller: { hostName: "ctrl1", ssh: ssh({ privateKey: SshPrivateKey.fromVariable(key) }) } }));
    extra?.(s, key);
  });
}

const resources = (doc: any, type: string): any[] => Object.values(doc.resource?.[type] ?? {});

describe("secrets never reach cdk.tf.json", () => {
  const doc = JSON.parse(Testing.synth(trustedLab(), true));

  test("the synthesized lab holds no secret (keys by file path and sensitive variable only)", () => {
    expect(findSecrets(doc)).toEqual([]);
    const keys = resources(doc, "terraform_data")
      .filter((r) => r.connection)
      .map((r) => [r.triggers_replace.node, r.connection.private_key]);
    expect(keys.sort()).toEqual([
      ["com1", '${file("~/.ssh/dvr-lab")}'],
      ["com2", '${file("~/.ssh/dvr-lab")}'],
      ["ctrl1", "${var.ssh_key}"],
    ]);
  });

  test("the verifier gets the variable's key by reference in its own environment variable", () => {
    const verify = resources(doc, "terraform_data").find((r) => r.provisioner?.[0]?.["local-exec"]);
    const env = verify.provisioner[0]["local-exec"].environment;
    expect(env.DVR_LAB_SSH_KEY_CTRL1).toBe("${var.ssh_key}");
    expect(JSON.parse(env.DVR_LAB_ACCESS).hosts.ctrl1.privateKeyEnv).toBe("DVR_LAB_SSH_KEY_CTRL1");
    expect(JSON.parse(env.DVR_LAB_ACCESS).hosts.com1.privateKeyFile).toBe("~/.ssh/dvr-lab");
  });

  test("constructor errors about secrets never echo the secret", () => {
    const messages = Object.values(THROW_CASES).map((build) => {
      try {
        build();
        return "no error";
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(messages.filter((m) => m === "no error")).toEqual([]);
    for (const m of messages) {
      expect(m).not.toContain("PRIVATE KEY");
      expect(m).not.toContain("b3BlbnNzaC1rZXktdjE");
    }
  });

  test("a literal key stops construction, so even Testing.synth(stack) without validation writes nothing", () => {
    let synthesized: string | undefined;
    expect(() => {
      const stack = stackWith((s) => new DvrLab(s, "DvrLab", labProps({ controller: { hostName: "ctrl1", ssh: ssh({ privateKey: SshPrivateKey.fromFile(FAKE_PRIVATE_KEY) }) } })));
      synthesized = Testing.synth(stack);
    }).toThrow("ssh.privateKey is SshPrivateKey.fromFile(...) with private key material instead of a file path");
    expect(synthesized).toBeUndefined();
  });
});

describe("outputs carrying credentials are sensitive (DVR-E004)", () => {
  test("the lab's own description output carries no credential and needs no sensitivity", () => {
    const doc = JSON.parse(Testing.synth(trustedLab(), true));
    expect(Object.keys(doc.output)).toEqual(["t_description"]);
    expect(doc.output.t_description.sensitive).toBeUndefined();
    expect(findSecrets(doc.output)).toEqual([]);
  });

  test("a non-sensitive output of the key variable fails synth", () => {
    const stack = trustedLab((s, key) => new TerraformOutput(s, "leak", { value: `key: ${key.stringValue}` }));
    expect(synthErrors(stack)).toEqual([
      '[DVR-E004] leak: sensitive false on an output that carries the sensitive variable "ssh_key"; set sensitive: true on the output, or do not output the credential',
    ]);
  });

  test("the same output marked sensitive is fine", () => {
    const stack = trustedLab((s, key) => new TerraformOutput(s, "ok", { value: key.stringValue, sensitive: true }));
    expect(synthErrors(stack)).toEqual([]);
  });

  test("outside a DvrLab the rule applies where DvrLabRules is added", () => {
    const stack = stackWith((s) => {
      const key = new TerraformVariable(s, "k", { type: "string", sensitive: true });
      new TerraformOutput(s, "leak", { value: key.stringValue });
      require("cdktf").Aspects.of(s).add(new DvrLabRules());
    });
    expect(synthErrors(stack)).toEqual([
      '[DVR-E004] leak: sensitive false on an output that carries the sensitive variable "k"; set sensitive: true on the output, or do not output the credential',
    ]);
  });
});

describe("SSH host keys are verified by default", () => {
  const doc = JSON.parse(Testing.synth(trustedLab(), true));

  test("every config push's connection pins the node's host key", () => {
    const pushes = resources(doc, "terraform_data").filter((r) => r.connection);
    expect(pushes).toHaveLength(3);
    for (const r of pushes) expect(r.connection.host_key).toBe(HOST_KEY);
  });

  test("the verifier gets every node's host key", () => {
    const verify = resources(doc, "terraform_data").find((r) => r.provisioner?.[0]?.["local-exec"]);
    const hosts = JSON.parse(verify.provisioner[0]["local-exec"].environment.DVR_LAB_ACCESS).hosts;
    expect(Object.values<any>(hosts).map((h) => h.hostKey)).toEqual([HOST_KEY, HOST_KEY, HOST_KEY]);
  });

  test("switching the check off must be explicit, and then no host key is pinned", () => {
    const stack = stackWith((s) =>
      new DvrLab(s, "DvrLab", labProps({ controller: { hostName: "ctrl1", ssh: ssh({ hostKey: undefined, insecureSkipHostKeyCheck: true }) } })),
    );
    const pushes = resources(JSON.parse(Testing.synth(stack, true)), "terraform_data").filter((r) => r.connection);
    expect(pushes.find((r) => r.triggers_replace.node === "ctrl1").connection.host_key).toBeUndefined();
  });
});
