import { findSecrets } from "./support/secret-scan";
import { synthReference, synthUpstream } from "./support/synth";

describe("no secret in synthesized output", () => {
  test.each([
    ["reference lab", synthReference],
    ["upstream layout", synthUpstream],
  ])("%s", (_name, synth) => {
    expect(findSecrets(synth())).toEqual([]);
  });

  test("the scanner finds planted secrets (it can fail)", () => {
    const planted = {
      resource: {
        null_resource: {
          a: { connection: { private_key: "-----BEGIN " + "OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----" } },
          b: { provisioner: [{ "local-exec": { environment: { OS_PASSWORD: "hunter2" } } }] },
          c: { triggers: { blob: JSON.stringify({ admin_password: "x" }) } },
          d: { connection: { private_key: "${var.ssh_private_key}" } },
        },
      },
    };
    expect(findSecrets(planted)).toEqual([
      "$.resource.null_resource.a.connection.private_key: private key material",
      "$.resource.null_resource.a.connection.private_key: literal value for \"private_key\"",
      "$.resource.null_resource.b.provisioner[0].local-exec.environment.OS_PASSWORD: literal value for \"OS_PASSWORD\"",
      "$.resource.null_resource.c.triggers.blob<json>.admin_password: literal value for \"admin_password\"",
    ]);
  });

  test("the SSH private key variable is sensitive and the connection uses it by reference", () => {
    const doc = synthReference();
    expect(doc.variable.ssh_private_key.sensitive).toBe(true);
  });
});
