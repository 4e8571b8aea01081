import { CloudPlan, DATABASES, DB_SOCKET } from "./plan";
import { NamespaceRecord, runInside, tool } from "./namespace";
import { CloudServices } from "./services";

/**
 * The cloud's own MariaDB, inside its namespace: datadir on the namespace's tmpfs /run (gone with
 * the namespace), unix socket only for clients (TCP on 127.0.0.1 too), one database and one user per
 * service (grants on, root by unix-socket authentication).
 */

export const DATADIR = "/run/cloud-mysql";

const client = ["/usr/bin/mariadb", "--no-defaults", `--socket=${DB_SOCKET}`, "-uroot"];

export async function startMariadb(ns: NamespaceRecord, services: CloudServices, logDir: string): Promise<void> {
  await tool(ns, logDir, "mariadb-install-db", [
    "/usr/bin/mariadb-install-db",
    "--no-defaults",
    `--datadir=${DATADIR}`,
    "--user=root",
    "--auth-root-authentication-method=socket",
    "--skip-test-db",
    "--skip-name-resolve",
  ]);
  services.start("mariadb", [
    "/usr/sbin/mariadbd",
    "--no-defaults",
    `--datadir=${DATADIR}`,
    `--socket=${DB_SOCKET}`,
    "--bind-address=127.0.0.1",
    "--port=3306",
    "--user=root",
    "--skip-name-resolve",
    "--skip-log-bin",
    "--innodb-buffer-pool-size=128M",
    "--innodb-log-file-size=32M",
    "--innodb-flush-log-at-trx-commit=0",
    "--innodb-doublewrite=0",
    "--innodb-flush-method=fsync",
    "--max-connections=500",
    "--performance-schema=OFF",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
  ]);
  await services.waitFor("mariadb", "accepting SQL", 60000, async () => (await runInside(ns, [...client, "-e", "SELECT 1"], { timeoutMs: 5000 })).code === 0);
}

/** Runs SQL as root (stdin), throwing with MariaDB's message. */
export async function sql(ns: NamespaceRecord, logDir: string, what: string, text: string, db?: string): Promise<string> {
  return tool(ns, logDir, what, [...client, "--batch", "--skip-column-names", ...(db ? [db] : [])], { input: text });
}

/** A SQL string literal (MariaDB escaping). */
export const sqlString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/**
 * Every service database (utf8mb4, whatever the server's default: the lab twin's MariaDB runs with
 * compiled-in defaults) and its user (password from the plan), grants on its own databases only.
 */
export async function createDatabases(ns: NamespaceRecord, logDir: string, plan: CloudPlan): Promise<void> {
  const lines: string[] = [];
  for (const user of new Set(DATABASES.map((d) => d.user))) {
    lines.push(`CREATE USER IF NOT EXISTS ${sqlString(user)}@'localhost' IDENTIFIED BY ${sqlString(plan.passwords.db[user])};`);
  }
  for (const d of DATABASES) {
    lines.push(`CREATE DATABASE IF NOT EXISTS \`${d.db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;`, `GRANT ALL PRIVILEGES ON \`${d.db}\`.* TO ${sqlString(d.user)}@'localhost';`);
  }
  lines.push("FLUSH PRIVILEGES;");
  await sql(ns, logDir, "databases-and-users", lines.join("\n") + "\n");
}

/** One database's schema and rows as SQL (for the migration cache). */
export async function dumpDatabase(ns: NamespaceRecord, logDir: string, db: string): Promise<string> {
  return tool(ns, logDir, `dump-${db}`, [
    "/usr/bin/mariadb-dump",
    "--no-defaults",
    `--socket=${DB_SOCKET}`,
    "-uroot",
    "--single-transaction",
    "--routines",
    "--triggers",
    "--skip-comments",
    "--skip-dump-date",
    db,
  ], { logStdout: false });
}

export async function restoreDatabase(ns: NamespaceRecord, logDir: string, db: string, dump: string): Promise<void> {
  await sql(ns, logDir, `restore-${db}`, dump, db);
}

/** Drops and recreates a database (after a failed cache restore; grants stay). */
export async function recreateDatabase(ns: NamespaceRecord, logDir: string, db: string): Promise<void> {
  await sql(ns, logDir, `recreate-${db}`, `DROP DATABASE IF EXISTS \`${db}\`;\nCREATE DATABASE \`${db}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;\n`);
}

/** Tables in a database (a restore's sanity check). */
export async function tableCount(ns: NamespaceRecord, logDir: string, db: string): Promise<number> {
  const out = await sql(ns, logDir, `tables-${db}`, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ${sqlString(db)};\n`);
  return Number(out.trim());
}
