/**
 * The floor: the same lab as bench/constructs-lab.ts, written as RAW cdktf resources with the
 * generated bindings (lib/gen/providers/openstack, @cdktf/provider-null) and no dvr-lab constructs,
 * model or push code. Same resource types and counts, same attribute values roughly (push documents
 * and the lab description are hand-built literals of the same shape; the push script is read, escaped
 * and hashed once, as a hand-written stack would). Imports nothing from lib/ except the bindings.
 */
import { createHash } from "crypto";
import { readFileSync } from "fs";
import { join } from "path";
import { AssetType, dependable, Fn, ITerraformDependable, TerraformAsset, TerraformOutput, TerraformResource, TerraformResourceConfig, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { ComputeInstanceV2 } from "../lib/gen/providers/openstack/compute-instance-v2";
import { ComputeKeypairV2 } from "../lib/gen/providers/openstack/compute-keypair-v2";
import { DataOpenstackComputeFlavorV2 } from "../lib/gen/providers/openstack/data-openstack-compute-flavor-v2";
import { DataOpenstackImagesImageV2 } from "../lib/gen/providers/openstack/data-openstack-images-image-v2";
import { DataOpenstackNetworkingNetworkV2 } from "../lib/gen/providers/openstack/data-openstack-networking-network-v2";
import { NetworkingFloatingipV2 } from "../lib/gen/providers/openstack/networking-floatingip-v2";
import { NetworkingNetworkV2 } from "../lib/gen/providers/openstack/networking-network-v2";
import { NetworkingPortV2 } from "../lib/gen/providers/openstack/networking-port-v2";
import { NetworkingRouterInterfaceV2 } from "../lib/gen/providers/openstack/networking-router-interface-v2";
import { NetworkingRouterV2 } from "../lib/gen/providers/openstack/networking-router-v2";
import { NetworkingSecgroupRuleV2 } from "../lib/gen/providers/openstack/networking-secgroup-rule-v2";
import { NetworkingSecgroupV2 } from "../lib/gen/providers/openstack/networking-secgroup-v2";
import { NetworkingSubnetV2 } from "../lib/gen/providers/openstack/networking-subnet-v2";
import { OpenstackProvider } from "../lib/gen/providers/openstack/provider";
import { BenchSize, generatedShape, HostShape, LabShape, referenceShape } from "./shape";

const PUSH_COMMAND =
  'if [ "$(id -u)" -eq 0 ]; then python3 /tmp/dvr-lab-push.py /tmp/dvr-lab-desired.json; ' +
  "else sudo -n python3 /tmp/dvr-lab-push.py /tmp/dvr-lab-desired.json; fi";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** dotted quad <-> int, enough for the /22 and /26 blocks of the bench labs. */
const ipInt = (ip: string) => ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
const intIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
function block(cidr: string): { base: number; size: number } {
  const [ip, len] = cidr.split("/");
  return { base: ipInt(ip), size: 2 ** (32 - Number(len)) };
}

/** Hand-written Ocata/systemd push document of one node (same shape as the library's). */
function pushDocument(h: HostShape, controller: string, physnet: string): object {
  const s = (section: string, key: string, value: string) => ({ section, key, value });
  const neutronConf = { file: "neutron.conf", path: "/etc/neutron/neutron.conf", settings: [s("DEFAULT", "router_distributed", "True")] };
  const svc = (name: string) => ({ name, unit: name, log: `/var/log/neutron/${name}.log` });
  const head = { schema: "dvr-lab/push@1", node: h.name, role: h.role, release: "ocata", serviceManager: "systemd" };
  if (h.role === "controller") {
    return {
      ...head,
      files: [
        { ...neutronConf, services: ["neutron-server"] },
        {
          file: "ml2_conf.ini",
          path: "/etc/neutron/plugins/ml2/ml2_conf.ini",
          services: ["neutron-server"],
          settings: [
            s("ml2", "type_drivers", "flat,vxlan"),
            s("ml2", "tenant_network_types", "vxlan"),
            s("ml2", "mechanism_drivers", "openvswitch,l2population"),
            s("ml2_type_vxlan", "vni_ranges", "1:1000"),
            s("ml2_type_flat", "flat_networks", physnet),
          ],
        },
      ],
      services: [{ ...svc("neutron-server"), healthUrl: "http://127.0.0.1:9696/" }],
      settleSeconds: 5,
      apiTimeoutSeconds: 90,
    };
  }
  const services = ["neutron-openvswitch-agent", "neutron-l3-agent", "neutron-metadata-agent", ...(h.dhcp ? ["neutron-dhcp-agent"] : [])];
  return {
    ...head,
    files: [
      { ...neutronConf, services },
      {
        file: "openvswitch_agent.ini",
        path: "/etc/neutron/plugins/ml2/openvswitch_agent.ini",
        services: ["neutron-openvswitch-agent"],
        settings: [
          s("ovs", "local_ip", h.tunnelIp ?? ""),
          s("ovs", "bridge_mappings", `${physnet}:br-ex`),
          s("agent", "tunnel_types", "vxlan"),
          s("agent", "l2_population", "True"),
          s("agent", "enable_distributed_routing", "True"),
          s("securitygroup", "firewall_driver", "iptables_hybrid"),
        ],
      },
      {
        file: "l3_agent.ini",
        path: "/etc/neutron/l3_agent.ini",
        services: ["neutron-l3-agent"],
        settings: [s("DEFAULT", "agent_mode", h.role), s("DEFAULT", "interface_driver", "openvswitch"), s("DEFAULT", "external_network_bridge", "")],
      },
      {
        file: "metadata_agent.ini",
        path: "/etc/neutron/metadata_agent.ini",
        services: ["neutron-metadata-agent"],
        settings: [s("DEFAULT", "nova_metadata_ip", controller)],
      },
      ...(h.dhcp
        ? [{ file: "dhcp_agent.ini", path: "/etc/neutron/dhcp_agent.ini", services: ["neutron-dhcp-agent"], settings: [s("DEFAULT", "interface_driver", "openvswitch")] }]
        : []),
    ],
    services: services.map(svc),
    settleSeconds: 5,
    apiTimeoutSeconds: 90,
  };
}

interface SshValues {
  readonly address: string;
  readonly hostKey: string;
  readonly user: string;
  readonly privateKey: string;
}

/** A stack of raw resources equivalent to DvrLab for `shape`. */
export class RawLabStack extends TerraformStack {
  constructor(scope: Construct, id: string, shape: LabShape, reference: boolean) {
    super(scope, id);
    new OpenstackProvider(this, "openstack", {});
    const name = shape.labName;

    // SSH access and instance settings: variables for the reference lab (as examples/shared), literals otherwise.
    let sshOf: (h: HostShape) => SshValues;
    let imageName = shape.imageName;
    let flavorName = shape.flavorName;
    let publicKey = shape.publicKey;
    if (reference) {
      const site = new Construct(this, "Site");
      const v = (n: string, description: string, def?: string) => {
        const tv = new TerraformVariable(site, n, { type: "string", description, ...(def !== undefined ? { default: def } : {}) });
        tv.overrideLogicalId(n);
        return tv;
      };
      const user = v("ssh_user", "SSH user on the nodes (non-root users need passwordless sudo)", "root");
      const key = new TerraformVariable(site, "ssh_private_key", { type: "string", sensitive: true, description: "SSH private key for the nodes" });
      key.overrideLogicalId("ssh_private_key");
      imageName = v("image_name", "Glance image of the probe VMs", "cirros").stringValue;
      flavorName = v("flavor_name", "Nova flavor of the probe VMs", "m1.tiny").stringValue;
      publicKey = v("lab_public_key", "Public key installed into the probe VMs").stringValue;
      sshOf = (h) => ({
        address: v(`${h.name}_address`, `SSH address of ${h.name}`).stringValue,
        hostKey: v(`${h.name}_host_key`, `SSH host public key of ${h.name} (e.g. from ssh-keyscan, verified)`).stringValue,
        user: user.stringValue,
        privateKey: key.stringValue,
      });
    } else {
      const keyFile = Fn.file(shape.privateKeyFile);
      sshOf = (h) => ({ address: h.address, hostKey: h.hostKey, user: "root", privateKey: keyFile });
    }

    // Config pushes: controller first, then the agents.
    // The push script once per stack, as an asset (as ConfigPush does).
    const scriptPath = join(__dirname, "..", "..", "remote", "dvr_push.py");
    const scriptSha = sha256(readFileSync(scriptPath, "utf8"));
    const scriptAsset = new TerraformAsset(this, "DvrLabPushScript", { path: scriptPath, type: AssetType.FILE, assetHash: scriptSha });
    const controller = shape.hosts[0];
    const ssh = new Map<string, SshValues>();
    const push = (h: HostShape, dependsOn?: ITerraformDependable[]) => {
      const s = sshOf(h);
      ssh.set(h.name, s);
      const document = JSON.stringify(pushDocument(h, controller.name, shape.external.physnet), null, 2) + "\n";
      return terraformData(this, `push-${h.name}`, {
        triggers_replace: { node: h.name, config_sha256: sha256(document), script_sha256: scriptSha },
        dependsOn,
        connection: { type: "ssh", host: s.address, user: s.user, port: 22, privateKey: s.privateKey, hostKey: s.hostKey, timeout: "5m" },
        provisioners: [
          { type: "file", source: scriptAsset.path, destination: "/tmp/dvr-lab-push.py" },
          { type: "file", content: document, destination: "/tmp/dvr-lab-desired.json" },
          { type: "remote-exec", inline: [PUSH_COMMAND] },
        ],
      });
    };
    const ctrlPush = push(controller);
    const pushes: ITerraformDependable[] = [ctrlPush, ...shape.hosts.slice(1).map((h) => push(h, [ctrlPush]))];
    // As TenantVxlanNetwork: one dependable token per push, shared by the routers, networks and the group.
    const pushDeps = pushes.map((p) => dependable(p));

    // Tenant side.
    const external = new DataOpenstackNetworkingNetworkV2(this, "external", { name: shape.external.networkName, external: true });
    const routers = new Map<string, NetworkingRouterV2>();
    for (const r of shape.routers) {
      routers.set(r.name, new NetworkingRouterV2(this, `router-${r.name}`, {
        name: r.name,
        distributed: r.distributed,
        adminStateUp: true,
        externalNetworkId: external.id,
      }));
      routers.get(r.name)!.dependsOn = [...pushDeps];
    }
    const networks = new Map<string, NetworkingNetworkV2>();
    const subnets = new Map<string, NetworkingSubnetV2>();
    const interfaces: NetworkingRouterInterfaceV2[] = [];
    const subnetList = shape.routers.flatMap((r) => r.subnets);
    const subnetInfo = new Map<string, { gatewayIp: string; pool: { start: string; end: string }; base: number }>();
    for (const s of subnetList) {
      const b = block(s.cidr);
      const info = { gatewayIp: intIp(b.base + 1), pool: { start: intIp(b.base + b.size / 2), end: intIp(b.base + b.size - 2) }, base: b.base };
      subnetInfo.set(s.name, info);
      const net = new NetworkingNetworkV2(this, `net-${s.name}`, { name: s.name, adminStateUp: true });
      net.dependsOn = [...pushDeps];
      const sub = new NetworkingSubnetV2(this, `subnet-${s.name}`, {
        name: s.name,
        networkId: net.id,
        cidr: s.cidr,
        ipVersion: 4,
        gatewayIp: info.gatewayIp,
        enableDhcp: true,
        allocationPool: [info.pool],
      });
      networks.set(s.name, net);
      subnets.set(s.name, sub);
      interfaces.push(new NetworkingRouterInterfaceV2(this, `interface-${s.name}`, { routerId: routers.get(s.router)!.id, subnetId: sub.id }));
    }
    const sg = new NetworkingSecgroupV2(this, "probes", {
      name: `${name}-probes`,
      description: "dvr-lab verification probes: ICMP and SSH from the lab subnets",
    });
    sg.dependsOn = [...pushDeps];
    subnetList.forEach((s, i) => {
      new NetworkingSecgroupRuleV2(this, `icmp-${i}`, { securityGroupId: sg.id, direction: "ingress", ethertype: "IPv4", protocol: "icmp", remoteIpPrefix: s.cidr });
      new NetworkingSecgroupRuleV2(this, `ssh-${i}`, {
        securityGroupId: sg.id,
        direction: "ingress",
        ethertype: "IPv4",
        protocol: "tcp",
        portRangeMin: 22,
        portRangeMax: 22,
        remoteIpPrefix: s.cidr,
      });
    });

    // VMs.
    const image = new DataOpenstackImagesImageV2(this, "image", { name: imageName, mostRecent: true });
    const flavor = new DataOpenstackComputeFlavorV2(this, "flavor", { name: flavorName });
    const keyPair = new ComputeKeypairV2(this, "keypair", { name: `${name}-key`, publicKey });
    // As DvrLab: the interfaces wait for the routers, which wait for the pushes; and one dependable
    // token per interface shared by all VMs, as PinnedVm does (cdktf captures a stack trace per token).
    const vmDeps = interfaces.map((i) => dependable(i));
    const used = new Map<string, number>();
    const vms = (shape.vms ?? []).map((vm) => {
      const index = used.get(vm.subnet) ?? 0;
      used.set(vm.subnet, index + 1);
      return { ...vm, fixedIp: intIp(subnetInfo.get(vm.subnet)!.base + 10 + index) };
    });
    const verifyDeps: ITerraformDependable[] = [];
    // As DvrLab: each reference read once, its token shared by every VM.
    const [sgId, imageId, flavorId, keyPairName] = [sg.id, image.id, flavor.id, keyPair.name];
    const networkIds = new Map([...networks].map(([n, net]) => [n, net.id]));
    const subnetIds = new Map([...subnets].map(([n, sub]) => [n, sub.id]));
    for (const vm of vms) {
      const port = new NetworkingPortV2(this, `port-${vm.name}`, {
        name: vm.name,
        networkId: networkIds.get(vm.subnet)!,
        adminStateUp: true,
        securityGroupIds: [sgId],
        fixedIp: [{ subnetId: subnetIds.get(vm.subnet)!, ipAddress: vm.fixedIp }],
      });
      port.dependsOn = [...vmDeps];
      const instance = new ComputeInstanceV2(this, `vm-${vm.name}`, {
        name: vm.name,
        imageId,
        flavorId,
        keyPair: keyPairName,
        availabilityZone: `nova:${vm.host}`,
        network: [{ port: port.id }],
      });
      instance.dependsOn = [...vmDeps];
      verifyDeps.push(instance);
      if (vm.floatingIp) {
        verifyDeps.push(new NetworkingFloatingipV2(this, `fip-${vm.name}`, { pool: shape.external.networkName, portId: port.id, dependsOn: [instance] }));
      }
    }

    // Lab description (hand-built, same shape as LabTopology.toDescription()) and the verify hook.
    const snat = shape.hosts.find((h) => h.role === "dvr_snat")!.name;
    const gw = intIp(block(shape.external.cidr).base + 1);
    const rows = shape.routers.flatMap((r) => {
      const mine = vms.filter((v) => v.subnet.startsWith(`${r.name}-`));
      const hop = (host: string, namespace: string) => ({ host: r.distributed ? host : snat, namespace, router: r.name });
      const row = (kind: string, a: (typeof vms)[number], b: (typeof vms)[number] | undefined) => ({
        id: `${r.name}-${kind}`,
        kind,
        router: r.name,
        distributed: r.distributed,
        source: a.name,
        target: b?.name ?? "external",
        directions: [
          { direction: "request", from: a.name, to: b?.name ?? "external", routedAt: [hop(a.host, "qrouter")] },
          { direction: "reply", from: b?.name ?? "external", to: a.name, routedAt: [hop(b?.host ?? a.host, "qrouter")] },
        ],
      });
      const same = mine.find((x) => mine.some((y) => y.host === x.host && y.subnet !== x.subnet))!;
      const sameB = mine.find((y) => y.host === same.host && y.subnet !== same.subnet)!;
      const cross = mine.find((y) => y.host !== same.host && y.subnet !== same.subnet) ?? sameB;
      const fip = mine.find((v) => v.floatingIp) ?? same;
      return [row("same-node", same, sameB), row("cross-node", cross, same), row("snat", sameB, undefined), row("floating-ip", fip, undefined)];
    });
    const description = {
      schema: "dvr-lab/lab@1",
      name,
      release: "ocata",
      hosts: shape.hosts.map((h) => ({
        name: h.name,
        role: h.role,
        ...(h.tunnelIp ? { tunnelIp: h.tunnelIp } : {}),
        runsVms: h.runsVms,
        agents: h.role === "controller" ? [] : ["Open vSwitch agent", "L3 agent", "Metadata agent", ...(h.dhcp ? ["DHCP agent"] : [])],
      })),
      subnets: subnetList.map((s) => ({ name: s.name, cidr: s.cidr, gatewayIp: subnetInfo.get(s.name)!.gatewayIp, router: s.router, allocationPool: subnetInfo.get(s.name)!.pool })),
      routers: shape.routers.map((r) => ({ name: r.name, distributed: r.distributed, subnets: r.subnets.map((s) => s.name), externalGateway: true })),
      vms,
      external: {
        network: shape.external.networkName,
        cidr: shape.external.cidr,
        gatewayIp: gw,
        physnet: shape.external.physnet,
        probeTarget: gw,
        allocationPool: { start: intIp(block(shape.external.cidr).base + 128), end: intIp(block(shape.external.cidr).base + 254) },
      },
      vniRange: { min: 1, max: 1000 },
      rows,
    };
    const descriptionJson = JSON.stringify(description);
    const out = new TerraformOutput(this, "description", { value: descriptionJson, description: `dvr-lab description of ${name}` });
    out.overrideLogicalId(`${name}_description`);
    const hosts: Record<string, object> = {};
    const environment: Record<string, string> = { DVR_LAB_DESCRIPTION: descriptionJson };
    for (const h of shape.hosts) {
      const s = ssh.get(h.name)!;
      hosts[h.name] = { address: s.address, user: s.user, port: 22, hostKey: s.hostKey, ...(reference ? { privateKeyEnv: `DVR_LAB_SSH_KEY_${h.name.toUpperCase()}` } : { privateKeyFile: shape.privateKeyFile }) };
      if (reference) environment[`DVR_LAB_SSH_KEY_${h.name.toUpperCase()}`] = s.privateKey;
    }
    environment.DVR_LAB_ACCESS = JSON.stringify({ hosts });
    terraformData(this, "verify", {
      triggers_replace: { description_sha256: sha256(descriptionJson) },
      dependsOn: verifyDeps,
      provisioners: [
        {
          type: "local-exec",
          command: `npx --no-install dvr-lab verify --description-env DVR_LAB_DESCRIPTION --access-env DVR_LAB_ACCESS --report-dir dvr-lab-reports/${name}`,
          environment,
        },
      ],
    });
  }
}

export function buildRawLab(scope: Construct, size: BenchSize): RawLabStack {
  return size === "reference"
    ? new RawLabStack(scope, "reference-lab-raw", referenceShape(), true)
    : new RawLabStack(scope, `bench-${size}-raw`, generatedShape(size), false);
}

/**
 * Terraform's built-in terraform_data written as raw cdktf: a TerraformResource with its attribute
 * set directly (cdktf's DataResource would run `terraform version` per resource at synth).
 */
function terraformData(
  scope: Construct,
  id: string,
  config: { triggers_replace: Record<string, string> } & Omit<TerraformResourceConfig, "terraformResourceType">,
): TerraformResource {
  const { triggers_replace, ...meta } = config;
  const r = new TerraformResource(scope, id, { terraformResourceType: "terraform_data", ...meta });
  r.addOverride("triggers_replace", triggers_replace);
  return r;
}
