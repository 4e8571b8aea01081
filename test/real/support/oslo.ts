import { spawnSync } from "child_process";
import { mkdtempSync, rmSync } from "fs";
import { join } from "path";
import { ManagedFile } from "./neutron-node";

const VALUES_SCRIPT = join(__dirname, "oslo_values.py");

export interface ValueCheck {
  readonly checked: number;
  readonly errors: string[];
  readonly unchecked: string[];
  /** "section.key" -> repr of the parsed value */
  readonly values: Record<string, string>;
}

/**
 * Neutron's own view of a config file, with Debian's oslo.config (/usr/bin/python3):
 * - `validate`: oslo-config-validator against option data generated ONCE per run per file type
 *   (`oslo-config-generator --format yaml`, ~2 s each), then `--opt-data` (~0.2 s a file): names.
 * - `values`: oslo.config loads the file with the namespaces' options registered and reads every
 *   key that is set; bad choices and booleans raise (test/real/support/oslo_values.py).
 */
export class OsloCheck {
  private readonly dir = mkdtempSync("/tmp/dvr-lab-oslo-");
  private readonly optData = new Map<string, string>();

  private optDataFor(file: ManagedFile): string {
    let path = this.optData.get(file.name);
    if (!path) {
      path = join(this.dir, `${file.name}.yaml`);
      const args = ["--format", "yaml", "--output-file", path, ...file.namespaces.flatMap((n) => ["--namespace", n])];
      const r = spawnSync("/usr/bin/oslo-config-generator", args, { encoding: "utf8", timeout: 120_000 });
      if (r.status !== 0) throw new Error(`oslo-config-generator for ${file.name} failed: ${r.stderr}`);
      this.optData.set(file.name, path);
    }
    return path;
  }

  /** oslo-config-validator on `path` (contents of the kind `file`); returns status and ERROR lines. */
  public validate(file: ManagedFile, path = file.path): { status: number; errors: string[] } {
    const r = spawnSync("/usr/bin/oslo-config-validator", ["--opt-data", this.optDataFor(file), "--input-file", path], {
      encoding: "utf8",
      timeout: 120_000,
    });
    const errors = `${r.stdout}\n${r.stderr}`.split("\n").filter((l) => l.startsWith("ERROR"));
    return { status: r.status ?? -1, errors };
  }

  /** One /usr/bin/python3 process checks the values of all `files` (~1.5 s). */
  public values(files: readonly ManagedFile[]): Record<string, ValueCheck> {
    const args = [VALUES_SCRIPT, ...files.map((f) => `${f.path}=${[...f.namespaces, ...(f.name === "ml2_conf.ini" ? ["+mechanism-drivers"] : [])].join(",")}`)];
    const r = spawnSync("/usr/bin/python3", args, { encoding: "utf8", timeout: 120_000 });
    if (!r.stdout.trim()) throw new Error(`oslo_values.py failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, ValueCheck>;
  }

  public dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
