/**
 * The push script ships ONCE per stack as a Terraform asset (cdktf TerraformAsset): every config push
 * uploads it by its stack-relative path; the per-node push document stays inline. The triggers change
 * when the script or a node's document changes, and only then.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { App, Testing } from "cdktf";
import { ReferenceLabStack } from "../lib/layouts/reference-lab";
import { UpstreamLayoutStack } from "../lib/layouts/upstream-layout";
import { pushesOf, synthReference } from "./support/synth";

const root = join(__dirname, "..");
const script = readFileSync(join(root, "remote/dvr_push.py"), "utf8");
const sha = require("crypto").createHash("sha256").update(script).digest("hex");
const ASSET = `assets/DvrLabPushScript/${sha}/dvr_push.py`;

test("every push uploads the one asset by path; no resource embeds the script", () => {
  const doc = synthReference();
  const pushes = pushesOf(doc);
  expect(pushes).toHaveLength(3);
  for (const [, r] of pushes) {
    expect(r.provisioner[0].file).toEqual({ source: ASSET, destination: "/tmp/dvr-lab-push.py" });
    expect(r.triggers_replace.script_sha256).toBe(sha);
    expect(JSON.parse(r.provisioner[1].file.content).node).toBe(r.triggers_replace.node);
  }
  expect(JSON.stringify(doc)).not.toContain("def push(doc"); // a line of the script
});

test("app.synth writes the asset once per stack, byte for byte the package's script, at the path the pushes name", () => {
  const out = mkdtempSync(join(tmpdir(), "dvr-lab-asset-"));
  try {
    const app = new App({ outdir: out });
    new ReferenceLabStack(app, "reference-lab");
    new UpstreamLayoutStack(app, "upstream-layout");
    app.synth();
    for (const stack of ["reference-lab", "upstream-layout"]) {
      const dir = join(out, "stacks", stack);
      expect(readFileSync(join(dir, ASSET), "utf8")).toBe(script);
      const doc = JSON.parse(readFileSync(join(dir, "cdk.tf.json"), "utf8"));
      expect(new Set(pushesOf(doc).map(([, r]) => r.provisioner[0].file.source))).toEqual(new Set([ASSET]));
      // No absolute or machine-specific path in what the pushes reference.
      expect(ASSET.startsWith("/")).toBe(false);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

describe("which pushes would re-run (their triggers_replace change)", () => {
  const triggers = (doc: any) => Object.fromEntries(pushesOf(doc).map(([, r]) => [r.triggers_replace.node, r.triggers_replace]));

  test("one byte more in the script: every push, and the asset path", () => {
    const before = triggers(synthReference());
    const dir = mkdtempSync(join(tmpdir(), "dvr-lab-script-"));
    try {
      const changed = join(dir, "dvr_push.py");
      writeFileSync(changed, script + "#");
      let after: any;
      let source = "";
      jest.isolateModules(() => {
        jest.doMock("../lib/push/remote-script", () => {
          const real = jest.requireActual("../lib/push/remote-script");
          return { ...real, remoteScript: () => script + "#", remoteScriptPath: () => changed };
        });
        const { ReferenceLabStack: Stack } = require("../lib/layouts/reference-lab");
        const { Testing: T } = require("cdktf");
        const doc = JSON.parse(T.synth(new Stack(T.app(), "reference-lab"), true));
        after = triggers(doc);
        source = pushesOf(doc)[0][1].provisioner[0].file.source;
      });
      for (const node of ["ctrl1", "com1", "com2"]) {
        expect(after[node].script_sha256).not.toBe(before[node].script_sha256);
        expect(after[node].config_sha256).toBe(before[node].config_sha256);
      }
      expect(source).not.toBe(ASSET);
      expect(source).toMatch(/^assets\/DvrLabPushScript\/[0-9a-f]{64}\/dvr_push\.py$/);
    } finally {
      jest.dontMock("../lib/push/remote-script");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("one node's document changed (com2's settle time): only com2's push", () => {
    const before = triggers(synthReference());
    // The reference example with one prop changed on com2 only (settleSeconds 6).
    const app = Testing.app();
    const { exampleLab } = require("../lib/layouts/example-lab");
    const { TerraformStack } = require("cdktf");
    const { L3AgentMode, OpenStackRelease } = require("../lib");
    const s = new TerraformStack(app, "reference-lab");
    exampleLab(s, {
      labName: "reference",
      release: OpenStackRelease.OCATA,
      nodes: (site: any) => [
        { hostName: "com1", mode: L3AgentMode.DVR_SNAT, tunnelIp: "192.0.2.11", ssh: site.ssh("com1") },
        { hostName: "com2", mode: L3AgentMode.DVR, tunnelIp: "192.0.2.12", dhcpAgent: true, ssh: site.ssh("com2"), settleSeconds: 6 },
      ],
    });
    const after = triggers(JSON.parse(Testing.synth(s, true)));
    expect(after.com2.config_sha256).not.toBe(before.com2.config_sha256);
    for (const node of ["ctrl1", "com1"]) expect(after[node]).toEqual(before[node]);
    expect(after.com2.script_sha256).toBe(before.com2.script_sha256);
  });
});

describe("the verify hook's trigger", () => {
  const hookOf = (doc: any) => Object.entries<any>(doc.resource.terraform_data).find(([k]) => k.includes("Verify"))![1];

  test("is the hash of the lab description it passes the verifier (the plan shows 64 hex digits, not the JSON)", () => {
    const hook = hookOf(synthReference());
    const description = hook.provisioner.at(-1)["local-exec"].environment.DVR_LAB_DESCRIPTION;
    expect(hook.triggers_replace).toEqual({ description_sha256: require("crypto").createHash("sha256").update(description).digest("hex") });
  });

  test("changes with the description and only then", () => {
    const { exampleLab } = require("../lib/layouts/example-lab");
    const { TerraformStack } = require("cdktf");
    const { L3AgentMode, OpenStackRelease } = require("../lib");
    const lab = (com2Tunnel: string, settle?: number) => {
      const s = new TerraformStack(Testing.app(), "reference-lab");
      exampleLab(s, {
        labName: "reference",
        release: OpenStackRelease.OCATA,
        nodes: (site: any) => [
          { hostName: "com1", mode: L3AgentMode.DVR_SNAT, tunnelIp: "192.0.2.11", ssh: site.ssh("com1") },
          { hostName: "com2", mode: L3AgentMode.DVR, tunnelIp: com2Tunnel, dhcpAgent: true, ssh: site.ssh("com2"), ...(settle ? { settleSeconds: settle } : {}) },
        ],
      });
      return hookOf(JSON.parse(Testing.synth(s, true))).triggers_replace.description_sha256;
    };
    const base = lab("192.0.2.12");
    expect(lab("192.0.2.12", 6)).toBe(base); // a push setting, not in the description
    expect(lab("192.0.2.13")).not.toBe(base); // a tunnel address is
  });
});
