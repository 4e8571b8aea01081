import { spawnSync } from "child_process";
import { existsSync } from "fs";

/**
 * Can this machine run the real push tests? They need root, the Debian neutron agents (21, Zed),
 * crudini, oslo.config's tools, Open vSwitch's userspace daemons, sshd/ssh/scp and the right to put
 * an address on lo. Returns undefined when it can, else the reason.
 */
export function realMachineProblem(): string | undefined {
  if (process.platform !== "linux") return "not Linux";
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return "not root";
  const needed = [
    "/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/scp", "/usr/bin/ssh-keygen",
    "/usr/bin/crudini", "/usr/bin/oslo-config-validator", "/usr/bin/oslo-config-generator", "/usr/bin/python3",
    "/usr/sbin/ovsdb-server", "/usr/sbin/ovs-vswitchd", "/usr/bin/ovs-vsctl", "/usr/bin/ovsdb-tool",
    "/etc/init.d/neutron-openvswitch-agent", "/etc/init.d/neutron-l3-agent", "/etc/init.d/neutron-metadata-agent",
    "/etc/init.d/neutron-dhcp-agent", "/usr/share/neutron-common/l3_agent.ini", "/usr/share/neutron-metadata-agent/metadata_agent.ini",
  ];
  const missing = needed.filter((p) => !existsSync(p));
  if (missing.length) {
    return `missing ${missing.join(", ")} (apt-get install neutron-common neutron-l3-agent neutron-openvswitch-agent neutron-dhcp-agent neutron-metadata-agent openvswitch-switch crudini python3-oslo.config openssh-server openssh-client)`;
  }
  const probe = "192.0.2.254/32";
  const add = spawnSync("ip", ["addr", "add", probe, "dev", "lo"], { encoding: "utf8" });
  if (add.status !== 0) return `cannot add an address to lo (${(add.stderr || "").trim()}); CAP_NET_ADMIN is needed`;
  spawnSync("ip", ["addr", "del", probe, "dev", "lo"]);
  return undefined;
}

/**
 * `describe` when the machine can run the real tests, else `describe.skip` after ONE message.
 * With DVR_LAB_REQUIRE_REAL=1 a machine that cannot run them fails instead of skipping.
 */
export function describeReal(title: string, body: () => void): void {
  const problem = realMachineProblem();
  if (problem === undefined) {
    describe(title, body);
    return;
  }
  if (process.env.DVR_LAB_REQUIRE_REAL === "1") {
    describe(title, () => {
      test("machine can run the real push tests", () => {
        throw new Error(`DVR_LAB_REQUIRE_REAL=1 but this machine cannot run the real push tests: ${problem}`);
      });
    });
    return;
  }
  // Skipped silently: test/global-setup.ts has said once which real suites skip and why.
  describe.skip(title, body);
}
