import type { TopologyRow } from "../../lib/model/topology";
import type { VxlanFrame } from "../../lib/verify/parsers";
import {
  counterConfirmation,
  judgeDirection,
  traceLine,
  type JudgeContext,
  type NamespaceObservation,
  type PortObservation,
  type UnderlayObservation,
  type WindowEvidence,
} from "../../lib/verify/verdict";

/** Synthetic evidence for the seed lab's namespaces (router id "R", external network "E"). */
const QR = (host: string, delta: number, fwd: Record<string, number> = {}, started = true): NamespaceObservation => ({
  host, namespace: "qrouter-R", kind: "qrouter", owner: "r1", delta, captureStarted: started, forwarded: fwd,
});
const SNAT = (delta: number, fwd: Record<string, number> = {}): NamespaceObservation => ({
  host: "com1", namespace: "snat-R", kind: "snat", owner: "r1", delta, captureStarted: true, forwarded: fwd,
});

const crossRow: TopologyRow = {
  id: "r1-cross-node", kind: "cross-node", router: "r1", distributed: true, source: "vm1", target: "vm2",
  directions: [
    { direction: "request", from: "vm1", to: "vm2", routedAt: [{ host: "com1", namespace: "qrouter", router: "r1" }] },
    { direction: "reply", from: "vm2", to: "vm1", routedAt: [{ host: "com2", namespace: "qrouter", router: "r1" }] },
  ],
};
const legacyRow: TopologyRow = {
  ...crossRow, id: "r2-cross-node", router: "r1", distributed: false,
  directions: crossRow.directions.map((d) => ({ ...d, routedAt: [{ host: "com1", namespace: "qrouter" as const, router: "r1" }] })),
};

const ctx = (over: Partial<JudgeContext> = {}): JudgeContext => ({
  pings: 5,
  minForwarded: 5,
  namespaceOf: (hop) => `${hop.namespace}-R`,
  dvrMacs: { com1: "fa:16:3f:00:00:01", com2: "fa:16:3f:00:00:02" },
  vmHost: (vm) => ({ vm1: "com1", vm2: "com2" })[vm],
  rowOfLength: new Map([[1147, "r1-cross-node"], [1155, "r2-cross-node"]]),
  ping: { ran: true, transmitted: 5, received: 5 },
  ...over,
});

function judge(row: TopologyRow, ev: WindowEvidence, c = ctx()) {
  const confirmed = counterConfirmation(ev, c.minForwarded);
  return row.directions.map((d) => judgeDirection(row, d, ev, confirmed, c));
}

const frame = (src: string, icmp: "request" | "reply", seq: number, vni: number, len = 1147): VxlanFrame => ({
  outerSrc: "192.0.2.11", outerDst: "192.0.2.12", vni, innerSrcMac: src, innerDstMac: "fa:16:3e:00:00:09",
  src: "198.51.100.11", dst: "198.51.100.74", icmp, id: 1, seq, ipLength: len,
});

