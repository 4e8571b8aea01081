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

/** Absolute path of a remote script shipped in the package's remote/ folder. */
export function remoteScriptPath(name: string): string {
  return join(packageRoot(), "remote", name);
}

/** The content of a remote script shipped in the package's remote/ folder. */
export function remoteScript(name: string): string {
  let content = cache.get(name);
  if (content === undefined) {
    content = readFileSync(remoteScriptPath(name), "utf8");
    cache.set(name, content);
  }
  return content;
}

/**
 * The content a `file` provisioner uploads from `source` (a stack-relative asset path such as
 * `assets/DvrLabPushScript/<sha256>/dvr_push.py`): the file in the stack folder when it is given and
 * holds it, else the package's own remote/<name>, accepted only when its sha256 is the hash in the
 * asset path (so it is byte for byte what Terraform would upload). Throws otherwise.
 */
export function assetContent(source: string, stackDir?: string): string {
  if (stackDir && existsSync(join(stackDir, source))) return readFileSync(join(stackDir, source), "utf8");
  const m = /^assets\/[^/]+\/([0-9a-f]{64})\/([^/]+)$/.exec(source);
  if (m && existsSync(remoteScriptPath(m[2]))) {
    const text = remoteScript(m[2]);
    if (sha256(text) === m[1]) return text;
    throw new Error(`dvr-lab: asset ${source} is not this package's remote/${m[2]} (sha256 ${sha256(text)}); synthesize the stack again with this dvr-lab`);
  }
  throw new Error(`dvr-lab: cannot find the file provisioner source ${source}${stackDir ? ` in ${stackDir}` : ""} (give the stack's folder, which holds its assets/)`);
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
