import { createHash } from "crypto";
import { existsSync, readFileSync } from "fs";
import { dirname, join } from "path";

/** Root of the dvr-lab package (works from lib/ under ts-jest and from dist/lib/ after a build). */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, "utf8")).name === "dvr-lab") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("dvr-lab: cannot find the package root (package.json named dvr-lab)");
    dir = up;
  }
}

const cache = new Map<string, string>();

/** The content of a remote script shipped in the package's remote/ folder. */
export function remoteScript(name: string): string {
  let content = cache.get(name);
  if (content === undefined) {
    content = readFileSync(join(packageRoot(), "remote", name), "utf8");
    cache.set(name, content);
  }
  return content;
}

/**
 * Escapes a literal for a Terraform string: Terraform would otherwise interpolate "${" and "%{"
 * sequences of an embedded script. Terraform turns "$${" back into "${" before uploading.
 */
export function terraformEscape(literal: string): string {
  return literal.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
