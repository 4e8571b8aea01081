import { App } from "cdktf";
import { ReferenceLabStack } from "../lib/layouts/reference-lab";
import { UpstreamLayoutStack } from "../lib/layouts/upstream-layout";

// Both example stacks in one app: `npm run synth` and `cdktf synth` (cdktf.json) run this.
const app = new App();
new ReferenceLabStack(app, "reference-lab");
new UpstreamLayoutStack(app, "upstream-layout");
app.synth();
