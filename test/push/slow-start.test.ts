/**
 * The push's health gate on a SLOW machine (no root; remote/dvr_push.py with a `systemctl` shim on
 * PATH and a fake agent): the agent needs longer than settleSeconds (5 s of silence, settleSeconds
 * 3) before its first log line, then dies with a CRITICAL line (as the L3 agent does with
 * agent_mode = dvr_snatt). The gate must count the settle time from the new process's first log
 * line, so it catches the death, rolls back and exits 1; with a good value the same slow agent passes. (Seen in CI under load: the gate counted
 * from the restart command and passed before the agent died.)
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const PUSH = join(__dirname, "..", "..", "remote", "dvr_push.py");

/** The fake init: `restart` starts the agent (a bash loop), `is-active` checks its pid. */
const SYSTEMCTL = `#!/bin/bash
set -u
dir=$(dirname "$0")
case "$1" in
  restart)
    [ -f "$dir/agent.pid" ] && kill "$(cat "$dir/agent.pid")" 2>/dev/null
    setsid bash "$dir/agent.sh" >/dev/null 2>&1 < /dev/null &
    echo $! > "$dir/agent.pid" ;;
  is-active)
    kill -0 "$(cat "$dir/agent.pid")" 2>/dev/null ;;
  *) exit 1 ;;
esac
`;

/** Silent for DELAY seconds (imports, config parsing on a loaded machine), then judges its config. */
const AGENT = (dir: string, delay: number) => `#!/bin/bash
sleep ${delay}
echo "2026-12-01 00:00:00.000 1 INFO neutron.common.config [-] Logging enabled!" >> ${dir}/agent.log
sleep 0.5
if grep -q '^agent_mode = dvr_snatt' ${dir}/l3_agent.ini; then
  echo "2026-12-01 00:00:01.000 1 CRITICAL neutron [-] Unhandled error: ValueError: Valid values are [dvr, dvr_snat, legacy, dvr_no_external], but found 'dvr_snatt'" >> ${dir}/agent.log
  exit 1
fi
echo "2026-12-01 00:00:01.000 1 INFO neutron.agent.l3.agent [-] L3 agent started" >> ${dir}/agent.log
exec sleep 300
`;

function setup(delay: number) {
  const dir = mkdtempSync(join(tmpdir(), "dvr-lab-slow-start-"));
  writeFileSync(join(dir, "systemctl"), SYSTEMCTL);
  chmodSync(join(dir, "systemctl"), 0o755);
  writeFileSync(join(dir, "agent.sh"), AGENT(dir, delay));
  writeFileSync(join(dir, "l3_agent.ini"), "[DEFAULT]\n# seeded\nagent_mode = legacy\n");
  writeFileSync(join(dir, "agent.log"), "");
  const doc = (mode: string) => ({
    schema: "dvr-lab/push@1",
    node: "slow1",
    role: "dvr_snat",
    release: "zed",
    serviceManager: "systemd",
    settleSeconds: 3,
    apiTimeoutSeconds: 10,
    files: [{ path: join(dir, "l3_agent.ini"), services: ["l3"], settings: [{ section: "DEFAULT", key: "agent_mode", value: mode }] }],
    services: [{ name: "l3", unit: "neutron-l3-agent", log: join(dir, "agent.log") }],
  });
  const push = (mode: string) => {
    writeFileSync(join(dir, "desired.json"), JSON.stringify(doc(mode)));
    return spawnSync("python3", [PUSH, join(dir, "desired.json")], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, timeout: 120000 });
  };
  const cleanup = () => {
    try {
      const pid = Number(readFileSync(join(dir, "agent.pid"), "utf8"));
      process.kill(-pid, "SIGKILL");
    } catch {
      /* not running */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, push, cleanup };
}

test("an agent that starts slower than settleSeconds and then dies is caught: rollback, exit 1, the CRITICAL line named", () => {
  const t = setup(5); // 5 s of silence > settleSeconds 3
  try {
    const r = t.push("dvr_snatt");
    expect({ status: r.status, stderr: r.stderr.trim() }).toMatchObject({ status: 1 });
    expect(r.stderr).toContain("CRITICAL");
    expect(r.stderr).toContain("dvr_snatt");
    expect(readFileSync(join(t.dir, "l3_agent.ini"), "utf8")).toBe("[DEFAULT]\n# seeded\nagent_mode = legacy\n");
  } finally {
    t.cleanup();
  }
}, 120000);

test("the same slow agent with a good value passes the gate", () => {
  const t = setup(5);
  try {
    const r = t.push("dvr_snat");
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(readFileSync(join(t.dir, "l3_agent.ini"), "utf8")).toContain("agent_mode = dvr_snat\n");
    expect(readFileSync(join(t.dir, "agent.log"), "utf8")).toContain("L3 agent started");
  } finally {
    t.cleanup();
  }
}, 120000);
