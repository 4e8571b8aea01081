/**
 * UNIT tests of the INI editor in remote/dvr_push.py on fixture strings (fast, no root). Each case
 * runs under every python3 found (the one on PATH and Debian's /usr/bin/python3), since nodes
 * run the script with whatever python3 they have.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const SCRIPT = join(__dirname, "..", "..", "remote", "dvr_push.py");

const HARNESS = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("dvr_push", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
out = []
for case in json.load(sys.stdin):
    text, changes = mod.edit_text(case["text"], [tuple(s) for s in case["settings"]])
    out.append({"text": text, "changes": changes})
json.dump(out, sys.stdout)
`;

const pythons = [...new Set(["python3", "/usr/bin/python3"].filter((p) => p === "python3" || existsSync(p)).map((p) => {
  const r = spawnSync(p, ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
  return r.status === 0 ? realpathSync(r.stdout.trim()) : undefined;
}).filter((p): p is string => !!p))];

type Setting = [string, string, string];
interface Edit {
  text: string;
  changes: [string, string, string | null, string][];
}

function edit(python: string, text: string, settings: Setting[]): Edit {
  return editMany(python, [{ text, settings }])[0];
}

function editMany(python: string, cases: { text: string; settings: Setting[] }[]): Edit[] {
  const r = spawnSync(python, ["-c", HARNESS, SCRIPT], { input: JSON.stringify(cases), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${python}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const L3 = [
  "[DEFAULT]",
  "",
  "#",
  "# From neutron.base.agent",
  "#",
  "",
  "# Name of Open vSwitch bridge to use (string value)",
  "#ovs_integration_bridge = br-int",
  "",
  "ovs_use_veth = False",
  "",
  "# The agent mode. (string value)",
  "# Possible values:",
  "# dvr - enable DVR for an agent running on a compute node",
  "#agent_mode = legacy",
  "",
  "#external_network_bridge =",
  "",
  "[agent]",
  "",
  "#report_interval = 30",
  "",
  "[ovs]",
  "#ovsdb_connection = tcp:127.0.0.1:6640",
  "",
].join("\n");

test("there is a python3 to run the editor with", () => {
  expect(pythons.length).toBeGreaterThan(0);
});

describe.each(pythons)("INI editor of dvr_push.py under %s (unit)", (python) => {
  test("replaces an active key in place, touching no other line", () => {
    const r = edit(python, L3, [["DEFAULT", "ovs_use_veth", "True"]]);
    expect(r.text).toBe(L3.replace("ovs_use_veth = False", "ovs_use_veth = True"));
    expect(r.changes).toEqual([["DEFAULT", "ovs_use_veth", "False", "True"]]);
  });

  test("inserts the active line right after the commented default, keeping the comment", () => {
    const r = edit(python, L3, [["DEFAULT", "agent_mode", "dvr_snat"]]);
    expect(r.text).toBe(L3.replace("#agent_mode = legacy\n", "#agent_mode = legacy\nagent_mode = dvr_snat\n"));
    expect(r.changes).toEqual([["DEFAULT", "agent_mode", null, "dvr_snat"]]);
  });

  test('value "" writes `key =`', () => {
    const r = edit(python, L3, [["DEFAULT", "external_network_bridge", ""]]);
    expect(r.text).toBe(L3.replace("#external_network_bridge =\n", "#external_network_bridge =\nexternal_network_bridge =\n"));
    // ... and an empty active value counts as set to "" (no change the second time).
    expect(edit(python, r.text, [["DEFAULT", "external_network_bridge", ""]])).toEqual({ text: r.text, changes: [] });
  });

  test("appends a key without a commented default at the end of its section (before the blank lines)", () => {
    const r = edit(python, L3, [["agent", "extensions", "port_forwarding"]]);
    expect(r.text).toBe(L3.replace("#report_interval = 30\n", "#report_interval = 30\nextensions = port_forwarding\n"));
  });

  test("creates a missing section at the end of the file", () => {
    const r = edit(python, L3, [["securitygroup", "firewall_driver", "iptables_hybrid"]]);
    expect(r.text).toBe(L3 + "\n[securitygroup]\nfirewall_driver = iptables_hybrid\n");
    const noEol = edit(python, "[DEFAULT]\nfoo = 1", [["agent", "x", "y"]]);
    expect(noEol.text).toBe("[DEFAULT]\nfoo = 1\n\n[agent]\nx = y\n");
  });

  test("setting a key to the value it has leaves the text byte-identical (spacing, quotes, ':' separator)", () => {
    const text = '[DEFAULT]\nagent_mode=dvr\n[ovs]\nlocal_ip : 192.0.2.11\nbridge_mappings = "provider:br-ex"\n';
    const r = edit(python, text, [
      ["DEFAULT", "agent_mode", "dvr"],
      ["ovs", "local_ip", "192.0.2.11"],
      ["ovs", "bridge_mappings", "provider:br-ex"],
    ]);
    expect(r).toEqual({ text, changes: [] });
  });

  test("a second application of the same settings is a no-op", () => {
    const settings: Setting[] = [
      ["DEFAULT", "agent_mode", "dvr_snat"],
      ["DEFAULT", "interface_driver", "openvswitch"],
      ["agent", "l2_population", "True"],
      ["securitygroup", "firewall_driver", "iptables_hybrid"],
    ];
    const once = edit(python, L3, settings);
    expect(once.changes).toHaveLength(4);
    expect(edit(python, once.text, settings)).toEqual({ text: once.text, changes: [] });
  });

  test("duplicate sections: edits the last active occurrence (the value oslo.config uses)", () => {
    const text = "[DEFAULT]\nagent_mode = legacy\n[agent]\nx = 1\n[DEFAULT]\nagent_mode = dvr\ndebug = True\n";
    const r = edit(python, text, [["DEFAULT", "agent_mode", "dvr_snat"]]);
    expect(r.text).toBe(text.replace("agent_mode = dvr\n", "agent_mode = dvr_snat\n"));
    expect(r.changes).toEqual([["DEFAULT", "agent_mode", "dvr", "dvr_snat"]]);
    // Missing key with the section present twice: appended to the last occurrence.
    const r2 = edit(python, text, [["DEFAULT", "host", "com1"]]);
    expect(r2.text).toBe(text + "host = com1\n");
  });

  test("keys and sections match exactly as given (case-sensitive, like oslo.config), and a key in another section is not touched", () => {
    const text = "[DEFAULT]\nAgent_Mode = legacy\n[agent]\nagent_mode = dvr\n";
    const r = edit(python, text, [["DEFAULT", "agent_mode", "dvr_snat"]]);
    expect(r.text).toBe("[DEFAULT]\nAgent_Mode = legacy\nagent_mode = dvr_snat\n[agent]\nagent_mode = dvr\n");
  });

  test("a value with continuation lines is replaced whole", () => {
    const text = "[ml2]\nmechanism_drivers = openvswitch,\n  linuxbridge\ntype_drivers = vxlan\n";
    const r = edit(python, text, [["ml2", "mechanism_drivers", "openvswitch,l2population"]]);
    expect(r.text).toBe("[ml2]\nmechanism_drivers = openvswitch,l2population\ntype_drivers = vxlan\n");
  });

  test("does not take help text or other keys' comments for the key's commented default", () => {
    const text = "[DEFAULT]\n# agent_mode is the mode: see below\n#agent_mode_extra = 1\n\n";
    const r = edit(python, text, [["DEFAULT", "agent_mode", "dvr"]]);
    expect(r.text).toBe("[DEFAULT]\n# agent_mode is the mode: see below\n#agent_mode_extra = 1\nagent_mode = dvr\n\n");
  });

  test("keeps CRLF line endings of replaced lines", () => {
    const text = "[DEFAULT]\r\nagent_mode = legacy\r\n";
    expect(edit(python, text, [["DEFAULT", "agent_mode", "dvr"]]).text).toBe("[DEFAULT]\r\nagent_mode = dvr\r\n");
  });

  const shipped = "/usr/share/neutron-common/l3_agent.ini";
  (existsSync(shipped) ? test : test.skip)("on Debian's shipped l3_agent.ini: comments all kept, only the listed keys added", () => {
    const text = readFileSync(shipped, "utf8");
    const r = edit(python, text, [
      ["DEFAULT", "agent_mode", "dvr_snat"],
      ["DEFAULT", "interface_driver", "openvswitch"],
    ]);
    const comments = (t: string) => t.split("\n").filter((l) => l.startsWith("#"));
    expect(comments(r.text)).toEqual(comments(text));
    expect(r.text.split("\n").length).toBe(text.split("\n").length + 1);
    expect(r.text).toMatch(/^#agent_mode = legacy\nagent_mode = dvr_snat$/m);
  });
});

describe("dvr_push.py as a file (unit)", () => {
  const source = readFileSync(SCRIPT, "utf8");

  test("never round-trips files through configparser", () => {
    expect(source).not.toMatch(/^\s*(import|from)\s+configparser/m);
  });

  test("standard library only", () => {
    const imports = [...source.matchAll(/^\s*(?:import|from)\s+([a-zA-Z_.]+)/gm)].map((m) => m[1].split(".")[0]);
    const stdlib = new Set(["json", "os", "re", "subprocess", "sys", "tempfile", "time", "urllib"]);
    expect(imports.filter((i) => !stdlib.has(i))).toEqual([]);
  });

  test.each(pythons)("compiles under %s", (python) => {
    const r = spawnSync(python, ["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read(), feature_version=(3, 6))", SCRIPT], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("rejects a document of another schema with one line and exit 2", () => {
    const dir = mkdtempSync(join(tmpdir(), "dvr-lab-doc-"));
    const doc = join(dir, "desired.json");
    writeFileSync(doc, JSON.stringify({ schema: "other" }));
    const r = spawnSync(pythons[0], [SCRIPT, doc], { encoding: "utf8" });
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^dvr-lab push: \S+desired\.json is not a dvr-lab\/push@1 document/);
  });
});

describe("bash helpers of the real tests", () => {
  const shellcheck = spawnSync("shellcheck", ["--version"]).status === 0;
  (shellcheck ? test : test.skip)("are shellcheck-clean (shellcheck -x)", () => {
    const files = [join(__dirname, "support", "shims", "systemctl"), join(__dirname, "support", "fake-docker", "docker")];
    const r = spawnSync("shellcheck", ["-x", ...files], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
