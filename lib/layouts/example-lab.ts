import { Construct } from "constructs";
import { DvrLab, DvrLabNodeProps, OpenStackRelease } from "../index";
import { configureProviders } from "./providers";
import { SiteVariables } from "./site-variables";

/** Props of the example labs' shared stack (examples/ and the twin's layouts). */
export interface ExampleLabProps {
  /** The lab's name (DvrLab's `labName`). */
  readonly labName: string;
  /** The OpenStack release of every node. */
  readonly release: OpenStackRelease;
  /** The agent nodes, given the site variables (for their SSH access). */
  readonly nodes: (site: SiteVariables) => DvrLabNodeProps[];
}

/**
 * What both examples share: providers, site variables, controller ctrl1, the external network
 * "public" (203.0.113.0/24, physnet "provider") and the probe VMs' image, flavor and key.
 */
export function exampleLab(stack: Construct, props: ExampleLabProps): DvrLab {
  configureProviders(stack);
  const site = new SiteVariables(stack, "Site");
  return new DvrLab(stack, "DvrLab", {
    labName: props.labName,
    release: props.release,
    controller: { hostName: "ctrl1", ssh: site.ssh("ctrl1") },
    nodes: props.nodes(site),
    external: { networkName: "public", cidr: "203.0.113.0/24", physnet: "provider" },
    instances: {
      imageName: site.imageName.stringValue,
      flavorName: site.flavorName.stringValue,
      publicKey: site.labPublicKey.stringValue,
    },
  });
}
