/**
 * End-to-end verify run against a FAKE transport that replays recorded node outputs and a fake
 * Neutron answering from recorded JSON. This is a unit test of the whole pipeline; it proves
 * nothing about a real lab.
 */
import { causes, renderMarkdown } from "../../lib/verify/report";
import { plan, verify, withVmRoute } from "../../lib/verify/run";
import { QdhcpSshVmExecutor } from "../../lib/verify/vm-executor";
import { FakeNeutron, ReplayTransport, seedDescription } from "./fakes";

const noSleep = async () => undefined;
const fixedNow = () => new Date("2026-01-14T03:52:00Z");

function run(transport = new ReplayTransport(), neutron = new FakeNeutron(), options = {}) {
  const d = seedDescription();
  return verify(d, { transport, neutron, vm: new QdhcpSshVmExecutor({ user: "cirros", keyFileOnNode: "/root/.ssh/lab_vm" }), sleep: noSleep, now: fixedNow }, { pings: 5, ...options });
}

/**
 * The cross-node request forwarded by com2's qrouter (e.g. a VM that is really on com2): its five
 * marker packets added to com2's qrouter capture and its counter raised to match. Other outputs as
 * recorded; undefined when this edit does not apply.
 */
function com2RoutedCrossNode(host: string, kind: string, out: string): string | undefined {
  if (kind === "background-stop" && host === "com2") {
    const extra = [1, 2, 3, 4, 5]
      .map(
        (s) =>
          `03:51:0${s}.000001 qr-7c1d2e3f-4a In  ifindex 11 fa:16:3e:00:0a:01 ethertype IPv4 (0x0800), length 1167: 198.51.100.11 > 198.51.100.74: ICMP echo request, id 4102, seq ${s}, length 1127\n` +
          `03:51:0${s}.000002 qr-8d2e3f4a-5b Out ifindex 12 fa:16:3e:b0:00:01 ethertype IPv4 (0x0800), length 1167: 198.51.100.11 > 198.51.100.74: ICMP echo request, id 4102, seq ${s}, length 1127\n`,
      )
      .join("");
    return out.replace(/(### DVRLAB capture qrouter-[^\n]*\n)/, `$1${extra}`);
  }
  if (kind === "counters" && host === "com2" && out.includes("Ip: 1 64 458 0 0 418")) return out.replace("Ip: 1 64 458 0 0 418", "Ip: 1 64 463 0 0 423");
  return undefined;
}

describe("verify against replayed recordings of the seed lab", () => {
  test("every row passes with the evidence LAB-TWIN.md reports", async () => {
    const t = new ReplayTransport();
    const report = await run(t);
    expect(report.gate.ok).toBe(true);
    const summary = report.rows.map((r) => [r.id, r.verdict, r.directions.map((d) => d.observed.join(" + "))]);
    expect(summary).toEqual([
      ["r1-same-node", "pass", ["com2 qrouter", "com2 qrouter"]],
      ["r1-cross-node", "pass", ["com1 qrouter", "com2 qrouter"]],
      ["r1-snat", "pass", ["com2 qrouter + com1 snat", "com1 snat"]],
      ["r1-floating-ip", "pass", ["com2 qrouter + com2 fip", "com2 fip + com2 qrouter"]],
    ]);
    expect(report.exitCode).toBe(0);
    // the cross-node request crossed in the DESTINATION subnet's VNI with the SENDER's DVR MAC
    const cross = report.rows[1].directions;
    expect(cross[0].evidence.underlay).toMatchObject({ vnis: [1002], innerSources: [{ mac: "fa:16:3f:1b:6e:01", host: "com1", count: 5 }] });
    expect(cross[1].evidence.underlay).toMatchObject({ vnis: [1001], innerSources: [{ mac: "fa:16:3f:4c:92:02", host: "com2", count: 5 }] });
    // SNAT reply comes back from the sg- port (not a DVR MAC): reported, not held against the row
    expect(report.rows[2].directions[1].evidence.underlay.innerSources).toEqual([{ mac: "fa:16:3e:5b:00:0b", count: 5 }]);
  });

  test("probes are grouped: node commands = hosts x phases + one ping script per batch", async () => {
    const t = new ReplayTransport();
    await run(t);
    const kinds = t.commands.map((c) => `${c.host}:${c.kind}`);
    expect(kinds.filter((k) => k.endsWith(":snapshot"))).toEqual(["com1:snapshot", "com2:snapshot"]);
    expect(kinds.filter((k) => k.endsWith(":ping"))).toEqual(["com1:ping", "com1:ping"]); // warm-up + marked, via the DHCP node
    expect(t.commands).toHaveLength(2 + 2 * 4 + 2);
    const p = plan(seedDescription(), new QdhcpSshVmExecutor(), { pings: 5 });
    expect(p.filter((c) => c.host !== "neutron-api")).toHaveLength(t.commands.length);
    // window per row: more commands, still independent of VM pairs within a row
    expect(plan(seedDescription(), new QdhcpSshVmExecutor(), { window: "row" }).filter((c) => c.host !== "neutron-api")).toHaveLength(2 + 4 * (2 * 4 + 2));
  });

  test("the probes are the planned read-only commands with marker filters", async () => {
    const t = new ReplayTransport();
    await run(t);
    const job = t.captureJob("com2")!;
    expect(job).toContain("# dvr-lab:capture");
    expect(job).toContain("ip netns exec fip-5c1f7e2a-93d4-4b8e-a1c6-7d2e9f3b4a10 timeout");
    expect(job).toContain("'icmp and (ip[2:2]=1139 or ip[2:2]=1147 or ip[2:2]=1155 or ip[2:2]=1163)'");
    expect(job).toContain("'udp port 4789 and host 192.0.2.12 and (udp[32:2]=1139 or udp[32:2]=1147 or udp[32:2]=1155 or udp[32:2]=1163)'");
    const ping = t.commands.find((c) => c.kind === "ping" && / -c 5 /.test(c.text))!.text;
    expect(ping).toContain(
      "ip netns exec qdhcp-8a3d1c5e-2b4f-4e6a-9d7c-1f2e3a4b5c6d ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR -o ConnectTimeout=10 -i /root/.ssh/lab_vm cirros@198.51.100.10 'ping -c 5 -s 1111 -W 2 198.51.100.74; rc=$?; echo DVRLAB-ROUTE $(ip route get 198.51.100.74 2>&1 | head -n 2); exit $rc'",
    );
    // Right after an apply the DHCP agent may still be configuring a new network's namespace: the
    // ssh waits (up to 60 s) for the namespace's route to the VM instead of failing at once.
    expect(ping).toContain("i=0; until ip netns exec qdhcp-8a3d1c5e-2b4f-4e6a-9d7c-1f2e3a4b5c6d ip -4 route get 198.51.100.10 >/dev/null 2>&1 || [ $i -ge 60 ]; do sleep 1; i=$((i+1)); done; ip netns exec");
    for (const c of t.commands) {
      expect(c.text).not.toMatch(/\b(ip (link|addr|route|netns) (add|del|set)|iptables -[AIDFP]|sysctl -w)\b/);
      // ovs-vsctl only to read (`find`, `list`): no add/del/set/clear/remove of anything.
      for (const m of c.text.matchAll(/ovs-vsctl((?: --\S+)*) (\S+)/g)) expect(["find", "list"]).toContain(m[2]);
      // ovs-appctl only to read: the datapath's ports, and ofproto/trace (which changes no flow).
      for (const m of c.text.matchAll(/ovs-appctl (\S+)/g)) expect(["dpif/show", "ofproto/trace"]).toContain(m[1]);
    }
  });

  test("the other node routed: fail, not inconclusive", async () => {
    // Replace com1's cross-node evidence: the request was forwarded by com2's qrouter instead
    // (e.g. a VM that is really on com2), and com1's qrouter saw nothing.
    const t = new ReplayTransport(undefined, (host, kind, out) => {
      if (kind === "background-stop" && host === "com1") return out.replace(/^\d\d:\d\d:\S+ qr-.*198\.51\.100\.11 > 198\.51\.100\.74: ICMP echo request.*\n/gm, "");
      const misrouted = com2RoutedCrossNode(host, kind, out);
      if (misrouted !== undefined) return misrouted;
      return out;
    });
    const report = await run(t);
    const cross = report.rows.find((r) => r.id === "r1-cross-node")!;
    expect(cross.directions[0].verdict).toBe("fail");
    expect(cross.directions[0].observed).toEqual(["com2 qrouter"]);
    expect(cross.directions[0].reasons.join("\n")).toMatch(/com2 qrouter .* forwarded 5 marker packets .* not in routedAt/);
    expect(cross.verdict).toBe("fail");
    expect(report.exitCode).toBe(1);
  });

  test("captures unavailable (no tcpdump): inconclusive everywhere, never pass on counters or ping success", async () => {
    const t = new ReplayTransport(undefined, (_host, kind, out) =>
      kind === "background-stop" ? out.replace(/tcpdump: data link type[\s\S]*?snapshot length 262144 bytes\n/g, "sh: 1: tcpdump: not found\n").replace(/^\d\d:.*\n/gm, "") : out,
    );
    const report = await run(t);
    expect(report.rows.map((r) => r.verdict)).toEqual(["inconclusive", "inconclusive", "inconclusive", "inconclusive"]);
    expect(report.rows[0].ping).toMatchObject({ transmitted: 5, received: 5 });
    expect(report.rows[0].directions[0].reasons[0]).toMatch(/marker capture did not start/);
    expect(report.exitCode).toBe(3);
  });

  test("pings lost and no counter moved: inconclusive", async () => {
    const before = new ReplayTransport();
    const countersBefore: Record<string, string> = {};
    for (const h of ["com1", "com2"]) countersBefore[h] = (await before.run(h, { script: "# dvr-lab:counters\n" })).stdout;
    const t = new ReplayTransport(undefined, (host, kind, out, text) => {
      if (kind === "background-stop") return out.replace(/^\d\d:.*\n(?:[0-9a-f]{2}:.*\n)?/gm, ""); // no marker packet anywhere
      if (kind === "counters") return countersBefore[host]; // after == before
      if (kind === "ping" && / -c 5 /.test(text)) return out.replace(/5 packets received, 0%/g, "0 packets received, 100%");
      return out;
    });
    const report = await run(t);
    const same = report.rows[0];
    expect(same.verdict).toBe("inconclusive");
    expect(same.directions[0].reasons.join("\n")).toMatch(/no namespace forwarded a marker packet .*0\/5 answered/);
    expect(report.rows.every((r) => r.verdict === "inconclusive")).toBe(true);
    expect(report.exitCode).toBe(3);
  });

  test("a row left inconclusive is measured again (once by default) and the later window decides", async () => {
    const before = new ReplayTransport();
    const countersBefore: Record<string, string> = {};
    for (const h of ["com1", "com2"]) countersBefore[h] = (await before.run(h, { script: "# dvr-lab:counters\n" })).stdout;
    // The first window loses every marker packet (a data plane still converging); the second is the recording.
    const reads = new Map<string, number>();
    const seen = (host: string, kind: string) => {
      const n = reads.get(`${host}/${kind}`) ?? 0;
      reads.set(`${host}/${kind}`, n + 1);
      return n;
    };
    const firstWindowLost = () =>
      new ReplayTransport(undefined, (host, kind, out, text) => {
        if (kind === "background-stop") return seen(host, kind) === 0 ? out.replace(/^\d\d:.*\n(?:[0-9a-f]{2}:.*\n)?/gm, "") : out;
        if (kind === "counters") return seen(host, kind) < 2 ? countersBefore[host] : out;
        if (kind === "ping" && / -c 5 /.test(text) && seen(host, "marked") === 0) return out.replace(/5 packets received, 0%/g, "0 packets received, 100%");
        return out;
      });
    const t = firstWindowLost();
    const logged: string[] = [];
    const d = seedDescription();
    const vm = new QdhcpSshVmExecutor({ user: "cirros", keyFileOnNode: "/root/.ssh/lab_vm" });
    const slept: number[] = [];
    const sleep = async (ms: number) => void slept.push(ms);
    const report = await verify(d, { transport: t, neutron: new FakeNeutron(), vm, sleep, now: fixedNow, log: (l) => logged.push(l) }, { pings: 5 });
    expect(report.rows.map((r) => [r.id, r.verdict, r.window, r.attempts?.map((a) => [a.window, a.verdict])])).toEqual([
      ["r1-same-node", "pass", 1, [[0, "inconclusive"]]],
      ["r1-cross-node", "pass", 1, [[0, "inconclusive"]]],
      ["r1-snat", "pass", 1, [[0, "inconclusive"]]],
      ["r1-floating-ip", "pass", 1, [[0, "inconclusive"]]],
    ]);
    expect(report.exitCode).toBe(0);
    expect(report.settings.retries).toBe(1);
    expect(report.rows[0].attempts![0].reasons.join("\n")).toMatch(/^request: .*no namespace forwarded a marker packet .*0\/5 answered/m);
    expect(logged.join("\n")).toMatch(/window 2: 4 inconclusive row\(s\) measured again in 5 s \(attempt 2 of at most 2\): r1-same-node, r1-cross-node, r1-snat, r1-floating-ip/);
    expect(slept).toContain(5000);
    expect(t.commands.filter((c) => c.kind === "background-start")).toHaveLength(4); // two windows x two hosts
    const md = renderMarkdown(report);
    expect(md).toMatch(/measured again: window 1 was INCONCLUSIVE \(request: .*\); the lines below are window 2's/);
    expect(md).toMatch(/an inconclusive row is measured again up to 1 time\(s\) while nothing failed/);

    // retries 0: judged on the first window alone
    reads.clear();
    const once = await run(firstWindowLost(), new FakeNeutron(), { retries: 0 });
    expect(once.rows.every((r) => r.verdict === "inconclusive" && !r.attempts)).toBe(true);
    expect(once.exitCode).toBe(3);
  });

  test("no row is measured again once one failed (the run fails whatever a second window says)", async () => {
    // com2's qrouter forwarded the cross-node request (fail); com1 has no tcpdump, so the other rows
    // cannot rule out that com1 routed (inconclusive).
    const t = new ReplayTransport(undefined, (host, kind, out) => {
      if (kind === "background-stop" && host === "com1") return out.replace(/tcpdump: data link type[\s\S]*?snapshot length 262144 bytes\n/g, "sh: 1: tcpdump: not found\n").replace(/^\d\d:.*\n/gm, "");
      const misrouted = com2RoutedCrossNode(host, kind, out);
      if (misrouted !== undefined) return misrouted;
      return out;
    });
    const report = await run(t);
    expect(report.rows.map((r) => r.verdict)).toContain("fail");
    expect(report.rows.map((r) => r.verdict)).toContain("inconclusive");
    expect(report.rows.some((r) => r.attempts)).toBe(false);
    expect(t.commands.filter((c) => c.kind === "background-start")).toHaveLength(2);
  });

  test("the router ports not wired yet: the verifier waits for them before measuring; one never wired fails as router-wiring, at its hop", async () => {
    const R1 = "0b7e3c1a-5d2f-4e8a-9c61-2f4d8e7a1b90";
    const NET_B = "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e";
    /** r1's csnat port on net-b (the SNAT row's source subnet): DOWN for the first `down` lists. */
    const neutron = (down: number) => {
      let lists = 0;
      return new FakeNeutron("agents.json", (kind, objs) => {
        if (kind !== "router-ports") return objs;
        const status = lists++ < down ? "DOWN" : "ACTIVE";
        return [{ id: "5b000b00-0b0b-4b0b-8b0b-000000000b0b", device_id: R1, device_owner: "network:router_centralized_snat", status, fixed_ips: [{ subnet_id: NET_B }] }];
      });
    };
    const logged: string[] = [];
    const d = seedDescription();
    const vm = new QdhcpSshVmExecutor({ user: "cirros", keyFileOnNode: "/root/.ssh/lab_vm" });
    const t = new ReplayTransport();
    const waited = await verify(d, { transport: t, neutron: neutron(2), vm, sleep: noSleep, now: fixedNow, log: (l) => logged.push(l) }, { pings: 5 });
    expect(waited.exitCode).toBe(0);
    expect(t.commands.filter((c) => c.kind === "snapshot")).toHaveLength(3 * 2); // 3 rounds x com1, com2
    expect(logged).toContain("router wiring: every hop wired after 0 s");
    expect(logged.find((l) => l.startsWith("router wiring: waiting"))).toMatch(/for 1 of \d+: Neutron shows port sg-5b000b00-0b DOWN$/);
    expect(waited.structureChecks.filter((c) => c.id === "router-wiring").map((c) => [c.subject, c.ok])).toContainEqual(["com1 snat of r1 (snat-0b7e3c1a…)", true]);

    const never = await run(new ReplayTransport(), neutron(Infinity), { routerWiringWaitSeconds: 6 });
    expect(never.exitCode).toBe(1);
    expect(never.structureChecks.filter((c) => !c.ok).map((c) => [c.id, c.subject, c.actual])).toEqual([["router-wiring", "com1 snat of r1 (snat-0b7e3c1a…)", "Neutron shows port sg-5b000b00-0b DOWN"]]);
    expect(causes(never).join("\n")).toMatch(/^com1 snat of r1 \(snat-0b7e3c1a…\) was not wired when the data plane was measured: Neutron shows port sg-5b000b00-0b DOWN$/m);
    expect(never.notes.join(" ")).toMatch(/1 routing hop device\(s\) were still not wired after \d+ s/);
  });

  test("gate failure stops before any traffic (exit 1)", async () => {
    const t = new ReplayTransport();
    const neutron = new FakeNeutron("agents.json", (kind, objs) =>
      kind === "agents" ? objs.map((a) => (a.host === "com2" && a.agent_type === "L3 agent" ? { ...a, configurations: { agent_mode: "legacy" } } : a)) : objs,
    );
    const report = await run(t, neutron);
    expect(report.gate.ok).toBe(false);
    expect(t.commands).toHaveLength(0);
    expect(report.rows.every((r) => r.verdict === "inconclusive")).toBe(true);
    expect(report.exitCode).toBe(1);
  });
});

describe("ICMP redirects (a qrouter with net.ipv4.conf.all.send_redirects=1)", () => {
  const R1 = "qrouter-0b7e3c1a-5d2f-4e8a-9c61-2f4d8e7a1b90";
  const redirected = "DVRLAB-ROUTE 203.0.113.1 via 198.51.100.100 dev eth0 src 198.51.100.74 uid 0 cache <redirected> expires 297sec";
  const edit = (sendRedirects: string, route?: string) => (host: string, kind: string, out: string, text: string) => {
    if (kind === "snapshot") return out.replace("### DVRLAB end", `### DVRLAB redirects\n${R1} ${host === "com2" ? sendRedirects : "0"}\n### DVRLAB end`);
    if (kind === "ping" && / -c 5 /.test(text) && route) return out.replace(/(### DVRLAB ping r1-snat[\s\S]*?DVRLAB-RC 0\n)/, `$1${route}\n`);
    return out;
  };

  test("a redirecting qrouter fails the structure check, naming host, router and effect", async () => {
    const report = await run(new ReplayTransport(undefined, edit("1")));
    const checks = report.structureChecks.filter((c) => c.id === "qrouter-redirects");
    expect(checks.map((c) => [c.subject, c.ok])).toEqual([
      ["com1 qrouter of r1 (qrouter-0b7e3c1a…)", true],
      ["com2 qrouter of r1 (qrouter-0b7e3c1a…)", false],
    ]);
    expect(causes(report)[0]).toBe("com2 qrouter of r1 (qrouter-0b7e3c1a…) sends ICMP redirects: its VMs' SNAT traffic is redirected straight to the snat namespace (the router's gateway set-up on this node did not finish)");
    expect(report.verdict).toBe("fail");
    expect(report.exitCode).toBe(1);
  });

  test("send_redirects=0 everywhere: the check passes; no section (older probe): no check", async () => {
    const ok = await run(new ReplayTransport(undefined, edit("0")));
    expect(ok.structureChecks.filter((c) => c.id === "qrouter-redirects").every((c) => c.ok)).toBe(true);
    expect(ok.exitCode).toBe(0);
    const none = await run();
    expect(none.structureChecks.filter((c) => c.id === "qrouter-redirects")).toEqual([]);
  });

  test("the VM's route after its pings is recorded; a next hop other than its gateway is named", async () => {
    const report = await run(new ReplayTransport(undefined, edit("0", redirected)));
    const snat = report.rows.find((r) => r.id === "r1-snat")!;
    expect(snat.ping?.route).toBe("203.0.113.1 via 198.51.100.100 dev eth0 src 198.51.100.74 uid 0 cache <redirected> expires 297sec");
    // the recorded evidence still shows the qrouter routing: verdict kept, the route is noted last
    expect(snat.directions[0].verdict).toBe("pass");
    expect(snat.directions[0].reasons.at(-1)).toBe(
      "VM r1-b-com2 routes 203.0.113.1 (external) via 198.51.100.100, not its gateway 198.51.100.65 (its kernel holds an ICMP redirect: `cache <redirected>`): its packets skip com2's qrouter (route: 203.0.113.1 via 198.51.100.100 dev eth0 src 198.51.100.74 uid 0 cache <redirected> expires 297sec)",
    );
    expect(snat.directions[1].reasons.join("\n")).not.toMatch(/routes 203/);
  });

  test("a direction that did not pass gets the VM's route as its FIRST reason", () => {
    const d = seedDescription();
    const row = d.rows.find((r) => r.id === "r1-snat")!;
    const r = { direction: "request" as const, from: "r1-b-com2", to: "external", expected: [], observed: ["com1 snat"], verdict: "inconclusive" as const, reasons: ["com2 qrouter: 0 of 5 marker packets forwarded"], evidence: { namespaces: [], underlay: { frames: 0, innerSources: [], vnis: [] } } };
    const out = withVmRoute(d, row, row.directions[0], { key: "r1-snat", ran: true, transmitted: 5, received: 5, output: "", route: "203.0.113.1 via 198.51.100.100 dev eth0 src 198.51.100.74" }, r);
    expect(out.verdict).toBe("inconclusive");
    expect(out.reasons).toEqual([
      "VM r1-b-com2 routes 203.0.113.1 (external) via 198.51.100.100, not its gateway 198.51.100.65: its packets skip com2's qrouter (route: 203.0.113.1 via 198.51.100.100 dev eth0 src 198.51.100.74)",
      "com2 qrouter: 0 of 5 marker packets forwarded",
    ]);
    // via the gateway (BusyBox output: two spaces): unchanged
    expect(withVmRoute(d, row, row.directions[0], { key: "r1-snat", ran: true, transmitted: 5, received: 5, output: "", route: "203.0.113.1 via 198.51.100.65 dev eth0  src 198.51.100.74" }, r)).toBe(r);
  });
});

describe("underlay VNI of routed frames", () => {
  test("a DVR-MAC frame in another network's VNI contradicts the row: inconclusive, both VNIs named", async () => {
    // The cross-node request (routed by com1's qrouter, sender's DVR MAC) recorded in net-a's VNI instead of net-b's.
    const t = new ReplayTransport(undefined, (_host, kind, out) =>
      kind === "background-stop" ? out.replace(/(192\.0\.2\.1[12]\.\d+ > 192\.0\.2\.1[12]\.4789: VXLAN, flags \[I\] \(0x08\), vni )1002(\nfa:16:3f:1b:6e:01 > [^\n]*ICMP echo request, id \d+, seq \d+, length 1127)/g, "$11001$2") : out,
    );
    const report = await run(t);
    const req = report.rows.find((r) => r.id === "r1-cross-node")!.directions[0];
    expect(req.evidence.underlay.vnis).toEqual([1001]);
    expect(req.verdict).toBe("inconclusive");
    expect(req.reasons).toContain("underlay: routed frame(s) (inner source a DVR MAC) in VNI 1001, expected VNI 1002 (net-b): a routed frame crosses in the next hop's network");
    // the reply (com2's DVR MAC in net-a's VNI) is untouched and passes
    expect(report.rows.find((r) => r.id === "r1-cross-node")!.directions[1].verdict).toBe("pass");
  });
});
