import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { ReferenceLabStack } from "../lib/layouts/reference-lab";
import { LabDescription } from "../lib";
import { pushesOf, resourcesOf, synthReference, synthUpstream } from "./support/synth";

describe("reference lab (ctrl1 controller, com1 dvr_snat, com2 dvr)", () => {
  const doc = synthReference();

  test("matches the snapshot", () => {
    expect(doc).toMatchSnapshot();
  });

  test("pins the providers in required_providers", () => {
    expect(doc.terraform.required_providers.openstack).toEqual({
      source: "terraform-provider-openstack/openstack",
      version: "~> 3.4",
    });
    // The pushes and the verify hook are the built-in terraform_data: no null provider.
    expect(Object.keys(doc.terraform.required_providers)).toEqual(["openstack"]);
    expect(doc.resource.null_resource).toBeUndefined();
  });

  test("has one remote-exec config push per node, controller first, agents after it", () => {
    const pushes = pushesOf(doc);
    expect(pushes.map(([, r]) => r.triggers_replace.node).sort()).toEqual(["com1", "com2", "ctrl1"]);
    for (const [, r] of pushes) {
      const kinds = r.provisioner.map((p: object) => Object.keys(p)[0]);
      expect(kinds).toEqual(["file", "file", "remote-exec"]);
      expect(r.provisioner[2]["remote-exec"].inline).toEqual([
        'if [ "$(id -u)" -eq 0 ]; then python3 /tmp/dvr-lab-push.py /tmp/dvr-lab-desired.json; ' +
          "else sudo -n python3 /tmp/dvr-lab-push.py /tmp/dvr-lab-desired.json; fi",
      ]);
      expect(r.connection.host_key).toMatch(/^\$\{var\.\w+_host_key\}$/);
      expect(r.connection.private_key).toBe("${var.ssh_private_key}");
    }
    const [ctrlName] = pushes.find(([, r]) => r.triggers_replace.node === "ctrl1")!;
    for (const [, r] of pushes.filter(([, r]) => r.triggers_replace.node !== "ctrl1")) {
      expect(r.depends_on).toEqual([`terraform_data.${ctrlName}`]);
    }
  });

  test("pushes the seed's settings to each node", () => {
    const docs = Object.fromEntries(
      pushesOf(doc).map(([, r]) => [r.triggers_replace.node, JSON.parse(r.provisioner[1].file.content)]),
    );
    const settings = (node: string) =>
      Object.fromEntries(
        docs[node].files.flatMap((f: any) => f.settings.map((s: any) => [`${f.path} [${s.section}] ${s.key}`, s.value])),
      );
    expect(settings("ctrl1")).toMatchObject({
      "/etc/neutron/neutron.conf [DEFAULT] router_distributed": "True",
      "/etc/neutron/plugins/ml2/ml2_conf.ini [ml2] mechanism_drivers": "openvswitch,l2population",
      "/etc/neutron/plugins/ml2/ml2_conf.ini [ml2] tenant_network_types": "vxlan",
      "/etc/neutron/plugins/ml2/ml2_conf.ini [ml2] type_drivers": "flat,vxlan",
      "/etc/neutron/plugins/ml2/ml2_conf.ini [ml2_type_vxlan] vni_ranges": "1:1000",
    });
    for (const [node, mode, ip] of [["com1", "dvr_snat", "192.0.2.11"], ["com2", "dvr", "192.0.2.12"]]) {
      expect(settings(node)).toMatchObject({
        "/etc/neutron/neutron.conf [DEFAULT] router_distributed": "True",
        "/etc/neutron/l3_agent.ini [DEFAULT] agent_mode": mode,
        "/etc/neutron/l3_agent.ini [DEFAULT] interface_driver": "openvswitch",
        "/etc/neutron/plugins/ml2/openvswitch_agent.ini [agent] l2_population": "True",
        "/etc/neutron/plugins/ml2/openvswitch_agent.ini [agent] enable_distributed_routing": "True",
        "/etc/neutron/plugins/ml2/openvswitch_agent.ini [agent] tunnel_types": "vxlan",
        "/etc/neutron/plugins/ml2/openvswitch_agent.ini [ovs] local_ip": ip,
        "/etc/neutron/plugins/ml2/openvswitch_agent.ini [securitygroup] firewall_driver": "iptables_hybrid",
      });
    }
    expect(docs.com1.services.map((s: any) => s.name)).toEqual([
      "neutron-openvswitch-agent",
      "neutron-l3-agent",
      "neutron-metadata-agent",
      "neutron-dhcp-agent",
    ]);
    expect(docs.ctrl1.services).toEqual([
      { name: "neutron-server", unit: "neutron-server", log: "/var/log/neutron/neutron-server.log", healthUrl: "http://127.0.0.1:9696/" },
    ]);
  });

  test("has a distributed and a legacy router, each with two subnets", () => {
    const stack = new ReferenceLabStack(Testing.app(), "x");
    const synthesized = Testing.synth(stack, true);
    expect(synthesized).toHaveResourceWithProperties({ tfResourceType: "openstack_networking_router_v2" }, { name: "reference-dvr", distributed: true });
    expect(synthesized).toHaveResourceWithProperties({ tfResourceType: "openstack_networking_router_v2" }, { name: "reference-legacy", distributed: false });
    expect(resourcesOf(doc, "openstack_networking_router_interface_v2")).toHaveLength(4);
    expect(resourcesOf(doc, "openstack_networking_subnet_v2").map(([, s]) => s.cidr).sort()).toEqual([
      "198.51.100.0/26",
      "198.51.100.128/26",
      "198.51.100.192/26",
      "198.51.100.64/26",
    ]);
  });

  test("pins VMs to com1 and com2 with fixed IPs per the topology table", () => {
    const vms = resourcesOf(doc, "openstack_compute_instance_v2").map(([, r]) => [r.name, r.availability_zone]);
    expect(vms.sort()).toEqual([
      ["reference-dvr-a-com1", "nova:com1"],
      ["reference-dvr-a-com2", "nova:com2"],
      ["reference-dvr-b-com2", "nova:com2"],
      ["reference-legacy-a-com1", "nova:com1"],
      ["reference-legacy-a-com2", "nova:com2"],
      ["reference-legacy-b-com2", "nova:com2"],
    ]);
    const ports = Object.fromEntries(resourcesOf(doc, "openstack_networking_port_v2").map(([, p]) => [p.name, p.fixed_ip[0].ip_address]));
    expect(ports["reference-dvr-a-com2"]).toBe("198.51.100.10");
    expect(ports["reference-dvr-a-com1"]).toBe("198.51.100.11");
    expect(ports["reference-dvr-b-com2"]).toBe("198.51.100.74");
  });

  test("writes the lab description output and runs the verifier last", () => {
    const description: LabDescription = JSON.parse(doc.output.reference_description.value);
    expect(description.rows.map((r) => r.id)).toEqual([
      "reference-dvr-same-node",
      "reference-dvr-cross-node",
      "reference-dvr-snat",
      "reference-dvr-floating-ip",
      "reference-legacy-same-node",
      "reference-legacy-cross-node",
      "reference-legacy-snat",
      "reference-legacy-floating-ip",
    ]);
    const [, verify] = resourcesOf(doc, "terraform_data").find(([, r]) => r.provisioner?.[0]?.["local-exec"])!;
    // Two local-execs: the first only stashes the (sensitive) SSH key for the second, the verifier,
    // which holds no sensitive value, so Terraform shows its table.
    const [stash, exec] = verify.provisioner.map((p: Record<string, { command: string; environment: Record<string, string> }>) => p["local-exec"]);
    expect(stash.command).toBe("npx --no-install dvr-lab verify --stash-keys dvr-lab-reports/reference/.keys --access-env DVR_LAB_ACCESS");
    expect(Object.keys(stash.environment).sort()).toEqual(["DVR_LAB_ACCESS", "DVR_LAB_SSH_KEY_COM1", "DVR_LAB_SSH_KEY_COM2", "DVR_LAB_SSH_KEY_CTRL1"]);
    expect(Object.values(stash.environment).filter((v) => v === "${var.ssh_private_key}")).toHaveLength(3);
    expect(exec.command).toContain("dvr-lab verify --description-env DVR_LAB_DESCRIPTION --access-env DVR_LAB_ACCESS");
    expect(exec.command).toContain("--keys-from dvr-lab-reports/reference/.keys");
    expect(JSON.stringify(exec.environment)).not.toContain("ssh_private_key");
    expect(JSON.parse(exec.environment.DVR_LAB_DESCRIPTION)).toEqual(description);
    expect(verify.depends_on.filter((d: string) => d.startsWith("openstack_compute_instance_v2."))).toHaveLength(6);
  });
});

describe("upstream layout (net1 dvr_snat without VMs, com1 + com2 dvr)", () => {
  const doc = synthUpstream();

  test("matches the snapshot", () => {
    expect(doc).toMatchSnapshot();
  });

  test("places no VM on the network node and four config pushes", () => {
    const hosts = resourcesOf(doc, "openstack_compute_instance_v2").map(([, r]) => r.availability_zone);
    expect(hosts).not.toContain("nova:net1");
    expect(new Set(hosts)).toEqual(new Set(["nova:com1", "nova:com2"]));
    expect(pushesOf(doc)).toHaveLength(4);
  });
});
