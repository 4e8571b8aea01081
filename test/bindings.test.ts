import { execFileSync } from "child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "fs";
import { tmpdir } from "os";
import { join, relative } from "path";

const root = join(__dirname, "..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test("the committed openstack bindings are exactly what `npm run gen` generates from schema/", () => {
  const out = mkdtempSync(join(tmpdir(), "dvr-lab-gen-"));
  try {
    execFileSync("node", [join(root, "scripts/gen-openstack-bindings.js"), out], { stdio: "pipe" });
    const fresh = join(out, "providers/openstack");
    const committed = join(root, "lib/gen/providers/openstack");
    const list = (d: string) => files(d).map((f) => relative(d, f)).sort();
    expect(list(fresh)).toEqual(list(committed));
    for (const f of list(fresh)) expect(readFileSync(join(fresh, f), "utf8")).toBe(readFileSync(join(committed, f), "utf8"));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
