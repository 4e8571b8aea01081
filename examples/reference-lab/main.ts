import { App } from "cdktf";
import { ReferenceLabStack } from "../../lib/layouts/reference-lab";

const app = new App();
new ReferenceLabStack(app, "reference-lab");
app.synth();
