/**
 * The files a twin host's services need (lib/twin/twin.ts writes them before the host boots): one
 * `units/<service>.sh` per service, run by the twin's systemctl (remote/twin/systemctl), the host's
 * sshd_config, and RabbitMQ's config on the controller. Pure: paths and texts, unit-tested.
 */
import { join } from "path";
import type { TwinHostPlan } from "./plan";
import { DB_SOCKET, neutronUnit, unitScript } from "./site-config";
import { sshdConfig } from "./ssh";

export interface HostFile {
  readonly path: string;
  readonly text: string;
  /** File mode: 0o755 for unit scripts; default the umask's. */
  readonly mode?: number;
}

/** `dir`: the host's state dir (hosts/<name>); `stateDir`: the twin's (authorized_keys). */
export function hostFiles(h: TwinHostPlan, dir: string, stateDir: string): HostFile[] {
  const files: HostFile[] = [];
  const unit = (name: string, text: string) => files.push({ path: join(dir, "units", `${name}.sh`), text, mode: 0o755 });

  files.push({
    path: join(dir, "sshd_config"),
    text: sshdConfig({ listen: h.mgmtIp, hostKey: `${dir}/ssh_host_ed25519_key`, authorizedKeys: `${stateDir}/authorized_keys`, pidFile: "/run/sshd.pid", sftp: true }),
  });
  unit("ssh", unitScript(["/usr/sbin/sshd", "-D", "-e", "-f", `${dir}/sshd_config`]));
  if (h.role === "controller") {
    unit(
      "mariadb",
      unitScript(
        [
          "/usr/sbin/mariadbd",
          "--no-defaults",
          "--datadir=/run/twin-mysql",
          `--socket=${DB_SOCKET}`,
          "--bind-address=127.0.0.1",
          "--port=3306",
          "--user=root",
          "--skip-name-resolve",
          "--skip-log-bin",
          "--innodb-buffer-pool-size=64M",
          "--innodb-log-file-size=16M",
          "--innodb-flush-log-at-trx-commit=0",
          "--innodb-flush-method=fsync",
          "--max-connections=500",
          "--log-error=/var/log/neutron/mariadb.err",
        ],
        [
          "if [ ! -d /run/twin-mysql/mysql ]; then",
          "  mariadb-install-db --no-defaults --datadir=/run/twin-mysql --user=root --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve >/var/log/neutron/mariadb-install.log 2>&1",
          "fi",
        ],
      ),
    );
    const rdir = join(dir, "rabbit");
    files.push({ path: join(rdir, "rabbitmq.conf"), text: `loopback_users = none\nlisteners.tcp.default = ${h.mgmtIp}:5672\n` });
    files.push({ path: join(rdir, "enabled_plugins"), text: "[].\n" });
    unit(
      "rabbitmq-server",
      unitScript(
        ["/usr/lib/rabbitmq/bin/rabbitmq-server"],
        [
          `export HOME=${rdir}`,
          "export RABBITMQ_NODENAME=rabbit@localhost",
          "export RABBITMQ_MNESIA_BASE=/run/twin-rabbit/mnesia",
          "export RABBITMQ_LOG_BASE=/var/log/neutron/rabbitmq",
          `export RABBITMQ_CONFIG_FILE=${rdir}/rabbitmq`,
          `export RABBITMQ_ENABLED_PLUGINS_FILE=${rdir}/enabled_plugins`,
          "export RABBITMQ_PID_FILE=/run/twin-rabbit/rabbit.pid",
          "export ERL_EPMD_ADDRESS=127.0.0.1",
          "export RABBITMQ_CONF_ENV_FILE=/dev/null",
          "mkdir -p /run/twin-rabbit /var/log/neutron/rabbitmq",
        ],
      ),
    );
  }
  if (h.ovs) {
    unit(
      "ovsdb-server",
      unitScript(
        [
          "/usr/sbin/ovsdb-server",
          "/run/openvswitch/conf.db",
          "--remote=punix:/run/openvswitch/db.sock",
          "--remote=db:Open_vSwitch,Open_vSwitch,manager_options",
          "--pidfile=/run/openvswitch/ovsdb-server.pid",
          "--no-chdir",
          "--log-file=/var/log/neutron/ovsdb-server.log",
        ],
        ["[ -f /run/openvswitch/conf.db ] || ovsdb-tool create /run/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema"],
      ),
    );
    unit(
      "ovs-vswitchd",
      unitScript([
        "/usr/sbin/ovs-vswitchd",
        "unix:/run/openvswitch/db.sock",
        "--pidfile=/run/openvswitch/ovs-vswitchd.pid",
        "--no-chdir",
        "--log-file=/var/log/neutron/ovs-vswitchd.log",
      ]),
    );
  }
  for (const svc of h.services) unit(svc, neutronUnit(svc));
  return files;
}
