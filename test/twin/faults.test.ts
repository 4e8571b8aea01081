/** The fault plans (pure: what each fault would inject into the reference lab; the real runs are test/lab/faults). */
import { descriptionFromStack } from "../../lib/twin/cli";
import { FAULT_NAMES, planFault } from "../../lib/twin/faults";
import { synthLayout } from "../../lib/twin/lab";

describe("fault plans for the reference lab", () => {
  const d = descriptionFromStack(synthLayout("reference"));

  test("every fault plans against the reference lab and says what it injects", () => {
    for (const f of FAULT_NAMES) expect(planFault(f, d).summary).toMatch(/\w/);
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
