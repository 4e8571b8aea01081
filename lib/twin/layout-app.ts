/**
 * The cdktf app of one example layout, for `cdktf deploy` (the lab's cdktf project, lib/twin/deploy.ts):
 *
 *   node <package>/dist/lib/twin/layout-app.js reference|upstream
 *
 * The CDKTF CLI runs it with CDKTF_OUTDIR set (App's default outdir), in the project's folder (so
 * the stack's default local state, terraform.<stack>.tfstate, lands there). The stack's id is the
 * layout's folder name (reference-lab, upstream-layout), as in examples/main.ts.
 */
import { App } from "cdktf";
import { Layout, LAYOUTS } from "./lab";

const layout = process.argv[2] as Layout;
const l = LAYOUTS[layout];
if (!l) {
  process.stderr.write(`layout-app: unknown layout "${String(layout)}" (known: ${Object.keys(LAYOUTS).join(", ")})\n`);
  process.exit(2);
}
// eslint-disable-next-line @typescript-eslint/no-var-requires
const mod = require(`../layouts/${l.dir}`) as Record<string, new (scope: App, id: string) => unknown>;
const app = new App();
new mod[l.cls](app, l.dir);
app.synth();
