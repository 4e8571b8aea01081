/**
 * The cloud twin's parts that need no root: the plan, the client files, the migration cache (key,
 * round trip, tampering), the nova_api scrub and the API error messages.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { osVariables, writeClientFiles } from "../../lib/twin/cloud/clients";
import { CACHED_DATABASES, CacheKey, loadDumps, storeDumps } from "../../lib/twin/cloud/migration-cache";
import { scrubNovaApiDump } from "../../lib/twin/cloud/nova";
import { dbUrl, planCloud, transportUrl } from "../../lib/twin/cloud/plan";
import { errorMessage } from "../../lib/twin/cloud/rest";

const plan = () => planCloud({ name: "parts", stateDir: "/var/lib/nowhere" });

describe("cloud twin parts", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cloud-parts-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("plan: TEST-NET or loopback only, random passwords, DB URLs over the socket", () => {
    expect(() => planCloud({ name: "x", stateDir: dir, ip: "10.0.0.1" })).toThrow("neither TEST-NET nor loopback");
    expect(() => planCloud({ name: "x", stateDir: dir, computeHosts: ["Bad_Host"] })).toThrow("bad compute host names");
    const a = plan();
    const b = plan();
    expect(a.passwords.admin).not.toBe(b.passwords.admin);
    expect(a.computeHosts).toEqual(["com1", "com2"]);
    expect(dbUrl(a, "nova_cell0")).toBe(`mysql+pymysql://nova:${a.passwords.db.nova}@localhost/nova_cell0?unix_socket=/run/mysqld/mysqld.sock`);
    expect(transportUrl(a)).toBe(`rabbit://openstack:${a.passwords.rabbit}@192.0.2.200:5672/`);
  });

  test("clouds.yaml and openrc carry the same admin credentials", () => {
    const p = plan();
    const files = { cloudsYaml: join(dir, "clouds.yaml"), openrc: join(dir, "openrc") };
    writeClientFiles(p, files, 4242);
    const yaml = readFileSync(files.cloudsYaml, "utf8");
    const rc = readFileSync(files.openrc, "utf8");
    expect(yaml).toContain('"dvr-lab-parts":');
    expect(yaml).toContain(`password: "${p.passwords.admin}"`);
    expect(yaml).toContain('auth_url: "http://192.0.2.200:5000/v3"');
    for (const [k, v] of Object.entries(osVariables(p))) expect(rc).toContain(`export ${k}=${v}\n`);
    expect(rc).toContain("nsenter -t 4242 -n");
  });

  test("migration cache: round trip, and a tampered or foreign entry is a miss", () => {
    const key: CacheKey = { key: "k1", inputs: { format: "f", "python3-nova": "2:26.2.2 files:abc" } };
    const dumps = Object.fromEntries(CACHED_DATABASES.map((db) => [db, `-- ${db}\nCREATE TABLE t (i int);\n`])) as Record<(typeof CACHED_DATABASES)[number], string>;
    expect(loadDumps(key, dir)).toBeUndefined();
    const at = storeDumps(key, dumps, dir);
    expect(loadDumps(key, dir)).toEqual(dumps);
    expect(loadDumps({ key: "k1", inputs: { ...key.inputs, "python3-nova": "2:26.2.3 files:abc" } }, dir)).toBeUndefined();
    writeFileSync(join(at, "nova.sql"), "-- changed\n");
    expect(loadDumps(key, dir)).toBeUndefined();
  });

  test("the nova_api dump keeps no transport URL or database password", () => {
    const p = plan();
    const dump = `INSERT INTO \`cell_mappings\` VALUES (1,'00000000-0000-0000-0000-000000000000','cell0','none:///','${dbUrl(p, "nova_cell0")}',0),(2,'u','cell1','${transportUrl(p)}','${dbUrl(p, "nova")}',0);\n`;
    const out = scrubNovaApiDump(p, dump);
    expect(out).not.toContain(p.passwords.rabbit);
    expect(out).not.toContain(p.passwords.db.nova);
    expect(out).toContain("'dvr-lab-cloud-placeholder:cell1-transport-url'");
    expect(() => scrubNovaApiDump(p, "INSERT INTO `cell_mappings` VALUES ();\n")).toThrow("lacks the cell mapping value");
  });

  test("API error messages: Keystone, Nova, Glance", () => {
    expect(errorMessage('{"error": {"code": 409, "message": "Conflict occurred", "title": "Conflict"}}')).toBe("Conflict: Conflict occurred");
    expect(errorMessage('{"conflictingRequest": {"code": 409, "message": "Flavor with name m1.tiny already exists."}}')).toBe("Flavor with name m1.tiny already exists.");
    expect(errorMessage("<html><body><h1>409 Conflict</h1>\n Image already exists</body></html>")).toBe("409 Conflict Image already exists");
  });
});
