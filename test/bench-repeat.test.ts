/**
 * The reliability bench (`npm run bench -- --repeat N`, bench/twin.ts): the signatures it reads from
 * a kept twin's logs, and the BENCHMARKS.md section it writes. No twin needed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { bringUpSection, bringUpTargets, BringUpRun, logFindings, repeatSection } from "../bench/twin";

describe("npm run bench -- --repeat N", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dvr-lab-repeat-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("logFindings counts the privsep race, a gone privsep daemon and CRITICAL lines per host and service", () => {
    const log = (host: string, file: string, text: string) => {
      mkdirSync(join(dir, "hosts", host, "log"), { recursive: true });
      writeFileSync(join(dir, "hosts", host, "log", file), text);
    };
    log("net1", "neutron-l3-agent.log", [
      "2026-12-02 14:10:01.781 16673 WARNING oslo.privsep.daemon [-] privsep log: greenlet.error: cannot switch to a different thread",
      "2026-12-02 14:11:35.690 16673 WARNING oslo_privsep.comm [-] Unexpected error: <class 'OSError'>: OSError: Premature eof waiting for privileged process",
      "2026-12-02 14:11:35.691 16673 ERROR neutron.agent.l3.agent OSError: Premature eof waiting for privileged process",
    ].join("\n"));
    log("com1", "neutron-dhcp-agent.log", "2026-12-02 14:10:01.000 1 INFO neutron.agent.dhcp.agent [-] DHCP agent started\n");
    log("com1", "neutron-dhcp-agent.out", "greenlet.error: cannot switch to a different thread\n"); // not a .log
    log("ctrl1", "neutron-server.log", "2026-12-02 14:10:01.000 1 CRITICAL neutron [-] Unhandled error\n");
    expect(logFindings(dir)).toEqual([
      { host: "ctrl1", service: "neutron-server", signature: "CRITICAL", count: 1 },
      { host: "net1", service: "neutron-l3-agent", signature: "privsep race (greenlet.error: cannot switch to a different thread)", count: 1 },
      { host: "net1", service: "neutron-l3-agent", signature: "privsep daemon gone (Premature eof; also left by the teardown)", count: 2 },
    ]);
    expect(logFindings(join(dir, "absent"))).toEqual([]);
  });

  test("the section counts passes and the longest streak; a failure shows its error and the logs' failure signatures in bold", () => {
    const s = repeatSection(
      {
        measured: true,
        layout: "upstream",
        runs: [
          { run: 1, exitCode: 0, seconds: 300.04, findings: [{ host: "com2", service: "neutron-l3-agent", signature: "privsep daemon gone (Premature eof; also left by the teardown)", count: 1 }] },
          { run: 2, exitCode: 1, seconds: 290, error: "terraform apply failed (exit 1): …\nmore", findings: [{ host: "net1", service: "neutron-l3-agent", signature: "privsep race (greenlet.error: cannot switch to a different thread)", count: 1 }] },
          { run: 3, exitCode: 0, seconds: 301, findings: [] },
          { run: 4, exitCode: 0, seconds: 299, findings: [] },
        ],
      },
      "2026-12-02",
    );
    expect(s).toContain("3 of 4 passed, longest run of consecutive passes 2.");
    expect(s).toContain("| 1 | PASS | 300.0 | com2 neutron-l3-agent: privsep daemon gone (Premature eof; also left by the teardown) x1 |");
    expect(s).toContain("| 2 | FAIL (exit 1): terraform apply failed (exit 1): … | 290.0 | **net1 neutron-l3-agent: privsep race (greenlet.error: cannot switch to a different thread) x1** |");
    expect(s).toContain("| 3 | PASS | 301.0 | none |");
    expect(repeatSection({ measured: false, reason: "not root (the twin needs uid 0)", layout: "reference", runs: [] }, "d")).toBe("## Lab twin, repeated\n\nNot measured: not root (the twin needs uid 0).\n\n");
  });

  describe("--bring-up", () => {
    const runOf = (run: number, over: Partial<BringUpRun>): BringUpRun => ({
      run,
      ok: true,
      exitCode: 0,
      seconds: 70,
      upSeconds: 50,
      cloudUpSeconds: 40,
      downSeconds: 2.5,
      cached: true,
      agents: { rows: 9, aliveUp: 9 },
      peakMemMiB: 3000,
      timings: { "hosts booted": 5, "agents alive (before the push)": 40 },
      findings: [],
      ...over,
    });

    test("the targets: cold and cached up, the moonshot, down, peak memory and the streak of passes", () => {
      const runs = [runOf(1, { cached: false, upSeconds: 80 }), runOf(2, { upSeconds: 44 }), runOf(3, { ok: false, exitCode: 1, error: "boom", upSeconds: 90 }), runOf(4, { upSeconds: 46, downSeconds: 3.1, peakMemMiB: 4000 })];
      expect(bringUpTargets({ measured: true, layout: "reference", runs })).toEqual([
        ["cloud up, cold (migrations run) < 120 s", "80.0 s", true],
        ["cloud up, cached migrations < 75 s (median)", "45.0 s (2 runs, max 46.0 s)", true],
        ["moonshot: cloud up <= 45 s (cached, median)", "45.0 s", true],
        ["down < 10 s (max)", "3.1 s", true],
        ["peak memory < 6 GiB (machine's used memory above the baseline, max)", "4000 MiB", true],
        ["20 consecutive bring-ups without a failure", "2 consecutive of 4", false],
      ]);
    });

    test("the section: targets, one row per run (a failure with its error, failure signatures in bold), milestones cold vs median cached", () => {
      const runs = [
        runOf(1, { cached: false, upSeconds: 80, timings: { "hosts booted": 6, "agents alive (before the push)": 70 } }),
        runOf(2, { ok: false, exitCode: 1, error: "dvr-lab twin: agents did not come up before the push:\n  - x", findings: [{ host: "com1", service: "neutron-dhcp-agent", signature: "privsep race (greenlet.error: cannot switch to a different thread)", count: 2 }] }),
        runOf(3, { upSeconds: 48.25 }),
      ];
      const s = bringUpSection({ measured: true, layout: "reference", runs }, "2026-12-02");
      expect(s.startsWith("## Cloud twin bring-up, repeated\n\n")).toBe(true);
      expect(s).toContain("`npm run bench -- --repeat 3 --bring-up --layout reference`");
      expect(s).toContain("| 20 consecutive bring-ups without a failure | 1 consecutive of 3 | **miss** |");
      expect(s).toContain("| 1 | PASS | cold | 80.0 | 40.0 | 2.5 | 9/9 | 3000 | none |");
      expect(s).toContain("| 2 | FAIL: dvr-lab twin: agents did not come up before the push: | cached | 50.0 | 40.0 | 2.5 | 9/9 | 3000 | **com1 neutron-dhcp-agent: privsep race (greenlet.error: cannot switch to a different thread) x2** |");
      expect(s).toContain("| agents alive (before the push) | 70 | 40 |");
      expect(bringUpSection({ measured: false, reason: "not root", layout: "reference", runs: [] }, "d")).toBe("## Cloud twin bring-up, repeated\n\nNot measured: not root.\n\n");
    });
  });
});
