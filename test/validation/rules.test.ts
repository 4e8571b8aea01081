import { App, Aspects, Testing, TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { configureProviders } from "../../lib/layouts/providers";
import {
  DvrLab,
  DvrLabProps,
  DvrLabRules,
  DvrLabSuppressions,
  DvrLabValidationError,
  DvrSnatNode,
  L3AgentMode,
  openstack,
  OpenStackRelease,
  LAB_RULES,
  releaseSettings,
  SshPrivateKey,
  SUPPRESSIONS_METADATA,
} from "../../lib";
import { annotations, labProps, labStack, node, ssh, stackWith, synthErrors } from "./support/lab";
import { thrown } from "./support/thrown";

const I001 =
  '[DVR-I001] DvrLab: vms ["t-dvr-a-com1","t-legacy-a-com1"] run on the dvr_snat node "com1", so the same-node rows are placed on the dvr node "com2"; nothing to do (docs/DVR.md §6.3)';
const W001 = (release: string) =>
  `[DVR-W001] DvrLab/com1: runsVms true puts VMs on a dvr_snat node, which is unsupported upstream after Wallaby (bug 1934666) and the release is ${release}; set runsVms: false and run VMs on dvr nodes (examples/upstream-layout), or suppress DVR-W001 with a reason to exercise this topology deliberately`;
const E001 =
  '[DVR-E001] DvrLab/ctrl1: mechanismDrivers ["openvswitch"] lacks l2population, so no VXLAN tunnel comes up with DVR; add "l2population" to mechanismDrivers (the default is ["openvswitch", "l2population"])';
const noL2pop = { controller: { hostName: "ctrl1", ssh: ssh(), mechanismDrivers: ["openvswitch"] } };


const withLab = (over: Partial<DvrLabProps>, then: (lab: DvrLab) => void) =>
  stackWith((s) => then(new DvrLab(s, "DvrLab", labProps(over))));

describe("DVR-W001: VMs on a dvr_snat node after Wallaby (release table vmsOnSnatNodeUnsupported)", () => {
  test("warns on Xena with the exact message", () => {
    expect(annotations(labStack({ release: OpenStackRelease.XENA }), "warning")).toEqual([W001("xena")]);
  });

  test("does not warn on Wallaby", () => {
    expect(annotations(labStack({ release: OpenStackRelease.WALLABY }), "warning")).toEqual([]);
  });

  test.each(OpenStackRelease.all().map((r) => [r.name, r] as const))("%s follows the release table", (_n, release) => {
    const warned = annotations(labStack({ release }), "warning").some((m) => m.startsWith("[DVR-W001]"));
    expect(warned).toBe(releaseSettings(release).vmsOnSnatNodeUnsupported);
  });

  test("does not warn when the dvr_snat node runs no VMs (upstream layout)", () => {
    const nodes = [
      node("net1", L3AgentMode.DVR_SNAT, "192.0.2.10", { runsVms: false }),
      node("com1", L3AgentMode.DVR, "192.0.2.11"),
      node("com2", L3AgentMode.DVR, "192.0.2.12"),
    ];
    expect(annotations(labStack({ release: OpenStackRelease.ZED, nodes }))).toEqual([]);
  });

  test("is a warning: the lab still synthesizes", () => {
    expect(synthErrors(labStack({ release: OpenStackRelease.ZED }))).toEqual([]);
  });
});

describe("suppressions (cdk-nag style: by id, with a reason, as construct metadata)", () => {
  test("a suppressed warning becomes an info that keeps the reason", () => {
    const stack = withLab({ release: OpenStackRelease.ZED }, (lab) =>
      DvrLabSuppressions.add(lab, [{ id: "DVR-W001", reason: "the seed layout, on purpose" }]),
    );
    expect(annotations(stack)).toEqual([I001, "[DVR-W001] suppressed at DvrLab/com1: the seed layout, on purpose"]);
  });

  test("the suppression is node metadata of the construct, and the finding is reported as suppressed with its fields", () => {
    let lab!: DvrLab;
    const stack = withLab({ release: OpenStackRelease.ZED }, (l) => {
      lab = l;
      DvrLabSuppressions.add(l, [{ id: "DVR-W001", reason: "the seed layout, on purpose" }]);
    });
    expect(lab.node.metadata.filter((m) => m.type === SUPPRESSIONS_METADATA).map((m) => m.data)).toEqual([[{ id: "DVR-W001", reason: "the seed layout, on purpose" }]]);
    expect(DvrLabSuppressions.of(lab)).toEqual([{ id: "DVR-W001", reason: "the seed layout, on purpose" }]);
    Testing.synth(stack, true);
    const w001 = DvrLabRules.findingsOf(stack).filter((r) => r.ruleId === "DVR-W001");
    expect(w001.map((r) => [r.level, r.finding.constructPath, r.finding.prop, r.finding.value, r.suppressed])).toEqual([
      ["warning", "DvrLab/com1", "runsVms", true, { suppression: { id: "DVR-W001", reason: "the seed layout, on purpose" }, at: "DvrLab" }],
    ]);
    expect(w001[0].finding.message).toBe(W001("zed"));
    expect(DvrLabRules.findingsOf(stack).filter((r) => !r.suppressed).map((r) => r.ruleId)).toEqual(["DVR-I001"]);
  });

  test("a suppressed error no longer fails synth", () => {
    const stack = withLab(noL2pop, (lab) => DvrLabSuppressions.add(lab.controller, [{ id: "DVR-E001", reason: "testing the agent's refusal" }]));
    expect(synthErrors(stack)).toEqual([]);
    expect(annotations(stack, "info")).toContain("[DVR-E001] suppressed at DvrLab/ctrl1: testing the agent's refusal");
  });

  test("suppressing one rule leaves the others", () => {
    const stack = withLab({ ...noL2pop, release: OpenStackRelease.ZED }, (lab) =>
      DvrLabSuppressions.add(lab, [{ id: "DVR-W001", reason: "the seed layout, on purpose" }]),
    );
    expect(synthErrors(stack)).toEqual([E001]);
  });

  test("DvrLabRules.suppress (deprecated) is the same suppression", () => {
    const stack = withLab(noL2pop, (lab) => DvrLabRules.suppress(lab.controller, [{ id: "DVR-E001", reason: "testing the agent's refusal" }]));
    expect(synthErrors(stack)).toEqual([]);
  });

  test("an unknown rule id is refused", () => {
    const e = thrown(() => withLab({}, (lab) => DvrLabSuppressions.add(lab, [{ id: "DVR-W999", reason: "no such rule here" }])));
    expect((e as Error).message).toBe(
      'DvrLab: suppressions[0].id "DVR-W999" is not a lab rule; use one of: DVR-E001, DVR-E002, DVR-E003, DVR-E004, DVR-E005, DVR-W001, DVR-W002, DVR-W003, DVR-W004, DVR-W005, DVR-W006, DVR-I001',
    );
    expect(e).toBeInstanceOf(DvrLabValidationError);
  });

  test("a suppression needs a reason: refused when added, with its fields", () => {
    for (const reason of ["ok", "", undefined]) {
      const e = thrown(() => withLab({}, (lab) => DvrLabSuppressions.add(lab, [{ id: "DVR-W001", reason: reason as string }]))) as DvrLabValidationError;
      expect([e.message, e.constructPath, e.prop, e.value]).toEqual([
        `DvrLab: suppressions[0].reason ${JSON.stringify(reason) ?? "undefined"} does not say why DVR-W001 does not apply here; give a reason of at least 10 characters`,
        "DvrLab",
        "suppressions[0].reason",
        reason,
      ]);
    }
  });

  test("a suppression without a reason written as metadata directly is not honoured: the rule reports, and the suppression fails synth", () => {
    const stack = withLab(noL2pop, (lab) => lab.controller.node.addMetadata(SUPPRESSIONS_METADATA, [{ id: "DVR-E001", reason: "" }]));
    expect(synthErrors(stack)).toEqual([
      'DvrLab/ctrl1: suppressions[0].reason "" does not say why DVR-E001 does not apply here; give a reason of at least 10 characters',
      E001,
    ]);
    expect(DvrLabRules.findingsOf(stack).filter((r) => r.ruleId === "DVR-E001").map((r) => r.suppressed)).toEqual([undefined]);
  });
});

describe("the rules cover the lab, not the rest of the stack", () => {
  const openSsh = (s: TerraformStack, id: string) => {
    const sg = new openstack.networkingSecgroupV2.NetworkingSecgroupV2(s, `${id}Group`, { name: id });
    return new openstack.networkingSecgroupRuleV2.NetworkingSecgroupRuleV2(s, id, {
      securityGroupId: sg.id,
      direction: "ingress",
      ethertype: "IPv4",
      protocol: "tcp",
      portRangeMin: 22,
      portRangeMax: 22,
      remoteIpPrefix: "0.0.0.0/0",
    });
  };

  test("a user's own security group rule beside the lab, open to 0.0.0.0/0, is not flagged (DVR-W003 only flags the lab's)", () => {
    const mine = stackWith((s) => {
      new DvrLab(s, "DvrLab", labProps());
      openSsh(s, "Bastion");
    });
    expect(annotations(mine, "warning")).toEqual([]);
    const both = stackWith((s) => {
      new DvrLab(s, "DvrLab", labProps({ sshSourceCidr: "0.0.0.0/0" }));
      openSsh(s, "Bastion");
    });
    expect(annotations(both, "warning")).toEqual([
      '[DVR-W003] DvrLab/Tenant/Ssh4: remoteIpPrefix "0.0.0.0/0" opens SSH to the whole internet; set sshSourceCidr to your admin network instead',
    ]);
  });

  test("the same rule outside a lab is flagged where the rules are applied", () => {
    const stack = stackWith((s) => {
      openSsh(s, "Bastion");
      Aspects.of(s).add(new DvrLabRules());
    });
    expect(annotations(stack, "warning")).toEqual([
      '[DVR-W003] Bastion: remoteIpPrefix "0.0.0.0/0" opens SSH to the whole internet; set sshSourceCidr to your admin network instead',
    ]);
  });

  test("DVR-E004 beside a lab: an output of the lab's key fails, an output of the user's own sensitive variable is theirs", () => {
    const stack = stackWith((s) => {
      const key = new TerraformVariable(s, "ssh_key", { type: "string", sensitive: true });
      const token = new TerraformVariable(s, "api_token", { type: "string", sensitive: true });
      new DvrLab(s, "DvrLab", labProps({ controller: { hostName: "ctrl1", ssh: ssh({ privateKey: SshPrivateKey.fromVariable(key) }) } }));
      new TerraformOutput(s, "leak", { value: key.stringValue });
      new TerraformOutput(s, "mine", { value: token.stringValue });
    });
    expect(synthErrors(stack)).toEqual([
      '[DVR-E004] leak: sensitive false on an output that carries the sensitive variable "ssh_key"; set sensitive: true on the output, or do not output the credential',
    ]);
  });
});

describe("error rules fail synth", () => {
  test("DVR-E001 mechanism drivers without l2population fails Testing.synth(stack, true)", () => {
    expect(synthErrors(labStack(noL2pop))).toEqual([E001]);
    expect(annotations(labStack(noL2pop), "error")).toEqual([E001]);
  });

  test("DVR-E001 fails a real `cdktf synth` (app.synth())", () => {
    const outdir = mkdtempSync(join(tmpdir(), "dvr-lab-rules-"));
    try {
      const app = new App({ outdir });
      const stack = new TerraformStack(app, "s");
      configureProviders(stack);
      new DvrLab(stack, "DvrLab", labProps(noL2pop));
      expect(() => app.synth()).toThrow(`[s/DvrLab/ctrl1] ${E001}`);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  test("DVR-E002 mechanism drivers without openvswitch", () => {
    const stack = labStack({ controller: { hostName: "ctrl1", ssh: ssh(), mechanismDrivers: ["linuxbridge", "l2population"] } });
    expect(synthErrors(stack)).toEqual([
      '[DVR-E002] DvrLab/ctrl1: mechanismDrivers ["linuxbridge","l2population"] lacks openvswitch; add "openvswitch" to mechanismDrivers',
    ]);
  });

  test("DVR-E003 the OVS firewall with DVR on Ocata", () => {
    const nodes = [node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11", { firewallDriver: "openvswitch" }), node("com2", L3AgentMode.DVR, "192.0.2.12")];
    expect(synthErrors(labStack({ nodes }))).toEqual([
      '[DVR-E003] DvrLab/com1: firewallDriver "openvswitch" breaks DVR east-west on ocata (bug 1696983); drop the override (the release table sets "iptables_hybrid"), or target pike or newer',
    ]);
    expect(synthErrors(labStack({ nodes, release: OpenStackRelease.PIKE }))).toEqual([]);
  });
});

describe("warning and info rules", () => {
  test("DVR-W002 a second dvr_snat node", () => {
    const nodes = [
      node("com1", L3AgentMode.DVR_SNAT, "192.0.2.11"),
      node("com2", L3AgentMode.DVR, "192.0.2.12"),
      node("net2", L3AgentMode.DVR_SNAT, "192.0.2.13", { runsVms: false }),
    ];
    expect(annotations(labStack({ nodes }), "warning")).toEqual([
      '[DVR-W002] DvrLab/net2: mode "dvr_snat" makes this the second dvr_snat node of lab "DvrLab" (the first is "DvrLab/com1"), so the scheduler may place legacy routers and SNAT on either; use one dvr_snat node, or suppress DVR-W002 and expect the snat and legacy rows to name the node the scheduler picked',
    ]);
  });

  test("DVR-W003 SSH open to 0.0.0.0/0 (and not for a narrow source)", () => {
    expect(annotations(labStack({ sshSourceCidr: "0.0.0.0/0" }), "warning")).toEqual([
      '[DVR-W003] DvrLab/Tenant/Ssh4: remoteIpPrefix "0.0.0.0/0" opens SSH to the whole internet; set sshSourceCidr to your admin network instead',
    ]);
    expect(annotations(labStack({ sshSourceCidr: "192.0.2.0/24" }), "warning")).toEqual([]);
  });

  test("DVR-W004 host key checking switched off, only when explicitly requested", () => {
    const stack = labStack({ controller: { hostName: "ctrl1", ssh: ssh({ hostKey: undefined, insecureSkipHostKeyCheck: true }) } });
    expect(annotations(stack, "warning")).toEqual([
      "[DVR-W004] DvrLab/ctrl1: ssh.insecureSkipHostKeyCheck true switches host key checking off; pass the node's host public key as ssh.hostKey and drop insecureSkipHostKeyCheck",
    ]);
    expect(synthErrors(stack)).toEqual([]);
    expect(annotations(labStack(), "warning")).toEqual([]);
  });

  test("DVR-W005 the same-node row on the dvr_snat node", () => {
    const vms = [
      { name: "d1", host: "com1", subnet: "t-dvr-a" },
      { name: "d2", host: "com1", subnet: "t-dvr-b" },
      { name: "d3", host: "com2", subnet: "t-dvr-a" },
      { name: "l1", host: "com2", subnet: "t-legacy-a" },
      { name: "l2", host: "com2", subnet: "t-legacy-b" },
      { name: "l3", host: "com1", subnet: "t-legacy-a" },
    ];
    expect(annotations(labStack({ vms }))).toEqual([
      '[DVR-W005] DvrLab: vms ["d1","d2"] put the same-node row of router "t-dvr" on the dvr_snat node "com1", where legacy and DVR routing look alike; put the same-node pair on the dvr node "com2" (the default placement does)',
    ]);
  });

  test("DVR-W006 a VXLAN tenant network above 1450", () => {
    const stack = labStack({ distributedRouter: { subnets: [{ name: "a", cidr: "10.0.0.0/24", mtu: 1500 }, { name: "b", cidr: "10.0.1.0/24" }] } });
    expect(annotations(stack, "warning")).toEqual([
      "[DVR-W006] DvrLab/Tenant/Net-a: mtu 1500 is above 1450 on a VXLAN network; make sure the underlay (and global_physnet_mtu) carries at least 1550 bytes, or leave mtu unset",
    ]);
  });

  test("DVR-I001 VMs on the dvr_snat node: the same-node rows go to the dvr node", () => {
    expect(annotations(labStack())).toEqual([I001]);
  });
});

describe("applying the rules", () => {
  const selfComposed = (withRules: boolean) =>
    stackWith((s) => {
      new DvrSnatNode(s, "net1", { hostName: "net1", tunnelIp: "192.0.2.1", ssh: ssh({ hostKey: undefined, insecureSkipHostKeyCheck: true }) });
      new DvrSnatNode(s, "net2", { hostName: "net2", tunnelIp: "192.0.2.2", ssh: ssh() });
      if (withRules) Aspects.of(s).add(new DvrLabRules());
    });

  test("on self-composed nodes with Aspects.of(scope).add(new DvrLabRules())", () => {
    expect(annotations(selfComposed(true))).toEqual([
      "[DVR-W004] net1: ssh.insecureSkipHostKeyCheck true switches host key checking off; pass the node's host public key as ssh.hostKey and drop insecureSkipHostKeyCheck",
      '[DVR-W002] net2: mode "dvr_snat" makes this the second dvr_snat node of stack "s" (the first is "net1"), so the scheduler may place legacy routers and SNAT on either; use one dvr_snat node, or suppress DVR-W002 and expect the snat and legacy rows to name the node the scheduler picked',
    ]);
  });

  test("only where applied (DvrLab applies them to itself)", () => {
    expect(annotations(selfComposed(false))).toEqual([]);
  });

  test("applied twice and synthesized twice, each finding is reported once", () => {
    const stack = withLab({ release: OpenStackRelease.ZED }, () => undefined);
    Aspects.of(stack).add(new DvrLabRules());
    Testing.synth(stack, true);
    expect(annotations(stack)).toEqual([I001, W001("zed")]);
  });
});

test("one rule per file: lib/rules/<id>-*.ts defines the rule of that id, and LAB_RULES applies each once", () => {
  const fs = require("fs") as typeof import("fs");
  const path = require("path") as typeof import("path");
  const dir = path.join(__dirname, "../../lib/rules");
  const files = fs.readdirSync(dir).filter((f) => /^[ewi]\d{3}-.*\.ts$/.test(f)).sort();
  const ids = files.map((f) => `DVR-${f.slice(0, 4).toUpperCase()}`);
  expect([...LAB_RULES.map((r) => r.id)].sort()).toEqual([...ids].sort());
  for (const f of files) {
    const mod = require(path.join(dir, f));
    const rules = Object.values(mod).filter((v: any) => v && typeof v.check === "function" && typeof v.id === "string");
    expect([f, rules.map((r: any) => r.id)]).toEqual([f, [`DVR-${f.slice(0, 4).toUpperCase()}`]]);
    expect(LAB_RULES).toContain(rules[0]);
  }
});
