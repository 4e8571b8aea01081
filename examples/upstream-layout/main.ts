import { App } from "cdktf";
import { UpstreamLayoutStack } from "./stack";

const app = new App();
new UpstreamLayoutStack(app, "upstream-layout");
app.synth();
