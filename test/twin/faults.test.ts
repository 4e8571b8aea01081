/** The fault plans (pure: what each fault would inject into the reference lab; the real runs are test/lab/faults). */
import { descriptionFromStack } from "../../lib/twin/cli";
import { FAULT_NAMES, planFault } from "../../lib/twin/faults";
import { synthLayout } from "../../lib/twin/lab";

describe("fault plans for the reference lab", () => {
  const d = descriptionFromStack(synthLayout("reference"));

  test("every fault plans against the reference lab and says what it injects", () => {
    // Each fault names what it injects, on which host, against the description's own names.
    expect(Object.fromEntries(FAULT_NAMES.map((f) => [f, planFault(f, d).summary]))).toEqual({
      "legacy-instead-of-dvr": "router(s) reference-dvr created with distributed=false (the description says distributed=true)",
      "l3-agent-down": "com2's L3 agent stopped after the push, before the routers exist (server agent_down_time = 30 s so the API reports it dead)",
      "no-dvr-flows": "com2's push document sets [agent] enable_distributed_routing = False for its OVS agent",
      "vm-on-wrong-host": "VM reference-dvr-a-com2 bound to com1 (binding:host_id and its namespace), the description pins it to com2",
      "no-l2pop-server": "ctrl1's push document sets [ml2] mechanism_drivers without l2population (the agents keep l2_population = True)",
      "qrouter-redirects":
        "com2's qrouter namespace(s) of reference-dvr set net.ipv4.conf.all.send_redirects = 1 once the twin is up (as before Neutron adds the router's gateway on that node)",
    });
    expect(() => planFault("nope", d)).toThrow(/unknown fault "nope" \(known: legacy-instead-of-dvr, .*qrouter-redirects\)/);
  });

  test("qrouter-redirects: com2's qrouter of the distributed router, once the twin is up", () => {
    const p = planFault("qrouter-redirects", d);
    expect(p.summary).toBe(
      "com2's qrouter namespace(s) of reference-dvr set net.ipv4.conf.all.send_redirects = 1 once the twin is up (as before Neutron adds the router's gateway on that node)",
    );
    expect(p.afterUp?.host).toBe("com2");
    expect(p.afterUp?.script({ "reference-dvr": "r-1", "reference-legacy": "r-2" })).toBe("ip netns exec qrouter-r-1 sysctl -qw net.ipv4.conf.all.send_redirects=1");
    expect(() => p.afterUp?.script({})).toThrow("fault qrouter-redirects: router reference-dvr has no id");
  });
});
