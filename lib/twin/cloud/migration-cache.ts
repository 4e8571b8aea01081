import { spawnSync } from "child_process";
import { createHash } from "crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "fs";
import { join, resolve } from "path";
import { defaultStateDir } from "../state-dir";

/**
 * The DB-migration cache (issue 13 "Speed and size"; docs/CLOUD-TWIN.md §7): the schemas as the
 * services' own sync commands left them, dumped once per machine and package version (mariadb-dump)
 * and restored on later bring-ups instead of running the migrations again.
 *
 * What a dump holds: only what the setup commands wrote. Keystone is dumped before bootstrap (no
 * user, no password hash), glance and placement after their db sync, nova's three databases after
 * `api_db sync`, `cell_v2 map_cell0`, `cell_v2 create_cell` and `db sync`, with the cell mappings'
 * transport URL and database connections replaced by placeholders (nova.ts scrubNovaApiDump; a
 * restore writes this bring-up's values back). A dump holding any password of its bring-up is not
 * stored. The key is the installed versions of the packages that own the migrations (and of MariaDB,
 * which writes the dump), each with the hash of its dpkg file list checksums, plus CACHE_FORMAT: a
 * changed package or a reinstalled one with other files is a new key (the old entry stays unused).
 */

export const CACHE_FORMAT = "dvr-lab/cloud-db-cache@2";

/** The packages whose code defines the schemas (and the dump writer). */
export const SCHEMA_PACKAGES = ["python3-keystone", "python3-glance", "python3-placement", "python3-nova", "mariadb-server"] as const;

export const CACHED_DATABASES = ["keystone", "glance", "placement", "nova_api", "nova", "nova_cell0"] as const;
export type CachedDatabase = (typeof CACHED_DATABASES)[number];

export interface CacheKey {
  readonly key: string;
  readonly inputs: Record<string, string>;
}

export function migrationCacheKey(): CacheKey {
  const inputs: Record<string, string> = { format: CACHE_FORMAT };
  for (const p of SCHEMA_PACKAGES) {
    const q = spawnSync("dpkg-query", ["-W", "-f=${Version}", p], { encoding: "utf8" });
    const version = q.status === 0 ? q.stdout.trim() : "";
    if (!version) throw new Error(`dvr-lab cloud: package ${p} is not installed (npm run setup)`);
    const sums = `/var/lib/dpkg/info/${p}.md5sums`;
    const files = existsSync(sums) ? createHash("sha256").update(readFileSync(sums)).digest("hex").slice(0, 16) : "none";
    inputs[p] = `${version} files:${files}`;
  }
  const key = createHash("sha256").update(JSON.stringify(inputs)).digest("hex").slice(0, 24);
  return { key, inputs };
}

/** `$DVR_LAB_CLOUD_DB_CACHE`, else `<package>/.twin/.cache/cloud-db` (git-ignored, like the state dirs). */
export function cacheRoot(): string {
  if (process.env.DVR_LAB_CLOUD_DB_CACHE) return resolve(process.env.DVR_LAB_CLOUD_DB_CACHE);
  return join(defaultStateDir(".cache"), "cloud-db");
}

interface Manifest {
  format: string;
  inputs: Record<string, string>;
  createdAt: string;
  files: Record<string, { sha256: string; bytes: number }>;
}

const sha = (b: string) => createHash("sha256").update(b).digest("hex");

/** The cached dumps for `key`, verified (manifest inputs and each file's sha256); undefined = miss. */
export function loadDumps(key: CacheKey, root = cacheRoot()): Record<CachedDatabase, string> | undefined {
  const dir = join(root, key.key);
  const mf = join(dir, "manifest.json");
  if (!existsSync(mf)) return undefined;
  try {
    const m = JSON.parse(readFileSync(mf, "utf8")) as Manifest;
    if (m.format !== CACHE_FORMAT || JSON.stringify(m.inputs) !== JSON.stringify(key.inputs)) return undefined;
    const out: Partial<Record<CachedDatabase, string>> = {};
    for (const db of CACHED_DATABASES) {
      const text = readFileSync(join(dir, `${db}.sql`), "utf8");
      if (!m.files[db] || sha(text) !== m.files[db].sha256) return undefined;
      out[db] = text;
    }
    return out as Record<CachedDatabase, string>;
  } catch {
    return undefined;
  }
}

/** Stores the dumps atomically (a temp dir renamed into place; a concurrent writer's entry wins). */
export function storeDumps(key: CacheKey, dumps: Record<CachedDatabase, string>, root = cacheRoot()): string {
  mkdirSync(root, { recursive: true });
  const dir = join(root, key.key);
  const tmp = join(root, `.${key.key}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files: Manifest["files"] = {};
  for (const db of CACHED_DATABASES) {
    writeFileSync(join(tmp, `${db}.sql`), dumps[db]);
    files[db] = { sha256: sha(dumps[db]), bytes: Buffer.byteLength(dumps[db]) };
  }
  const manifest: Manifest = { format: CACHE_FORMAT, inputs: key.inputs, createdAt: new Date().toISOString(), files };
  writeFileSync(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}
