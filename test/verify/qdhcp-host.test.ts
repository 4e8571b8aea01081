import { QdhcpSshVmExecutor } from "../../lib/verify/vm-executor";
import type { PingRequest, Transport, VmExecutorContext } from "../../lib/verify/types";
import { seedDescription } from "./fakes";

// With several DHCP agents Neutron schedules each network to ONE of them (dhcp_agents_per_network = 1):
// the VM hop must run on the node that has the network's qdhcp namespace.
// The seed runs one DHCP agent; here every VM host runs one, as the reference lab does.
const seed = seedDescription();
const d = { ...seed, hosts: seed.hosts.map((h) => (h.runsVms && !h.agents.includes("DHCP agent") ? { ...h, agents: [...h.agents, "DHCP agent"] } : h)) };
const dhcpHosts = d.hosts.filter((h) => h.agents.includes("DHCP agent")).map((h) => h.name);
const nets: Record<string, string> = Object.fromEntries(d.subnets.map((s, i) => [s.name, `net-${i}`]));

function ctx(namespaces: Record<string, string[]>, ran: { host: string; script: string }[]): VmExecutorContext {
  const transport = {
    run: async (host: string, cmd: { script: string }) => {
      ran.push({ host, script: cmd.script });
      return { stdout: "", stderr: "", code: 0 };
    },
  } as unknown as Transport;
  return { description: d, transport, networkIdOf: (s) => nets[s], namespacesOn: (h) => namespaces[h] ?? [] };
}

const pings = (): PingRequest[] => d.vms.map((vm, i) => ({ key: `r${i}`, vm, target: "192.0.2.200", count: 1, payloadSize: 56, waitSeconds: 1 }));

test("each VM is reached from the DHCP node that hosts its network's qdhcp namespace", async () => {
  expect(dhcpHosts.length).toBeGreaterThan(1);
  const [first, second] = dhcpHosts;
  // The first subnet's network is on the second DHCP node, every other network on the first.
  const firstNet = nets[d.subnets[0].name];
  const namespaces = { [first]: Object.values(nets).filter((n) => n !== firstNet).map((n) => `qdhcp-${n}`), [second]: [`qdhcp-${firstNet}`] };
  const ran: { host: string; script: string }[] = [];
  const out = await new QdhcpSshVmExecutor().ping(pings(), ctx(namespaces, ran));
  expect(out.map((o) => o.key)).toEqual(pings().map((p) => p.key));
  const onSecond = ran.find((r) => r.host === second)!.script;
  const onFirst = ran.find((r) => r.host === first)!.script;
  expect(onSecond).toContain(`qdhcp-${firstNet}`);
  expect(onSecond.match(/qdhcp-net-\d+/g)!.every((n) => n === `qdhcp-${firstNet}`)).toBe(true);
  expect(onFirst).not.toContain(`qdhcp-${firstNet}`);
});

test("an explicit viaHost wins, and an unknown namespace falls back to the first DHCP node", async () => {
  const ran: { host: string; script: string }[] = [];
  await new QdhcpSshVmExecutor({ viaHost: "ctrl1" }).ping(pings(), ctx({}, ran));
  expect(ran.map((r) => r.host)).toEqual(["ctrl1"]);
  const ran2: { host: string; script: string }[] = [];
  await new QdhcpSshVmExecutor().ping(pings(), ctx({}, ran2));
  expect(ran2.map((r) => r.host)).toEqual([dhcpHosts[0]]);
});
