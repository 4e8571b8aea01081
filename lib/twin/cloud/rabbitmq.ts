import { mkdirSync, writeFileSync } from "fs";
import { join } from "path";
import { CloudPlan, PORTS } from "./plan";
import { NamespaceRecord, tool } from "./namespace";
import { CloudServices } from "./services";

/**
 * The cloud's RabbitMQ (Nova's RPC), started like the twin's controller one: Debian's
 * rabbitmq-server script with its files in the state dir, mnesia on the namespace's tmpfs /run,
 * epmd on 127.0.0.1, the listener on the cloud address. The user "openstack" is the broker's
 * default user (created at first boot, no rabbitmqctl round trips); no guest user.
 */
export async function startRabbitmq(ns: NamespaceRecord, plan: CloudPlan, services: CloudServices, rabbitDir: string, logDir: string): Promise<void> {
  mkdirSync(rabbitDir, { recursive: true });
  mkdirSync(join(logDir, "rabbitmq"), { recursive: true });
  await tool(ns, logDir, "rabbitmq-dirs", ["mkdir", "-p", "/run/cloud-rabbit/mnesia"]);
  writeFileSync(
    join(rabbitDir, "rabbitmq.conf"),
    [
      `listeners.tcp.default = ${plan.ip}:${PORTS.rabbitmq}`,
      "default_user = openstack",
      `default_pass = ${plan.passwords.rabbit}`,
      "default_vhost = /",
      "default_permissions.configure = .*",
      "default_permissions.read = .*",
      "default_permissions.write = .*",
      "loopback_users = none",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  writeFileSync(join(rabbitDir, "enabled_plugins"), "[].\n");
  services.start("rabbitmq", ["/usr/lib/rabbitmq/bin/rabbitmq-server"], {
    HOME: rabbitDir,
    RABBITMQ_NODENAME: "rabbit@localhost",
    RABBITMQ_MNESIA_BASE: "/run/cloud-rabbit/mnesia",
    RABBITMQ_LOG_BASE: join(logDir, "rabbitmq"),
    RABBITMQ_CONFIG_FILE: join(rabbitDir, "rabbitmq"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(rabbitDir, "enabled_plugins"),
    RABBITMQ_PID_FILE: "/run/cloud-rabbit/rabbit.pid",
    ERL_EPMD_ADDRESS: "127.0.0.1",
    RABBITMQ_CONF_ENV_FILE: "/dev/null",
    // One scheduler thread and no busy-waiting (RabbitMQ's advice for shared CPUs): Nova's RPC of
    // a handful of services needs no more, and the machine has 2 cores for everything.
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "+S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none",
  }, { background: true });
}

export async function waitRabbitmq(plan: CloudPlan, services: CloudServices): Promise<void> {
  await services.waitTcp("rabbitmq", plan.ip, PORTS.rabbitmq, 90000);
}
