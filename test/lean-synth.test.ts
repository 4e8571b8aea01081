/**
 * What keeps synth cheap without changing what it writes (BENCHMARKS.md "Synth"):
 * - the generated bindings' post-generation pass (scripts/lean-bindings.js): output references made
 *   on first use, undefined attributes dropped where they are built;
 * - the constructs read each reference and each dependency once (lib/common/shared-tokens.ts).
 * cdktf captures a full stack trace for every token it makes, so the number of tokens a lab makes is
 * what these tests hold down. That the output is unchanged is what the snapshot tests check.
 */
import { App, TerraformStack, Testing } from "cdktf";
import { ComputeInstanceV2 } from "../lib/gen/providers/openstack/compute-instance-v2";
import { NetworkingNetworkV2 } from "../lib/gen/providers/openstack/networking-network-v2";
import { sharedAttribute, sharedDependsOn } from "../lib/common/shared-tokens";
import { buildConstructsLab } from "../bench/constructs-lab";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackTrace = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: unknown) => string[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lean = require("../scripts/lean-bindings") as {
  lazyOutputReferences(s: string): string;
  definedAttributesOnly(s: string): string;
};

/** How many tokens (stack-trace captures) `fn` makes. */
function tokensMadeBy(fn: () => void): number {
  const original = stackTrace.captureStackTrace;
  let n = 0;
  stackTrace.captureStackTrace = (below?: unknown) => {
    n++;
    return original(below);
  };
  try {
    fn();
  } finally {
    stackTrace.captureStackTrace = original;
  }
  return n;
}

describe("scripts/lean-bindings.js", () => {
  const generated = [
    "import * as cdktf from 'cdktf';",
    "export class X extends cdktf.TerraformResource {",
    "  constructor(scope: Construct, id: string, config: XConfig) {",
    "    super(scope, id, {});",
    "    this._network.internalValue = config.network;",
    "    this._timeouts.internalValue = config.timeouts;",
    "  }",
    '  private _network = new XNetworkList(this, "network", false);',
    "  public get network() {",
    "    return this._network;",
    "  }",
    "  public get networkInput() {",
    "    return this._network.internalValue;",
    "  }",
    '  private _timeouts = new XTimeoutsOutputReference(this, "timeouts");',
    "  public putTimeouts(value: XTimeouts) {",
    "    this._timeouts.internalValue = value;",
    "  }",
    "  protected synthesizeAttributes(): { [name: string]: any } {",
    "    return {",
    "      name: cdktf.stringToTerraform(this._name),",
    "      timeouts: xTimeoutsToTerraform(this._timeouts.internalValue),",
    "    };",
    "  }",
    "}",
  ].join("\n");

  test("an output reference is made on first use; a config list is kept as given until then", () => {
    const out = lean.lazyOutputReferences(generated);
    expect(out).not.toMatch(/private _\w+ = new /);
    expect(out).toContain("return (this._timeoutsCache ??= new XTimeoutsOutputReference(this, \"timeouts\"));");
    // An object block: assigned only when the config has it; read through the cache.
    expect(out).toContain("if (config.timeouts !== undefined) { this._timeouts.internalValue = config.timeouts; }");
    expect(out).toContain("xTimeoutsToTerraform(this._timeoutsCache?.internalValue)");
    expect(out).toContain("this._timeouts.internalValue = value;"); // a put makes it
    // A list: the config value waits in _networkInitial; reads see it without making the list.
    expect(out).toContain("this._networkInitial = config.network;");
    expect(out).toContain("return (this._networkCache ? this._networkCache.internalValue : this._networkInitial);");
    expect(out).toContain("this._networkCache.internalValue = this._networkInitial;");
  });

  test("attribute objects drop their undefined values; a file without any is left alone", () => {
    const out = lean.definedAttributesOnly(generated);
    expect(out).toContain("return cdktf_lean_defined({\n      name: cdktf.stringToTerraform(this._name),");
    expect(out).toContain("import { definedOnly as cdktf_lean_defined } from '../lean';");
    const untouched = "import * as cdktf from 'cdktf';\nexport const x = 1;\n";
    expect(lean.definedAttributesOnly(untouched)).toBe(untouched);
  });
});

describe("lean bindings at run time", () => {
  test("a resource makes no token for the blocks nobody reads; blocks given, put or reset synthesize as before", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    let vm!: ComputeInstanceV2;
    expect(tokensMadeBy(() => (vm = new ComputeInstanceV2(stack, "vm", { name: "a", network: [{ port: "p1" }] })))).toBe(0);
    expect(JSON.parse(Testing.synth(stack)).resource.openstack_compute_instance_v2.vm).toMatchObject({
      name: "a",
      network: [{ port: "p1" }],
    });
    // The list object, once asked for, holds the config's value; reading an element is a reference.
    expect(vm.networkInput).toEqual([{ port: "p1" }]);
    expect(vm.network.get(0).port).toMatch(/\$\{TfToken\[/);
    vm.putTimeouts({ create: "5m" });
    vm.resetNetwork();
    vm.putNetwork([{ uuid: "net-1" }]);
    const body = JSON.parse(Testing.synth(stack)).resource.openstack_compute_instance_v2.vm;
    expect(body.timeouts).toEqual({ create: "5m" });
    expect(body.network).toEqual([{ uuid: "net-1" }]);
    expect(Object.values(body).includes(undefined as never)).toBe(false);
  });
});

describe("shared tokens", () => {
  test("one token per dependency and per attribute, whoever asks", () => {
    const stack = new TerraformStack(Testing.app(), "s");
    const net = new NetworkingNetworkV2(stack, "net", { name: "n" });
    const [a] = sharedDependsOn([net])!;
    const [b] = sharedDependsOn([net])!;
    expect(a).toBe(b);
    expect(sharedAttribute(net, "id", (r) => r.id)).toBe(sharedAttribute(net, "id", (r) => r.id));
    expect(sharedDependsOn(undefined)).toBeUndefined();
  });

  test("building a lab makes 5 tokens per compute node (2 VMs each); the plain generated bindings and per-read tokens made 53", () => {
    const tokens = (computes: number) => tokensMadeBy(() => buildConstructsLab(new App({ outdir: "/nonexistent", skipValidation: true }), computes));
    const perCompute = (tokens(20) - tokens(10)) / 10;
    // Per compute: its push's dependable (the tenant side waits for it) and, per VM, the instance's
    // dependable (the verify hook waits for it) and its port's id (the instance and floating IP use it).
    expect(perCompute).toBeLessThanOrEqual(5);
  });
});
