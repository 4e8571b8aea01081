/**
 * The reliability bench (`npm run bench -- --repeat N`, bench/twin.ts): the signatures it reads from
 * a kept twin's logs, and the BENCHMARKS.md section it writes. No twin needed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { logFindings, repeatSection } from "../bench/twin";

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
});
