import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { ReferenceLabStack } from "../lib/layouts/reference-lab";
import { configureProviders } from "../lib/layouts/providers";
import { DvrLab, L3AgentMode, OpenStackRelease, SshPrivateKey } from "../lib";
import { BenchSize, generatedShape, LabShape } from "./shape";

/** A generated lab (bench/shape.ts) built with the DvrLab construct. */
export class GeneratedLabStack extends TerraformStack {
  public readonly lab: DvrLab;

  constructor(scope: Construct, id: string, shape: LabShape) {
    super(scope, id);
    configureProviders(this);
    const key = SshPrivateKey.fromFile(shape.privateKeyFile);
    const ssh = (h: LabShape["hosts"][number]) => ({ address: h.address, hostKey: h.hostKey, privateKey: key });
    const [controller, ...agents] = shape.hosts;
    this.lab = new DvrLab(this, "DvrLab", {
      labName: shape.labName,
      release: OpenStackRelease.OCATA,
      controller: { hostName: controller.name, ssh: ssh(controller) },
      nodes: agents.map((h) => ({
        hostName: h.name,
        mode: h.role === "dvr_snat" ? L3AgentMode.DVR_SNAT : L3AgentMode.DVR,
        tunnelIp: h.tunnelIp!,
        runsVms: h.runsVms,
        ssh: ssh(h),
      })),
      distributedRouter: { name: shape.routers[0].name, subnets: shape.routers[0].subnets.map((s) => ({ name: s.name, cidr: s.cidr })) },
      legacyRouter: { name: shape.routers[1].name, subnets: shape.routers[1].subnets.map((s) => ({ name: s.name, cidr: s.cidr })) },
      external: shape.external,
      vms: shape.vms?.map((v) => ({ ...v })),
      instances: { imageName: shape.imageName, flavorName: shape.flavorName, publicKey: shape.publicKey },
    });
  }
}

/** Builds the construct version of a bench lab into `scope`; returns the DvrLab. */
export function buildConstructsLab(scope: Construct, size: BenchSize): DvrLab {
  if (size === "reference") return new ReferenceLabStack(scope, "reference-lab").lab;
  return new GeneratedLabStack(scope, `bench-${size}`, generatedShape(size)).lab;
}
