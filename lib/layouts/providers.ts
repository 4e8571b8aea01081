import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { Construct } from "constructs";
import { openstack } from "../index";

/** The providers an example stack configures: OpenStack from OS_* variables (admin), and null. */
export function configureProviders(scope: Construct): void {
  new openstack.provider.OpenstackProvider(scope, "openstack", {});
  new NullProvider(scope, "null", {});
}
