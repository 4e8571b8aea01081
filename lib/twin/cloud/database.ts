import { CloudPlan, DATABASES, DB_SOCKET } from "./plan";
import { NamespaceRecord, tool } from "./namespace";

/**
 * The cloud's databases in the twin controller's MariaDB (unix socket for clients): one database and
 * one user per service (grants on, root by unix-socket authentication), dumps and restores for the
 * migration cache.
 */


const client = ["/usr/bin/mariadb", "--no-defaults", `--socket=${DB_SOCKET}`, "-uroot"];

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
