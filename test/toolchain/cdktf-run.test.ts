/**
 * `cdktf deploy`'s human output read back into Terraform's events (lib/toolchain/cdktf-run.ts), on
 * a REAL captured run (fixtures/cdktf-deploy-tiny.txt: `cdktf deploy tiny --auto-approve
 * --skip-provider-lock --no-color`, cdktf-cli 0.21.0 with terraform 1.11.4, the stack prefix and
 * construct names as cdktf prints them) and on the lines a lab's run prints.
 */
import { readFileSync } from "fs";
import { join } from "path";
import { cdktfDeployArgs, cdktfDeployEvent, cdktfLineText } from "../../lib/toolchain/cdktf-run";
import { newTally, progressLines } from "../../lib/toolchain/terraform-run";

describe("cdktf deploy output", () => {
  test("a real run: the plan's resources and summary, each creation with the count so far, the provisioners' output, the apply's summary", () => {
    const lines = readFileSync(join(__dirname, "fixtures", "cdktf-deploy-tiny.txt"), "utf8").split("\n");
    const t = newTally();
    const out: string[] = [];
    for (const l of lines) {
      const e = cdktfDeployEvent(l, "tiny");
      if (e) out.push(...progressLines(t, e, (a) => a === "terraform_data.d1"));
    }
    expect([...t.planned]).toEqual([
      ["terraform_data.d0", "create"],
      ["terraform_data.d1", "create"],
      ["terraform_data.d2", "create"],
    ]);
    expect(out).toEqual([
      "plan: 3 to add, 0 to change, 0 to destroy",
      "terraform_data.d1: local-exec started",
      '  | Executing: ["/bin/sh" "-c" "echo hello 1; sleep 1; echo done 1"]',
      "  | hello 1",
      "[1/3] created terraform_data.d0 (1 s)",
      "  | done 1",
      "[2/3] created terraform_data.d1 (1 s)",
      "[3/3] created terraform_data.d2 (1 s)",
      "apply: 3 added, 0 changed, 0 destroyed",
    ]);
  });

  test("cdktf's stack prefix and continuation indent go; colours go", () => {
    expect(cdktfLineText("reference-lab  \x1b[0m\x1b[1mopenstack_networking_network_v2.x: Creating...\x1b[0m", "reference-lab")).toBe("openstack_networking_network_v2.x: Creating...");
    expect(cdktfLineText("      Plan: 1 to add, 0 to change, 0 to destroy.", "reference-lab")).toBe("Plan: 1 to add, 0 to change, 0 to destroy.");
  });

  test("replacements, updates, destructions, long elapsed times, remote-exec output and errors (also in Terraform's box)", () => {
    const ev = (l: string) => cdktfDeployEvent(l, "lab");
    expect(ev("lab    # terraform_data.hook (hook) must be replaced")).toEqual({ type: "planned_change", change: { resource: { addr: "terraform_data.hook" }, action: "replace" } });
    expect(ev("      # openstack_compute_instance_v2.vm will be updated in-place")?.change?.action).toBe("update");
    expect(ev("      # data.openstack_images_image_v2.img will be read during apply")?.change?.action).toBe("read");
    expect(ev("      openstack_compute_instance_v2.vm: Creation complete after 1m5s [id=abc]")?.hook).toEqual({ resource: { addr: "openstack_compute_instance_v2.vm" }, action: "create", elapsed_seconds: 65 });
    expect(ev("      openstack_networking_router_v2.r: Destruction complete after 3s")?.hook?.action).toBe("delete");
    expect(ev("      openstack_networking_router_v2.dvr (Lab_DvrRouter_1A2B3C): Modifications complete after 2s [id=x]")?.hook).toEqual({ resource: { addr: "openstack_networking_router_v2.dvr" }, action: "update", elapsed_seconds: 2 });
    expect(ev("      terraform_data.push (push) (remote-exec): Connected!")?.hook).toEqual({ resource: { addr: "terraform_data.push" }, provisioner: "remote-exec", output: "Connected!" });
    expect(ev("      terraform_data.push_com1 (remote-exec): dvr-push: com1: 2 files changed")?.hook).toEqual({ resource: { addr: "terraform_data.push_com1" }, provisioner: "remote-exec", output: "dvr-push: com1: 2 files changed" });
    expect(ev("lab  │ Error: local-exec provisioner error")).toEqual({ type: "diagnostic", diagnostic: { severity: "error", summary: "local-exec provisioner error" } });
    expect(ev("      Error: Error creating OpenStack server: 400")?.diagnostic?.summary).toBe("Error creating OpenStack server: 400");
    expect(ev("      terraform_data.x: Still creating... [10s elapsed]")).toBeUndefined();
  });

  test("the command: one stack, no prompt, no provider lock (the mirror has the providers), no colours", () => {
    expect(cdktfDeployArgs("reference-lab")).toEqual(["deploy", "reference-lab", "--auto-approve", "--skip-provider-lock", "--no-color"]);
  });
});
