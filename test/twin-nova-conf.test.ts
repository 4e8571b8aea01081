/**
 * The cloud twin's nova configuration files (lib/twin/cloud/nova.ts writeNovaConf): the scheduler
 * maps compute hosts itself (periodic host discovery from its start), computes have no database.
 */
import { mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { DISCOVER_INTERVAL_S, writeNovaConf } from "../lib/twin/cloud/nova";
import { planCloud } from "../lib/twin/cloud/plan";

test("nova.conf has periodic host discovery for the single scheduler; nova-compute.conf has neither it nor a database", () => {
  const dir = mkdtempSync(join(tmpdir(), "dvr-lab-nova-conf-"));
  try {
    const plan = planCloud({ name: "t", stateDir: dir });
    const files = { conf: join(dir, "nova.conf"), computeConf: join(dir, "nova-compute.conf"), hostConf: (h: string) => join(dir, `nova-${h}.conf`) };
    writeNovaConf(plan, files);
    const section = (text: string, name: string) => (text.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? "").trim();
    const control = readFileSync(files.conf, "utf8");
    expect(section(control, "scheduler")).toContain(`discover_hosts_in_cells_interval = ${DISCOVER_INTERVAL_S}`);
    expect(section(control, "DEFAULT")).toContain("periodic_fuzzy_delay = 0");
    expect(section(control, "api_database")).toContain("connection = ");
    const compute = readFileSync(files.computeConf, "utf8");
    expect(compute).not.toContain("discover_hosts_in_cells_interval");
    expect(compute).not.toContain("periodic_fuzzy_delay");
    expect(compute).not.toMatch(/^connection = /m);
    expect(readFileSync(files.hostConf("com1"), "utf8")).toContain("compute_driver = fake.FakeDriver");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
