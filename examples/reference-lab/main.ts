import { App } from "cdktf";
import { ReferenceLabStack } from "./stack";

const app = new App();
new ReferenceLabStack(app, "reference-lab");
app.synth();
