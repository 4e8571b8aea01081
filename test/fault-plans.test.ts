/**
 * The fault plans (pure): what each fault does to the reference lab, as a stack edit or as calls on
 * the running lab (a recording FaultTarget). The real runs on the twin are test/lab/faults.test.ts.
 */
import { createHash } from "crypto";
import { descriptionFromStack } from "../lib/model/description-reader";
import { ProvisionerResource } from "../lib/push/provisioner-resource";
import { editPushDocument, FAULT_NAMES, FaultTarget, planFault, planFaults, resourcesNamed } from "../lib/twin/faults";
import { synthLayout } from "../lib/twin/lab";

const stack = synthLayout("reference");
const d = descriptionFromStack(stack);
const copy = () => JSON.parse(JSON.stringify(stack)) as Record<string, unknown>;

function pushOf(st: Record<string, unknown>, node: string) {
  const e = ProvisionerResource.entriesOf(st).find((x) => x.triggers.node === node && x.triggers.config_sha256)!;
  const content = ((e.body.provisioner as { file?: { content?: string } }[]).find((p) => p.file?.content)!.file!.content)!;
  return { address: e.address, triggers: e.triggers, content, doc: JSON.parse(content) as { files: { file: string; settings: { section: string; key: string; value: string }[] }[] } };
}

function setting(st: Record<string, unknown>, node: string, file: string, key: string): string | undefined {
  return pushOf(st, node).doc.files.find((f) => f.file === file)?.settings.find((s) => s.key === key)?.value;
}

/** A FaultTarget that records every call (routers r-dvr / r-legacy); `answer` gives a call's output. */
function recorder(answer: (call: string) => unknown = () => undefined) {
  const calls: string[] = [];
  const t: FaultTarget = {
    sh: async (host, script) => {
      calls.push(`sh ${host}: ${script}`);
      return (answer(calls[calls.length - 1]) as string | undefined) ?? "";
    },
    neutron: async <T>(method: string, path: string, body?: unknown) => {
      calls.push(`${method} ${path} ${JSON.stringify(body)}`);
      return (answer(calls[calls.length - 1]) ?? {}) as T;
    },
    routerIds: async () => ({ "reference-dvr": "r-dvr", "reference-legacy": "r-legacy" }),
    waitAgent: async (host, type, alive) => void calls.push(`wait ${host} ${type} ${alive ? "alive" : "dead"}`),
    waitL3Idle: async () => void calls.push("wait L3 idle"),
    clearVmRedirects: async () => void calls.push("flush VM redirects"),
  };
  return { t, calls };
}

