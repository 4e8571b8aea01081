import { Testing, TerraformStack } from "cdktf";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Resource as NullResource } from "@cdktf/provider-null/lib/resource";
import { DvrComputeNode, DvrController, DvrLab, DvrLabProps, L3AgentMode, openstack, ProvisionerResource, SshPrivateKey } from "../lib";

const key = SshPrivateKey.fromFile("~/.ssh/lab_ed25519");
const ssh = (address: string) => ({ address, hostKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDvrLabTestHostKeyOnlyForSynthTests0000", privateKey: key });

function labProps(prefix: string, base: number): DvrLabProps {
  return {
    labName: prefix,
    controller: { hostName: `${prefix}-ctrl`, ssh: ssh(`192.0.2.${base}`) },
    nodes: [
      { hostName: `${prefix}-net`, mode: L3AgentMode.DVR_SNAT, tunnelIp: `192.0.2.${base + 1}`, ssh: ssh(`192.0.2.${base + 1}`) },
      { hostName: `${prefix}-com`, mode: L3AgentMode.DVR, tunnelIp: `192.0.2.${base + 2}`, ssh: ssh(`192.0.2.${base + 2}`) },
    ],
    distributedRouter: { subnets: [{ name: `${prefix}-a`, cidr: `198.51.100.${base === 10 ? 0 : 128}/27` }, { name: `${prefix}-b`, cidr: `198.51.100.${base === 10 ? 32 : 160}/27` }] },
    legacyRouter: { subnets: [{ name: `${prefix}-c`, cidr: `198.51.100.${base === 10 ? 64 : 192}/27` }, { name: `${prefix}-d`, cidr: `198.51.100.${base === 10 ? 96 : 224}/27` }] },
    instances: { imageName: "cirros", flavorName: "m1.tiny", publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDvrLabTestLabKeyOnlyForSynthTests00000 lab" },
  };
}

describe("composition: the constructs do not assume they are alone", () => {
  test("two labs and unrelated resources synthesize side by side in one stack", () => {
    const stack = new TerraformStack(Testing.app(), "two-labs");
    new openstack.provider.OpenstackProvider(stack, "openstack", {});
    new NullProvider(stack, "null", {});
    new NullResource(stack, "Unrelated", {});
    new DvrLab(stack, "LabOne", labProps("one", 10));
    new DvrLab(stack, "LabTwo", labProps("two", 20));
    const doc = JSON.parse(Testing.synth(stack, true));
    expect(Object.keys(doc.output).sort()).toEqual(["one_description", "two_description"]);
    const routers = Object.values<any>(doc.resource.openstack_networking_router_v2).map((r) => r.name).sort();
    expect(routers).toEqual(["one-dvr", "one-legacy", "two-dvr", "two-legacy"]);
    const pushes = Object.values<any>(doc.resource.terraform_data).filter((r) => r.triggers_replace?.config_sha256);
    expect(pushes.map((r) => r.triggers_replace.node).sort()).toEqual(["one-com", "one-ctrl", "one-net", "two-com", "two-ctrl", "two-net"]);
    // Each lab's agents wait for their own controller only.
    const byNode = Object.fromEntries(Object.entries<any>(doc.resource.terraform_data).map(([id, r]) => [r.triggers_replace?.node, { id, r }]));
    expect(byNode["two-com"].r.depends_on).toEqual([`terraform_data.${byNode["two-ctrl"].id}`]);
    // The user's own null_resource is untouched beside the lab's terraform_data.
    expect(Object.keys(doc.resource.null_resource)).toEqual(["Unrelated"]);
  });

  test("node constructs compose on their own, outside DvrLab", () => {
    const stack = new TerraformStack(Testing.app(), "own-nodes");
    const ctrl = new DvrController(stack, "ctrl9", { hostName: "ctrl9", ssh: ssh("192.0.2.90") });
    new DvrComputeNode(stack, "com9", { hostName: "com9", tunnelIp: "192.0.2.91", ssh: ssh("192.0.2.91"), dependsOn: [ctrl.push.resource] });
    const doc = JSON.parse(Testing.synth(stack, true));
    const pushes = Object.values<any>(doc.resource.terraform_data);
    expect(pushes.map((r) => r.triggers_replace.node).sort()).toEqual(["com9", "ctrl9"]);
    expect(pushes.find((r) => r.triggers_replace.node === "com9").connection.private_key).toBe('${file("~/.ssh/lab_ed25519")}');
  });

  test("ProvisionerResource.NULL_RESOURCE puts every push and the verify hook on null_resource instead", () => {
    const stack = new TerraformStack(Testing.app(), "null-lab");
    new openstack.provider.OpenstackProvider(stack, "openstack", {});
    new NullProvider(stack, "null", {});
    new DvrLab(stack, "LabOne", { ...labProps("one", 10), provisionerResource: ProvisionerResource.NULL_RESOURCE });
    const doc = JSON.parse(Testing.synth(stack, true));
    expect(doc.resource.terraform_data).toBeUndefined();
    const all = Object.entries<any>(doc.resource.null_resource);
    const pushes = all.filter(([, r]) => r.triggers?.config_sha256);
    expect(pushes.map(([, r]) => r.triggers.node).sort()).toEqual(["one-com", "one-ctrl", "one-net"]);
    const ctrl = pushes.find(([, r]) => r.triggers.node === "one-ctrl")![0];
    for (const [, r] of pushes.filter(([, r]) => r.triggers.node !== "one-ctrl")) expect(r.depends_on).toEqual([`null_resource.${ctrl}`]);
    expect(all.filter(([, r]) => r.provisioner?.[0]?.["local-exec"])).toHaveLength(1);
    expect(doc.terraform.required_providers.null.source).toBe("null");
  });
});
