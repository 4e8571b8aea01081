import { TerraformVariable } from "cdktf";
import { DvrLab, L3AgentMode } from "../../lib";
import { labProps, node, ssh, stackWith, synthErrors } from "./support/lab";

test("unresolved Terraform tokens are not checked at synth (Terraform checks them at apply)", () => {
  const stack = stackWith((s) => {
    const v = (name: string) => new TerraformVariable(s, name, { type: "string" }).stringValue;
    const port = new TerraformVariable(s, "port", { type: "number" }).numberValue;
    new DvrLab(
      s,
      "DvrLab",
      labProps({
        controller: { hostName: "ctrl1", ssh: ssh({ address: v("a0"), hostKey: v("k0"), port }) },
        nodes: [node("com1", L3AgentMode.DVR_SNAT, v("t1")), node("com2", L3AgentMode.DVR, v("t2"), { ssh: ssh({ hostKey: v("k2") }) })],
        instances: { imageName: v("image"), flavorName: v("flavor"), publicKey: v("pub") },
        external: { networkName: v("net"), cidr: v("cidr"), physnet: "provider", gatewayIp: v("gw") },
        sshSourceCidr: v("src"),
      }),
    );
  });
  expect(synthErrors(stack)).toEqual([]);
});

test("the same props as literals are checked (the token test above is not vacuous)", () => {
  const stack = stackWith((s) => {
    new DvrLab(s, "DvrLab", labProps({ nodes: [node("com1", L3AgentMode.DVR_SNAT, "x"), node("com2", L3AgentMode.DVR, "192.0.2.12")] }));
  });
  expect(synthErrors(stack)).toEqual([
    'DvrLab/com1: tunnelIp "x" is not an IPv4 address; use a dotted-quad address on the node\'s tunnel interface',
  ]);
});
