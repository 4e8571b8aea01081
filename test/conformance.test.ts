import { conformanceErrors, loadSchemas } from "./support/schema-conformance";
import { synthReference, synthUpstream } from "./support/synth";

const schemas = loadSchemas("openstack-provider-schema.json", "null-provider-schema.json", "terraform-builtin-schema.json");

describe("schema conformance against terraform-provider-openstack 3.4, terraform_data and hashicorp/null", () => {
  test.each([
    ["reference lab", synthReference],
    ["upstream layout", synthUpstream],
  ])("%s: every type and attribute exists, has the right type, required ones are set", (_name, synth) => {
    expect(conformanceErrors(synth(), schemas)).toEqual([]);
  });

  test("the checker reports unknown attributes, wrong types and missing required attributes", () => {
    const bad = {
      resource: {
        openstack_networking_router_v2: { r: { name: "x", distributed: "yes", bogus: 1 } },
        openstack_networking_subnet_v2: { s: { cidr: "10.0.0.0/24" } },
        openstack_no_such_thing: { t: {} },
      },
    };
    expect(conformanceErrors(bad, schemas)).toEqual([
      'resource.openstack_networking_router_v2.r.distributed: expected bool, got "yes"',
      "resource.openstack_networking_router_v2.r.bogus: no such attribute or block in the provider schema",
      "resource.openstack_networking_subnet_v2.s.network_id: required attribute not set",
      "resource.openstack_no_such_thing: type not in the provider schema",
    ]);
  });
  // The project's schema files are compared with the real provider's `terraform providers schema -json`
  // in test/terraform/validate.test.ts (after `npm run setup`).
});