describe("verdict engine", () => {
  const good: WindowEvidence = {
    namespaces: [QR("com1", 5, { "r1-cross-node/request": 5 }), QR("com2", 5, { "r1-cross-node/reply": 5 }), SNAT(0)],
    underlay: [{ host: "com1", started: true, frames: [1, 2, 3, 4, 5].map((s) => frame("fa:16:3f:00:00:01", "request", s, 1002)) }],
    hostErrors: {},
  };

  test("pass: each direction forwarded >= N at its expected namespace, counters confirm, DVR MAC corroborates", () => {
    const [req, rep] = judge(crossRow, good);
    expect([req.verdict, rep.verdict]).toEqual(["pass", "pass"]);
    expect(req.observed).toEqual(["com1 qrouter"]);
    expect(req.evidence.underlay.innerSources).toEqual([{ mac: "fa:16:3f:00:00:01", host: "com1", count: 5 }]);
    expect(req.reasons.join("\n")).toMatch(/DVR MAC of com1 in VNI 1002/);
  });

  test("fail: the other node routed (legacy-style: both directions on com1)", () => {
    const ev: WindowEvidence = { ...good, namespaces: [QR("com1", 10, { "r1-cross-node/request": 5, "r1-cross-node/reply": 5 }), QR("com2", 0), SNAT(0)] };
    const [req, rep] = judge(crossRow, ev);
    expect(req.verdict).toBe("pass");
    expect(rep.verdict).toBe("fail");
    expect(rep.observed).toEqual(["com1 qrouter"]);
    expect(rep.reasons[0]).toMatch(/com1 qrouter \(qrouter-R\) forwarded 5 marker packets \(IpForwDatagrams \+10\); not in routedAt/);
  });

  test("inconclusive: pings lost and no counter moved", () => {
    const ev: WindowEvidence = { namespaces: [QR("com1", 0), QR("com2", 0), SNAT(0)], underlay: [], hostErrors: {} };
    const [req] = judge(crossRow, ev, ctx({ ping: { ran: true, transmitted: 5, received: 0 } }));
    expect(req.verdict).toBe("inconclusive");
    expect(req.reasons.join("\n")).toMatch(/no namespace forwarded a marker packet .*0\/5 answered/);
  });

  test("background noise below threshold never flips a verdict", () => {
    // com2's qrouter and the snat namespace count unrelated forwarding (DHCP, metadata, RA...):
    // counters move, but no marker packet was forwarded there.
    const noisy: WindowEvidence = { ...good, namespaces: [QR("com1", 7, { "r1-cross-node/request": 5 }), QR("com2", 9, { "r1-cross-node/reply": 5 }), SNAT(3)] };
    expect(judge(crossRow, noisy).map((d) => d.verdict)).toEqual(["pass", "pass"]);
    // unrelated rows' markers in the same namespace do not count for this row
    const otherRow: WindowEvidence = { ...good, namespaces: [...good.namespaces.slice(0, 2), SNAT(5, { "r1-snat/request": 5 })] };
    expect(judge(crossRow, otherRow).map((d) => d.verdict)).toEqual(["pass", "pass"]);
  });

  test("a counter that does not confirm the capture is not evidence of routing", () => {
    const ev: WindowEvidence = { ...good, namespaces: [QR("com1", 2, { "r1-cross-node/request": 5 }), QR("com2", 5, { "r1-cross-node/reply": 5 })] };
    const [req] = judge(crossRow, ev);
    expect(req.verdict).toBe("inconclusive");
    expect(req.reasons[0]).toMatch(/counter does not confirm/);
  });

  test("shared counters in one window: confirmation needs N per (row, direction) claimed", () => {
    // com2 qrouter claims the reply of this row and the request of another row (2 x 5) but moved +6
    const ev: WindowEvidence = { ...good, namespaces: [QR("com1", 5, { "r1-cross-node/request": 5 }), QR("com2", 6, { "r1-cross-node/reply": 5, "other/request": 5 })] };
    expect(judge(crossRow, ev)[1].verdict).toBe("inconclusive");
  });

  test("partial forwarding (3 of 5) at the expected namespace: inconclusive, not pass", () => {
    const ev: WindowEvidence = { ...good, namespaces: [QR("com1", 5, { "r1-cross-node/request": 5 }), QR("com2", 3, { "r1-cross-node/reply": 3 })] };
    const rep = judge(crossRow, ev, ctx({ ping: { ran: true, transmitted: 5, received: 3 } }))[1];
    expect(rep.verdict).toBe("inconclusive");
    expect(rep.reasons[0]).toMatch(/3 of 5 marker packets forwarded/);
  });

  test("capture missing in any namespace: inconclusive; missing host evidence: inconclusive", () => {
    const ev1: WindowEvidence = { ...good, namespaces: [QR("com1", 5, { "r1-cross-node/request": 5 }), QR("com2", 5, {}, false)] };
    expect(judge(crossRow, ev1).map((d) => d.verdict)).toEqual(["inconclusive", "inconclusive"]);
    const ev2: WindowEvidence = { ...good, hostErrors: { com2: "snapshot: exit 255: Host key verification failed." } };
    expect(judge(crossRow, ev2)[0].reasons[0]).toMatch(/no complete evidence from com2/);
  });

  test("expected namespace absent on its host: fail (it cannot have routed)", () => {
    const ev: WindowEvidence = { ...good, namespaces: [QR("com1", 5, { "r1-cross-node/request": 5 })] };
    const rep = judge(crossRow, ev)[1];
    expect(rep.verdict).toBe("fail");
    expect(rep.reasons[0]).toBe("expected namespace qrouter-R does not exist on com2");
  });

  test("underlay contradicts the namespaces: inconclusive", () => {
    const ev: WindowEvidence = { ...good, underlay: [{ host: "com2", started: true, frames: [frame("fa:16:3f:00:00:02", "request", 1, 1002)] }] };
    const [req] = judge(crossRow, ev);
    expect(req.verdict).toBe("inconclusive");
    expect(req.reasons.join("\n")).toMatch(/inner source is com2's DVR MAC/);
    // legacy rows must carry no DVR MAC at all
    const legacyEv: WindowEvidence = {
      namespaces: [QR("com1", 10, { "r2-cross-node/request": 5, "r2-cross-node/reply": 5 }), QR("com2", 0)],
      underlay: [{ host: "com1", started: true, frames: [frame("fa:16:3e:b0:00:01", "request", 1, 1002, 1155), frame("fa:16:3f:00:00:01", "reply", 1, 1001, 1155)] }],
      hostErrors: {},
    };
    const [lreq, lrep] = judge(legacyRow, legacyEv);
    expect(lreq.verdict).toBe("pass");
    expect(lrep.verdict).toBe("inconclusive");
    expect(lrep.reasons.join("\n")).toMatch(/legacy flow carries a DVR MAC/);
  });

  test("an expected router that received the markers and sent none out is where the path broke: fail, naming the hop and the interface", () => {
    // com2's qrouter with forwarding off: the reply comes in on its qr- port and goes nowhere.
    const ev: WindowEvidence = {
      namespaces: [
        QR("com1", 5, { "r1-cross-node/request": 5 }),
        { ...QR("com2", 0, {}), received: { "r1-cross-node/reply": 5 }, receivedOn: { "r1-cross-node/reply": ["qr-1a2b3c4d-5e"] } },
        SNAT(0),
      ],
      underlay: [],
      hostErrors: {},
    };
    const [req, rep] = judge(crossRow, ev, ctx({ ping: { ran: true, transmitted: 5, received: 0 } }));
    expect(req.verdict).toBe("pass");
    expect(rep.verdict).toBe("fail");
    expect(rep.reasons[0]).toBe("broken at com2 qrouter (qrouter-R): 5 marker packets in on qr-1a2b3c4d-5e, 0 out");
    expect(rep.evidence.namespaces.find((n) => n.host === "com2")).toMatchObject({ receivedMarked: 5, forwardedMarked: 0 });
    expect(rep.break).toMatchObject({ last: { host: "com2", kind: "namespace", stage: "in", count: 5 }, first: { host: "com2", kind: "namespace", stage: "out", count: 0 } });
    // Fewer than N in and none out: the markers that got there went no further: still the break.
    const few: WindowEvidence = { ...ev, namespaces: ev.namespaces.map((n) => (n.host === "com2" && n.kind === "qrouter" ? { ...n, received: { "r1-cross-node/reply": 2 } } : n)) };
    expect(judge(crossRow, few, ctx({ ping: { ran: true, transmitted: 5, received: 0 } }))[1].reasons[0]).toBe("broken at com2 qrouter (qrouter-R): 2 marker packets in on qr-1a2b3c4d-5e, 0 out");
    // Nothing in: no located break from the namespaces alone (the VM ports were not captured): inconclusive.
    const none: WindowEvidence = { ...ev, namespaces: ev.namespaces.map((n) => (n.host === "com2" && n.kind === "qrouter" ? { ...n, received: {} } : n)) };
    expect(judge(crossRow, none, ctx({ ping: { ran: true, transmitted: 5, received: 0 } }))[1].verdict).toBe("inconclusive");
  });

  test("no traffic generated: inconclusive; unresolved router id: inconclusive", () => {
    expect(judge(crossRow, good, ctx({ ping: { ran: false, transmitted: 0, received: 0 } }))[0].verdict).toBe("inconclusive");
    expect(judge(crossRow, good, ctx({ namespaceOf: () => undefined }))[0].reasons[0]).toMatch(/id not resolved/);
  });
});

describe("hop trace", () => {
  const port = (host: string, vm: string, fromVm: Record<string, number>, toVm: Record<string, number>, started = true): PortObservation => ({
    host, vm, device: `tap-${vm}`, started, fromVm, toVm,
  });
  const tunnelIpOf = (h: string) => ({ com1: "192.0.2.11", com2: "192.0.2.12" })[h];
  const underlayOn = (host: string, n: number): UnderlayObservation => ({
    host, started: true, frames: Array.from({ length: n }, (_, i) => frame("fa:16:3f:00:00:01", "request", i + 1, 1002)),
  });
  const healthy: WindowEvidence = {
    namespaces: [
      { ...QR("com1", 5, { "r1-cross-node/request": 5 }), received: { "r1-cross-node/request": 5 }, receivedOn: { "r1-cross-node/request": ["qr-a"] } },
      { ...QR("com2", 5, { "r1-cross-node/reply": 5 }), received: { "r1-cross-node/reply": 5 }, receivedOn: { "r1-cross-node/reply": ["qr-b"] } },
      SNAT(0),
    ],
    // Each frame seen on both ends (and twice on com1: a bridge and its port): counted once per host.
    underlay: [{ ...underlayOn("com1", 5), frames: [...underlayOn("com1", 5).frames, ...underlayOn("com1", 5).frames] }, underlayOn("com2", 5)],
    ports: [port("com1", "vm1", { "r1-cross-node/request": 5 }, { "r1-cross-node/reply": 5 }), port("com2", "vm2", { "r1-cross-node/reply": 5 }, { "r1-cross-node/request": 5 })],
    hostErrors: {},
  };
  const c = ctx({ tunnelIpOf });

  test("every observation point of the path, in order, with its count: VM port, router in/out, both underlay ends with VNI and inner MAC, target port", () => {
    const [req] = judge(crossRow, healthy, c);
    expect(req.verdict).toBe("pass");
    expect(req.break).toBeUndefined();
    expect(req.trace!.map(traceLine)).toEqual([
      "com1 VM vm1 port tap-vm1 sent: 5",
      "com1 qrouter (qrouter-R) in: 5 (on qr-a)",
      "com1 qrouter (qrouter-R) out: 5",
      "underlay com1 -> com2 sent at com1: 5 (VNI 1002, inner source fa:16:3f:00:00:01 (DVR MAC of com1))",
      "underlay com1 -> com2 received at com2: 5 (VNI 1002, inner source fa:16:3f:00:00:01 (DVR MAC of com1))",
      "com2 VM vm2 port tap-vm2 received: 5",
    ]);
  });

  test("a partial loss (5 then 3) is not a break; the direction keeps its verdict", () => {
    const ev: WindowEvidence = { ...healthy, ports: [healthy.ports![0], port("com2", "vm2", { "r1-cross-node/reply": 5 }, { "r1-cross-node/request": 3 })] };
    const [req] = judge(crossRow, ev, c);
    expect([req.verdict, req.break]).toEqual(["pass", undefined]);
  });

  test("markers that left the VM and never reached its router: fail, broken between the port and the router", () => {
    const ev: WindowEvidence = {
      ...healthy,
      namespaces: [QR("com1", 0), healthy.namespaces[1], SNAT(0)].map((n) => (n.host === "com1" && n.kind === "qrouter" ? { ...n, received: {} } : n)),
      underlay: [],
    };
    const [req] = judge(crossRow, ev, c);
    expect(req.verdict).toBe("fail");
    expect(req.reasons[0]).toBe("broken between com1 VM vm1 port tap-vm1 and com1 qrouter (qrouter-R): 5 marker packets left the VM, 0 in");
    expect(req.break?.first).toMatchObject({ host: "com1", kind: "namespace", stage: "in", namespace: "qrouter-R" });
  });

  test("routed where expected, sent on the underlay, never arrived: fail, broken on the underlay (routing alone is not a pass)", () => {
    const ev: WindowEvidence = { ...healthy, underlay: [underlayOn("com1", 5), { host: "com2", started: true, frames: [] }], ports: [healthy.ports![0], port("com2", "vm2", {}, {})] };
    const [req] = judge(crossRow, ev, c);
    expect(req.observed).toEqual(["com1 qrouter"]);
    expect(req.verdict).toBe("fail");
    expect(req.reasons).toContain(
      "broken on the underlay com1 -> com2: 5 VXLAN frames sent from com1 (VNI 1002, inner source fa:16:3f:00:00:01 (DVR MAC of com1)), 0 arrived at com2",
    );
  });

  test("routed, delivered across the underlay, not seen at the target's port: broken between the underlay and the VM", () => {
    const ev: WindowEvidence = { ...healthy, ports: [healthy.ports![0], port("com2", "vm2", { "r1-cross-node/reply": 5 }, {})] };
    const [req] = judge(crossRow, ev, c);
    expect(req.verdict).toBe("fail");
    expect(req.break?.text).toBe("broken between underlay com1 -> com2 (received at com2) and com2 VM vm2 port tap-vm2: 5 marker packets seen, 0 reached the VM");
  });

  test("a point that saw none BEFORE any point saw the markers is skipped, not a break: the break is where they stopped", () => {
    const ev: WindowEvidence = {
      ...healthy,
      namespaces: [{ ...QR("com1", 0), received: { "r1-cross-node/request": 5 }, receivedOn: { "r1-cross-node/request": ["qr-a"] } }, healthy.namespaces[1], SNAT(0)],
      underlay: [],
      ports: [port("com1", "vm1", {}, {}), port("com2", "vm2", {}, {})],
    };
    const [req] = judge(crossRow, ev, c);
    expect(req.verdict).toBe("fail");
    expect(req.reasons[0]).toBe("broken at com1 qrouter (qrouter-R): 5 marker packets in on qr-a, 0 out");
  });

  test("the source VM sent nothing (its port saw none): inconclusive, said so; a port capture that did not run is skipped", () => {
    const silent: WindowEvidence = {
      ...healthy,
      namespaces: [QR("com1", 0), QR("com2", 0), SNAT(0)].map((n) => ({ ...n, received: {} })),
      underlay: [],
      ports: [port("com1", "vm1", {}, {}), port("com2", "vm2", {}, {})],
    };
    const [req] = judge(crossRow, silent, ctx({ tunnelIpOf, ping: { ran: true, transmitted: 5, received: 0 } }));
    expect(req.verdict).toBe("inconclusive");
    expect(req.reasons.join("\n")).toMatch(/the source VM sent no marker packet of this direction \(its port com1 VM vm1 port tap-vm1 saw none\)/);
    const [unobserved] = judge(crossRow, { ...healthy, ports: [port("com1", "vm1", {}, {}, false), healthy.ports![1]] }, c);
    expect(unobserved.trace![0].count).toBeUndefined();
    expect(unobserved.verdict).toBe("pass");
  });
});
