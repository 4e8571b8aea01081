// Data shapes of the lab's props that the checks below the constructs read too (lib/validation).
// They live in the model so that validation never imports the constructs; lib/lab re-exports them.

/** The external (provider) network, looked up by name; each router gets a gateway on it. */
export interface DvrLabExternalProps {
  /** Name of the existing external network in Neutron. */
  readonly networkName: string;
  /** Its subnet CIDR (for validation and the north-south probes). */
  readonly cidr: string;
  /** Physnet of the flat external network (ml2_type_flat, bridge_mappings). */
  readonly physnet: string;
  /** Upstream gateway of the external subnet. @default the first host address of `cidr` */
  readonly gatewayIp?: string;
  /** Address the north-south rows ping. @default `gatewayIp` */
  readonly probeTarget?: string;
  /** Floating IP allocation pool of the external subnet. @default the upper half of `cidr` */
  readonly allocationPool?: { readonly start: string; readonly end: string };
}

/** Image, flavor and key pair of the probe VMs. */
export interface DvrLabInstanceProps {
  /** Glance image name (looked up; CirrOS is enough). */
  readonly imageName: string;
  /** Nova flavor name (looked up). */
  readonly flavorName: string;
  /** Public key of the lab key pair (public: safe to synthesize). */
  readonly publicKey: string;
  /** @default "<labName>-key" */
  readonly keyPairName?: string;
}

/** How the verifier reaches the probe VMs (through the DHCP node's qdhcp namespace). */
export interface VerifyVmAccess {
  /** Login user inside the VMs. @default "cirros" */
  readonly user?: string;
  /** Path ON THE DHCP NODE of the private key the VMs accept (the lab key pair's private half). */
  readonly keyFileOnNode?: string;
  /** Host to reach the VMs from. @default the lab's DHCP host */
  readonly viaHost?: string;
}
