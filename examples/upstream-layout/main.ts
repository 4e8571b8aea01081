import { App } from "cdktf";
import { UpstreamLayoutStack } from "../../lib/layouts/upstream-layout";

const app = new App();
new UpstreamLayoutStack(app, "upstream-layout");
app.synth();
