import { writeFileSync } from "fs";
import { CloudPlan, keystoneUrl, REGION } from "./plan";
import { shq } from "../../verify/shell";

/**
 * The operator's client configuration, written into the state dir: clouds.yaml (cloud
 * `dvr-lab-<name>`) and an openrc with the same OS_* variables. The APIs listen inside the cloud's
 * network namespace, so the client runs there: `nsenter -t <pid> -n -- openstack ...` (state.json
 * names the pid).
 */

export const cloudName = (plan: CloudPlan) => `dvr-lab-${plan.name}`;

/** The OS_* variables of the admin user (project admin), as openrc exports them. */
export function osVariables(plan: CloudPlan): Record<string, string> {
  return {
    OS_AUTH_URL: `${keystoneUrl(plan)}/v3`,
    OS_USERNAME: "admin",
    OS_PASSWORD: plan.passwords.admin,
    OS_PROJECT_NAME: "admin",
    OS_USER_DOMAIN_NAME: "Default",
    OS_PROJECT_DOMAIN_NAME: "Default",
    OS_REGION_NAME: REGION,
    OS_IDENTITY_API_VERSION: "3",
    OS_INTERFACE: "public",
  };
}

const y = (s: string) => JSON.stringify(s);

export function writeClientFiles(plan: CloudPlan, files: { cloudsYaml: string; openrc: string }, holderPid: number): void {
  const v = osVariables(plan);
  writeFileSync(
    files.cloudsYaml,
    [
      `# dvr-lab cloud twin ${plan.name}: the APIs listen inside its network namespace (nsenter -t ${holderPid} -n)`,
      "clouds:",
      `  ${y(cloudName(plan))}:`,
      "    auth:",
      `      auth_url: ${y(v.OS_AUTH_URL)}`,
      `      username: ${y(v.OS_USERNAME)}`,
      `      password: ${y(v.OS_PASSWORD)}`,
      `      project_name: ${y(v.OS_PROJECT_NAME)}`,
      `      user_domain_name: ${y(v.OS_USER_DOMAIN_NAME)}`,
      `      project_domain_name: ${y(v.OS_PROJECT_DOMAIN_NAME)}`,
      `    region_name: ${y(REGION)}`,
      `    interface: ${y(v.OS_INTERFACE)}`,
      `    identity_api_version: ${v.OS_IDENTITY_API_VERSION}`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  writeFileSync(
    files.openrc,
    [
      `# dvr-lab cloud twin ${plan.name}: source it, then run the client in the cloud's network namespace:`,
      `#   nsenter -t ${holderPid} -n -- openstack token issue`,
      ...Object.entries(v).map(([k, val]) => `export ${k}=${shq(val)}`),
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
}
