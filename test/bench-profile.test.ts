/**
 * The bench's "where the time goes" tables (bench/cpu-profile.ts): program labels from command
 * lines, Neutron's access log grouped by call, and the sampler on this very process tree.
 */
import { spawn } from "child_process";
import { apiCallTimes, CpuSampler, profileSection, programLabel } from "../bench/cpu-profile";

describe("programLabel", () => {
  test.each([
    [["neutron-server: api worker (/usr/bin/python3 /usr/bin/neutron-server --config-file=/etc/neutron/neutron.conf)"], "neutron-server api worker"],
    [["/usr/bin/python3", "/usr/bin/neutron-server", "--config-file=/etc/neutron/neutron.conf"], "neutron-server"],
    [["neutron-openvswitch-agent (/usr/bin/python3 /usr/bin/neutron-openvswitch-agent --config-file=/etc/neutron/neutron.conf --log-file=/var/log/neutron/neutron-openvswitch-agent.log)"], "neutron-openvswitch-agent"],
    [["/usr/bin/python3", "/usr/bin/neutron-openvswitch-agent", "--config-file", "x"], "neutron-openvswitch-agent"],
    [["/usr/bin/python3", "/usr/bin/privsep-helper", "--config-file", "x"], "privsep daemons (agents)"],
    [["/usr/bin/uwsgi_python3", "--http-socket", "192.0.2.193:5000", "--wsgi-file", "/usr/bin/keystone-wsgi-public"], "keystone (uwsgi)"],
    [["/usr/bin/uwsgi_python3", "--wsgi-file", "/usr/bin/placement-api"], "placement (uwsgi)"],
    [["/usr/bin/python3", "/usr/bin/nova-compute", "--config-file", "/x/nova-compute.conf"], "nova-compute"],
    [["/usr/lib/erlang/erts-13.1.5/bin/beam.smp", "-W", "w"], "rabbitmq"],
    [["/usr/sbin/mariadbd", "--datadir=/x"], "mariadb"],
    [["node", "/work/main/node_modules/.bin/cdktf", "deploy"], "node (cdktf CLI)"],
    [["/usr/bin/python3", "/tmp/dvr-lab-push.py", "doc.json"], "config push (python3)"],
    [["/usr/local/bin/terraform-provider-openstack_v3.4.0"], "terraform-provider-openstack"],
    [["/usr/bin/python3", "-c", "from nova.cmd.compute import main; main()", "--config-file", "x"], "nova-compute"],
    [["/bin/bash", "-c", "set -euo pipefail\nip link add x"], "bash -c (ip)"],
    [["/bin/bash", "/x/remote/twin/ns-init.sh", "a"], "bash ns-init.sh"],
  ])("%j -> %s", (cmd, label) => expect(programLabel(cmd)).toBe(label));

  test("a kernel thread (empty cmdline) has no label", () => expect(programLabel([])).toBeNull());
});

test("apiCallTimes: grouped by method and path, ids and queries folded, most server time first", () => {
  const log = [
    '2026-12-03 10:55:01.1 4578 INFO neutron.wsgi [req-1] 127.0.0.1 "GET /v2.0/ports?fields=id&fields=status HTTP/1.1" status: 200  len: 5459 time: 0.0540',
    '2026-12-03 10:55:02.1 4578 INFO neutron.wsgi [req-2] 192.0.2.193 "PUT /v2.0/ports/0b590d97-6dde-458e-8207-74821d30239c HTTP/1.1" status: 200  len: 1201 time: 7.5000',
    '2026-12-03 10:55:03.1 4578 INFO neutron.wsgi [req-3] 192.0.2.193 "PUT /v2.0/ports/52f19cf9-c37e-4fac-943f-6e6c020913dd HTTP/1.1" status: 200  len: 1201 time: 2.5000',
    '2026-12-03 10:55:04.1 4578 INFO neutron.wsgi [req-4] 127.0.0.1 "GET /v2.0/ports HTTP/1.1" status: 200  len: 21336 time: 0.3000',
    "2026-12-03 10:55:05.1 4578 INFO some other line",
  ].join("\n");
  const calls = apiCallTimes(log);
  expect(calls).toEqual([
    { call: "PUT /v2.0/ports/{id}", count: 2, seconds: 10, maxSeconds: 7.5 },
    { call: "GET /v2.0/ports", count: 2, seconds: expect.closeTo(0.354, 6), maxSeconds: 0.3 },
  ]);
  const md = profileSection({ wallSeconds: 100, totalCpuSeconds: 150, byProgram: [{ program: "neutron-server api worker", cpuSeconds: 60 }, { program: "mariadb", cpuSeconds: 90 }] }, calls, 1);
  expect(md).toContain("150 s of 200 s available on 2 cores over 100 s (75% busy on average)");
  expect(md).toContain("| neutron-server api worker | 60.0 | 60% |");
  expect(md).toContain("| (1 other programs) | 90.0 | |");
  expect(md).toContain("| `PUT /v2.0/ports/{id}` | 2 | 10.0 | 7.5 |");
  expect(md).not.toContain("GET /v2.0/ports`");
});

test("CpuSampler counts a busy child started during the sampling, under the child's program", async () => {
  const s = new CpuSampler();
  s.start(100);
  // About 0.6 s of CPU in a python3 child; spawned asynchronously so that the samples run meanwhile.
  await new Promise((resolve) => spawn("python3", ["-c", "import time\nt=time.process_time()\nwhile time.process_time()-t<0.6: pass"]).on("close", resolve));
  const p = s.stop();
  // The child exits between samples: what it used until the last sample before its exit counts.
  const child = p.byProgram.find((x) => x.program === "python3 -c");
  expect(child?.cpuSeconds).toBeGreaterThan(0.3);
  expect(p.totalCpuSeconds).toBeGreaterThanOrEqual(child!.cpuSeconds);
  expect(p.wallSeconds).toBeGreaterThan(0.5);
});
