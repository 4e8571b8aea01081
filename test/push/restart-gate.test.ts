/**
 * The push's restarts and health gate with several services (no root; remote/dvr_push.py with a
 * `systemctl` shim on PATH and fake agents, one bash loop per unit): one service at a time, each
 * gated before the next starts; a failure restores the files and restarts them again. And the gate
 * judges the NEW process only: an agent stopped while it works logs CRITICAL as it dies (its privsep
 * helpers get the same SIGTERM), which is not the restarted agent's failure.
 */
import { spawnSync } from "child_process";
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

const PUSH = join(__dirname, "..", "..", "remote", "dvr_push.py");
const SETTLE = 3;

/** restart/is-active per unit; every call logged as "<epoch seconds> <verb> <unit>". */
const SYSTEMCTL = `#!/bin/bash
set -u
dir=$(dirname "$0")
verb=$1
unit=\${!#}
unit=\${unit%.service}
echo "$(date +%s.%N) $verb $unit" >> "$dir/calls.log"
pidfile=$dir/$unit.pid
case "$verb" in
  restart)
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      old=$(cat "$pidfile")
      kill -TERM "$old"
      while kill -0 "$old" 2>/dev/null; do sleep 0.05; done
    fi
    setsid bash "$dir/$unit.sh" >/dev/null 2>&1 < /dev/null &
    echo $! > "$pidfile" ;;
  is-active)
    kill -0 "$(cat "$pidfile")" 2>/dev/null ;;
  *) exit 1 ;;
esac
`;

/**
 * A neutron agent: logs its first line 0.3 s after start (importing neutron), dies with CRITICAL when
 * its config says so; stopped (SIGTERM), it logs a CRITICAL line as it goes when the file
 * `dying-words` exists.
 */
const AGENT = (dir: string, unit: string) => `#!/bin/bash
log=${dir}/${unit}.log
child=""
stopped() {
  if [ -e ${dir}/dying-words ]; then
    echo "2026-12-01 00:00:09.000 $$ CRITICAL oslo.privsep.daemon [-] privsep helper command exited non-zero (-15)" >> $log
  fi
  [ -n "$child" ] && kill "$child" 2>/dev/null
  exit 0
}
trap stopped TERM
sleep 0.3
echo "2026-12-01 00:00:00.000 $$ INFO neutron.common.config [-] Logging enabled!" >> $log
if grep -q '^value = ${unit}$' ${dir}/agent.ini; then
  echo "2026-12-01 00:00:01.000 $$ CRITICAL neutron [-] Unhandled error: ${unit} cannot start" >> $log
  exit 1
fi
sleep 300 &
child=$!
wait
`;

const UNITS = ["ovs", "l3", "metadata"];

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "dvr-lab-restart-gate-"));
  writeFileSync(join(dir, "systemctl"), SYSTEMCTL);
  chmodSync(join(dir, "systemctl"), 0o755);
  for (const u of UNITS) {
    writeFileSync(join(dir, `${u}.sh`), AGENT(dir, u));
    writeFileSync(join(dir, `${u}.log`), "");
  }
  writeFileSync(join(dir, "agent.ini"), "[DEFAULT]\nvalue = 0\n");
  const push = (value: string) => {
    const doc = {
      schema: "dvr-lab/push@1",
      node: "gate1",
      role: "dvr",
      release: "zed",
      serviceManager: "systemd",
      settleSeconds: SETTLE,
      apiTimeoutSeconds: 10,
      files: [{ path: join(dir, "agent.ini"), services: UNITS, settings: [{ section: "DEFAULT", key: "value", value }] }],
      services: UNITS.map((u) => ({ name: u, unit: u, log: join(dir, `${u}.log`) })),
    };
    writeFileSync(join(dir, "desired.json"), JSON.stringify(doc));
    writeFileSync(join(dir, "calls.log"), "");
    return spawnSync("python3", [PUSH, join(dir, "desired.json")], { encoding: "utf8", env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, timeout: 120000 });
  };
  /** The calls in order; `first`: the time of the first call "verb unit". */
  const calls = () =>
    readFileSync(join(dir, "calls.log"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [t, verb, unit] = l.split(" ");
        return { t: Number(t), what: `${verb} ${unit}` };
      });
  const first = (what: string) => calls().find((c) => c.what === what)!.t;
  const cleanup = () => {
    for (const f of readdirSync(dir).filter((n) => n.endsWith(".pid"))) {
      try {
        process.kill(-Number(readFileSync(join(dir, f), "utf8")), "SIGKILL");
      } catch {
        /* not running */
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, push, calls, first, cleanup };
}

test("one service at a time, in order: each restart waits for the one before to pass its gate", () => {
  const t = setup();
  try {
    const r = t.push("1");
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(t.first("restart l3") - t.first("restart ovs")).toBeGreaterThanOrEqual(SETTLE);
    expect(t.first("restart metadata") - t.first("restart l3")).toBeGreaterThanOrEqual(SETTLE);
    for (const u of UNITS) expect(r.stdout).toContain(`restarted ${u} (${u}) in `);
  } finally {
    t.cleanup();
  }
}, 120000);

test("a failure: restore, restart what was restarted again, one error naming the service; later services untouched", () => {
  const t = setup();
  try {
    const r = t.push("l3");
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^dvr-lab push gate1: l3 failed after setting .*agent\.ini \[DEFAULT\] value = l3: .* CRITICAL neutron \[-\] Unhandled error: l3 cannot start; restored previous files$/);
    expect(readFileSync(join(t.dir, "agent.ini"), "utf8")).toBe("[DEFAULT]\nvalue = 0\n");
    const restarts = t.calls().filter((c) => c.what.startsWith("restart ")).map((c) => c.what);
    expect(restarts).toEqual(["restart ovs", "restart l3", "restart ovs", "restart l3"]);
    expect(r.stdout).toContain("restarted again on the previous files: ovs ok; l3 ok");
  } finally {
    t.cleanup();
  }
}, 120000);

test("the old process's last words do not fail the restarted service's gate", () => {
  const t = setup();
  try {
    expect(t.push("1").status).toBe(0); // the agents run
    writeFileSync(join(t.dir, "dying-words"), "");
    const r = t.push("2");
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
    // The stopped agents did log CRITICAL as they went: the gate read past it.
    for (const u of UNITS) expect(readFileSync(join(t.dir, `${u}.log`), "utf8")).toContain("CRITICAL oslo.privsep.daemon");
    expect(readFileSync(join(t.dir, "agent.ini"), "utf8")).toBe("[DEFAULT]\nvalue = 2\n");
  } finally {
    t.cleanup();
  }
}, 120000);
