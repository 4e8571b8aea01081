import { completeFromState, newTally, parseTerraformJsonLine, progressLines } from "../../lib/toolchain/terraform-run";

// Lines as Terraform 1.11 prints them with -json (trimmed to the fields dvr-lab reads).
const planned = (addr: string, action = "create") => JSON.stringify({ type: "planned_change", "@level": "info", change: { resource: { addr }, action } });
const complete = (addr: string, action = "create", elapsed = 3) => JSON.stringify({ type: "apply_complete", hook: { resource: { addr }, action, elapsed_seconds: elapsed } });

test("parses -json lines and ignores anything else", () => {
  expect(parseTerraformJsonLine(planned("a.b"))?.type).toBe("planned_change");
  expect(parseTerraformJsonLine("Initializing the backend...")).toBeUndefined();
  expect(parseTerraformJsonLine("{not json")).toBeUndefined();
  expect(parseTerraformJsonLine('{"no":"type"}')).toBeUndefined();
});

test("the progress a person follows: the plan's summary, one counted line per finished resource, failures", () => {
  const t = newTally();
  const lines = [
    planned("openstack_networking_network_v2.a"),
    planned("terraform_data.DvrLab_ctrl1_ConfigPush_07D3A494"),
    JSON.stringify({ type: "change_summary", changes: { add: 2, change: 0, remove: 0, operation: "apply" } }),
    JSON.stringify({ type: "apply_start", hook: { resource: { addr: "openstack_networking_network_v2.a" }, action: "create" } }),
    complete("openstack_networking_network_v2.a", "create", 2),
    JSON.stringify({ type: "provision_progress", hook: { resource: { addr: "terraform_data.DvrLab_ctrl1_ConfigPush_07D3A494" }, provisioner: "remote-exec", output: "push: restarted neutron-server" } }),
    JSON.stringify({ type: "apply_errored", "@message": "terraform_data.DvrLab_ctrl1_ConfigPush_07D3A494: Creation errored after 9s", hook: { resource: { addr: "terraform_data.DvrLab_ctrl1_ConfigPush_07D3A494" } } }),
    JSON.stringify({ type: "diagnostic", diagnostic: { severity: "error", summary: "remote-exec provisioner error", detail: "exit status 1" } }),
    JSON.stringify({ type: "diagnostic", diagnostic: { severity: "warning", summary: "ignored" } }),
  ];
  const out = lines.flatMap((l) => progressLines(t, parseTerraformJsonLine(l)!));
  expect(out).toEqual([
    "apply: 2 added, 0 changed, 0 destroyed",
    "[1/2] created openstack_networking_network_v2.a (2 s)",
    "FAILED terraform_data.DvrLab_ctrl1_ConfigPush_07D3A494: terraform_data.DvrLab_ctrl1_ConfigPush_07D3A494: Creation errored after 9s",
    "error: remote-exec provisioner error: exit status 1",
  ]);
  expect(t.errors).toEqual(["remote-exec provisioner error: exit status 1"]);
  expect([...t.errored.keys()]).toEqual(["terraform_data.DvrLab_ctrl1_ConfigPush_07D3A494"]);
});

test("provisioner output is echoed only for the resources asked for (the verify hook's table)", () => {
  const t = newTally();
  const e = (addr: string) => parseTerraformJsonLine(JSON.stringify({ type: "provision_progress", hook: { resource: { addr }, provisioner: "local-exec", output: "row 1 PASS" } }))!;
  const echo = (a: string) => a.includes("Verify");
  expect(progressLines(t, e("terraform_data.DvrLab_Verify_AEE833A5"), echo)).toEqual(["  | row 1 PASS"]);
  expect(progressLines(t, e("terraform_data.DvrLab_com1_ConfigPush_7B5AD9D1"), echo)).toEqual([]);
});

test("of an echoed provisioner's output, only the lines echoOutput keeps are shown (the lab shows [verify] progress)", () => {
  const t = newTally();
  const e = (output: string) => parseTerraformJsonLine(JSON.stringify({ type: "provision_progress", hook: { resource: { addr: "terraform_data.V" }, provisioner: "local-exec", output } }))!;
  const keep = (o: string) => o.startsWith("[verify]");
  expect(progressLines(t, e("[verify] row a: pass"), () => true, keep)).toEqual(["  | [verify] row a: pass"]);
  expect(progressLines(t, e("  trace: com1 qrouter in 5"), () => true, keep)).toEqual([]);
  expect(progressLines(t, e("  trace: com1 qrouter in 5"), () => true)).toEqual(["  |   trace: com1 qrouter in 5"]);
});

test("data sources read during the plan are not counted as resources", () => {
  const t = newTally();
  const read = parseTerraformJsonLine(JSON.stringify({ type: "apply_complete", hook: { resource: { addr: "data.openstack_images_image_v2.I" }, action: "read", elapsed_seconds: 1 } }))!;
  expect(progressLines(t, read)).toEqual(["read data.openstack_images_image_v2.I (1 s)"]);
  expect(t.completed.size).toBe(0);
});

test("completeFromState: planned resources the output did not report finished count as completed when the state lists them", () => {
  const t = newTally();
  for (const a of ["terraform_data.A", "terraform_data.Verify", "openstack_networking_port_v2.P"]) t.planned.set(a, "create");
  t.completed.add("terraform_data.A");
  expect(completeFromState(t, ["terraform_data.A", "terraform_data.Verify", "data.openstack_images_image_v2.I"])).toEqual([
    { addr: "terraform_data.Verify", inState: true },
    { addr: "openstack_networking_port_v2.P", inState: false },
  ]);
  expect([...t.completed].sort()).toEqual(["terraform_data.A", "terraform_data.Verify"]);
  expect(completeFromState(t, [])).toEqual([{ addr: "openstack_networking_port_v2.P", inState: false }]);
});