describe("fault plans for the reference lab", () => {
  test("every fault says what it does, with this lab's names; an unknown one is refused with the list", () => {
    expect(Object.fromEntries(FAULT_NAMES.map((f) => [f, planFault(f, d).summary]))).toEqual({
      "legacy-instead-of-dvr":
        "router(s) reference-dvr converted to centralized by an admin through the Neutron API (admin_state_up false, distributed false, admin_state_up true); the description says distributed=true",
      "l3-agent-down": "com2's L3 agent stopped on the node after the apply (site setting agent_down_time = 30 s, so Neutron reports it dead in 30 s)",
      "no-dvr-flows": "com2's ConfigPush document in the stack sets [agent] enable_distributed_routing = False for its OVS agent (Terraform re-pushes com2)",
      "vm-on-wrong-host":
        "VM reference-dvr-a-com2's instance in the stack has availability_zone nova:com1, re-created there (terraform apply -replace: the provider ignores a change of the host part alone); the description pins it to com2",
      "no-l2pop-server":
        "ctrl1's ConfigPush document in the stack sets [ml2] mechanism_drivers without l2population, from the first apply on (the agents keep l2_population = True)",
      "qrouter-redirects":
        "com2's qrouter namespace(s) of reference-dvr set net.ipv4.conf.all.send_redirects = 1 on the node after the apply (as before Neutron adds the router's gateway on that node)",
      "qrouter-no-forwarding": "com2's qrouter namespace(s) of reference-dvr set net.ipv4.ip_forward = 0 on the node after the apply (the router gets the packets and drops them)",
      "qrouter-firewall-drop":
        "com2's qrouter namespace(s) of reference-dvr get an iptables rule \"-I FORWARD 1 -j DROP\" on the node after the apply (a stray firewall rule: the router gets the packets and drops them)",
      "vm-port-dead-vlan":
        "VM reference-dvr-b-com2's port on com2's br-int is moved to the OVS agent's dead VLAN 4095 after the apply (as the agent does with a port it cannot bind): OVS drops what the VM sends and what is sent to it",
      "qrouter-port-down":
        "com2's qrouter namespace of reference-dvr has its interface on reference-dvr-b (gateway 198.51.100.65) set down on the node after the apply (ip link set down); undone by bouncing the router (admin_state_up false, true) so that the L3 agent rebuilds what the down interface lost",
    });
    expect(() => planFault("nope", d)).toThrow(/unknown fault "nope" \(known: legacy-instead-of-dvr, .*qrouter-redirects, qrouter-no-forwarding, qrouter-firewall-drop, vm-port-dead-vlan, qrouter-port-down\)/);
  });

  test("each fault is either a stack edit or a change on the running lab, and a change is undone", () => {
    for (const f of FAULT_NAMES) {
      const p = planFault(f, d);
      expect([f, !!p.editStack !== !!p.inject]).toEqual([f, true]);
      if (p.inject) expect([f, typeof p.undo]).toEqual([f, "function"]);
    }
  });

  test("planFaults: the first-apply fault goes first, then the given order; repeats are refused", () => {
    expect(planFaults(["l3-agent-down", "no-l2pop-server", "vm-on-wrong-host"], d).map((p) => p.name)).toEqual(["no-l2pop-server", "l3-agent-down", "vm-on-wrong-host"]);
    expect(planFaults([...FAULT_NAMES], d).map((p) => p.name)[0]).toBe("no-l2pop-server");
    expect(() => planFaults(["l3-agent-down", "l3-agent-down"], d)).toThrow("fault l3-agent-down is given twice");
    expect(planFaults([], d)).toEqual([]);
  });

  test("no-dvr-flows edits com2's push document and its trigger exactly as a re-synth would; nothing else changes", () => {
    const st = copy();
    const before = pushOf(stack, "com2");
    expect(planFault("no-dvr-flows", d).editStack!(st)).toEqual([before.address]);
    const after = pushOf(st, "com2");
    expect(setting(stack, "com2", "openvswitch_agent.ini", "enable_distributed_routing")).toBe("True");
    expect(setting(st, "com2", "openvswitch_agent.ini", "enable_distributed_routing")).toBe("False");
    expect(after.triggers.config_sha256).toBe(createHash("sha256").update(after.content).digest("hex"));
    expect(after.triggers.config_sha256).not.toBe(before.triggers.config_sha256);
    expect(after.triggers.script_sha256).toBe(before.triggers.script_sha256);
    // Every other resource (the hook's description included) is as synthesized.
    const strip = (s: Record<string, unknown>) => {
      const c = JSON.parse(JSON.stringify(s)) as { resource: Record<string, Record<string, unknown>> };
      delete c.resource.terraform_data[before.address.split(".")[1]];
      return c;
    };
    expect(strip(st)).toEqual(strip(stack));
    expect(descriptionFromStack(st)).toEqual(d);
  });

  test("no-l2pop-server drops l2population from ctrl1's mechanism drivers (from the first apply), and restarts the OVS agents on undo", async () => {
    const p = planFault("no-l2pop-server", d);
    const st = copy();
    expect(p.fromFirstApply).toBe(true);
    expect(p.editStack!(st)).toEqual([pushOf(stack, "ctrl1").address]);
    expect(setting(stack, "ctrl1", "ml2_conf.ini", "mechanism_drivers")).toBe("openvswitch,l2population");
    expect(setting(st, "ctrl1", "ml2_conf.ini", "mechanism_drivers")).toBe("openvswitch");
    const r = recorder();
    await p.undo!(r.t);
    expect(r.calls).toEqual([
      "sh com1: systemctl restart neutron-openvswitch-agent",
      "sh com2: systemctl restart neutron-openvswitch-agent",
      "wait com1 Open vSwitch agent alive",
      "wait com2 Open vSwitch agent alive",
    ]);
  });

  test("vm-on-wrong-host moves the instance's availability_zone to the other VM host, and has it replaced", () => {
    const st = copy();
    const p = planFault("vm-on-wrong-host", d);
    expect(p.replaceEdited).toBe(true);
    const [addr] = p.editStack!(st);
    expect(addr).toMatch(/^openstack_compute_instance_v2\.DvrLab_Vm-reference-dvr-a-com2_Instance_/);
    expect(resourcesNamed(stack, "openstack_compute_instance_v2", "reference-dvr-a-com2")[0].body.availability_zone).toBe("nova:com2");
    expect(resourcesNamed(st, "openstack_compute_instance_v2", "reference-dvr-a-com2")[0].body.availability_zone).toBe("nova:com1");
  });

  test("l3-agent-down stops the agent and waits for Neutron to say so; undo starts it and waits for its router sync", async () => {
    const p = planFault("l3-agent-down", d);
    expect(p.serverSiteSettings).toEqual([{ section: "DEFAULT", key: "agent_down_time", value: "30" }]);
    const r = recorder();
    expect(await p.inject!(r.t)).toEqual(["stopped neutron-l3-agent on com2; Neutron reports its L3 agent dead"]);
    await p.undo!(r.t);
    expect(r.calls).toEqual(["sh com2: systemctl stop neutron-l3-agent", "wait com2 L3 agent dead", "sh com2: systemctl start neutron-l3-agent", "wait com2 L3 agent alive", "wait L3 idle"]);
  });

  test("legacy-instead-of-dvr converts the distributed router as an admin does, and back", async () => {
    const p = planFault("legacy-instead-of-dvr", d);
    const r = recorder();
    await p.inject!(r.t);
    await p.undo!(r.t);
    const put = (b: string) => `PUT /routers/r-dvr {"router":${b}}`;
    expect(r.calls).toEqual([
      put('{"admin_state_up":false}'),
      put('{"distributed":false}'),
      put('{"admin_state_up":true}'),
      "wait L3 idle",
      put('{"admin_state_up":false}'),
      put('{"distributed":true}'),
      put('{"admin_state_up":true}'),
      "wait L3 idle",
    ]);
  });

  test("qrouter-redirects turns redirects on in com2's qrouter of the DVR router; undo turns them off and flushes the VMs' caches", async () => {
    const p = planFault("qrouter-redirects", d);
    const r = recorder();
    expect(await p.inject!(r.t)).toEqual(["com2 qrouter-r-dvr (reference-dvr): net.ipv4.conf.all.send_redirects=1"]);
    await p.undo!(r.t);
    expect(r.calls).toEqual([
      "sh com2: ip netns exec qrouter-r-dvr sysctl -qw net.ipv4.conf.all.send_redirects=1",
      "sh com2: ip netns exec qrouter-r-dvr sysctl -qw net.ipv4.conf.all.send_redirects=0",
      "flush VM redirects",
    ]);
  });

  test("qrouter-no-forwarding turns forwarding off in com2's qrouter of the DVR router, and back on", async () => {
    const p = planFault("qrouter-no-forwarding", d);
    const r = recorder();
    expect(await p.inject!(r.t)).toEqual(["com2 qrouter-r-dvr (reference-dvr): net.ipv4.ip_forward=0"]);
    expect(await p.undo!(r.t)).toEqual(["com2 qrouter-r-dvr (reference-dvr): net.ipv4.ip_forward=1"]);
    expect(r.calls).toEqual(["sh com2: ip netns exec qrouter-r-dvr sysctl -qw net.ipv4.ip_forward=0", "sh com2: ip netns exec qrouter-r-dvr sysctl -qw net.ipv4.ip_forward=1"]);
  });

  test("qrouter-firewall-drop inserts a DROP rule at the top of FORWARD in com2's qrouter of the DVR router; undo deletes it", async () => {
    const p = planFault("qrouter-firewall-drop", d);
    const r = recorder();
    await p.inject!(r.t);
    await p.undo!(r.t);
    expect(r.calls).toEqual(["sh com2: ip netns exec qrouter-r-dvr iptables -I FORWARD 1 -j DROP", "sh com2: ip netns exec qrouter-r-dvr iptables -D FORWARD -j DROP"]);
  });

  test("vm-port-dead-vlan looks the VM's port up by its fixed IP, tags its tap 4095 and restores the tag it had", async () => {
    const p = planFault("vm-port-dead-vlan", d);
    await expect(p.undo!(recorder().t)).rejects.toThrow("fault vm-port-dead-vlan: nothing to undo (not injected)");
    const r = recorder((c) => (c.startsWith("GET /ports") ? { ports: [{ id: "0123456789abcdef" }] } : c.endsWith(" tag") ? "3\n" : undefined));
    expect(await p.inject!(r.t)).toEqual(["com2 br-int port tap0123456789a (VM reference-dvr-b-com2): tag 3 -> 4095"]);
    expect(await p.undo!(r.t)).toEqual(["com2 br-int port tap0123456789a (VM reference-dvr-b-com2): tag 4095 -> 3"]);
    expect(r.calls).toEqual([
      "GET /ports?fixed_ips=ip_address%3D198.51.100.74 undefined",
      "sh com2: ovs-vsctl get Port tap0123456789a tag",
      "sh com2: ovs-vsctl set Port tap0123456789a tag=4095",
      "sh com2: ovs-vsctl set Port tap0123456789a tag=3",
    ]);
    const twoPorts = recorder((c) => (c.startsWith("GET /ports") ? { ports: [{ id: "a" }, { id: "b" }] } : undefined));
    await expect(p.inject!(twoPorts.t)).rejects.toThrow("fault vm-port-dead-vlan: 2 ports have 198.51.100.74 (expected 1)");
  });

  test("qrouter-port-down sets down the qr- interface holding the target subnet's gateway; undo bounces the router and waits for the agent each way", async () => {
    const p = planFault("qrouter-port-down", d);
    const r = recorder((c) => (c.includes("awk") ? "qr-0123456789a\n" : undefined));
    expect(await p.inject!(r.t)).toEqual(["com2 qrouter-r-dvr (reference-dvr): qr-0123456789a (198.51.100.65, reference-dvr-b) set down"]);
    await p.undo!(r.t);
    expect(r.calls.map((c) => c.replace(/for _ in .*/, "for _ in ..."))).toEqual([
      `sh com2: ip netns exec qrouter-r-dvr ip -o -4 addr show | awk -v ip=198.51.100.65 '$4 ~ "^"ip"/" {print $2}'`,
      "sh com2: ip netns exec qrouter-r-dvr ip link set qr-0123456789a down",
      'PUT /routers/r-dvr {"router":{"admin_state_up":false}}',
      "sh com2: for _ in ...",
      'PUT /routers/r-dvr {"router":{"admin_state_up":true}}',
      "sh com2: for _ in ...",
      "wait L3 idle",
    ]);
    await expect(p.inject!(recorder(() => "").t)).rejects.toThrow(/no qr- interface holds 198\.51\.100\.65 in qrouter-r-dvr on com2/);
  });

  test("editPushDocument refuses a node the stack does not push", () => {
    expect(() => editPushDocument(copy(), "nope", { file: "ml2_conf.ini", section: "ml2", key: "x", value: () => "y" })).toThrow("fault: the stack has no ConfigPush for node nope");
  });
});
