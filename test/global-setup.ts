/**
 * Runs once before the suites: says, in ONE line, which real suites this machine will skip and the
 * command that enables them (the suites themselves skip silently). Under DVR_LAB_REQUIRE_REAL=1
 * (CI as root) nothing is skipped: a missing prerequisite fails its suite instead.
 */
import { findTerraformToolchain, SETUP_COMMAND } from "../lib/toolchain/terraform";
import { cloudPrerequisitesSync } from "../lib/twin/cloud/cloud";
import { twinPrerequisitesSync } from "../lib/twin/twin";
import { realMachineProblem } from "./real/support/machine";

export default function globalSetup(): void {
  if (process.env.DVR_LAB_REQUIRE_REAL === "1") return;
  const skipped: string[] = [];
  const push = realMachineProblem();
  if (push) skipped.push(`config push on real Neutron (${push})`);
  const twin = twinPrerequisitesSync();
  if (twin.length) skipped.push(`lab twin (${twin.join(", ")})`);
  const cloud = cloudPrerequisitesSync().filter((m) => !twin.includes(m));
  if (cloud.length) skipped.push(`cloud twin (${cloud.join(", ")})`);
  const tf = findTerraformToolchain();
  if (typeof tf === "string") skipped.push(`real Terraform (${tf})`);
  if (skipped.length === 0) return;
  // eslint-disable-next-line no-console
  console.log(`\ndvr-lab: SKIPPING the real suites: ${skipped.join("; ")}. Enable them with: ${SETUP_COMMAND} && sudo npm test\n`);
}
