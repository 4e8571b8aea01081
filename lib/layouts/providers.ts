import { Construct } from "constructs";
import { openstack } from "../index";

/**
 * The providers an example stack configures: OpenStack from OS_* variables (admin). The config
 * pushes and the verify hook are Terraform's built-in terraform_data, which needs no provider.
 */
export function configureProviders(scope: Construct): void {
  new openstack.provider.OpenstackProvider(scope, "openstack", {});
}
