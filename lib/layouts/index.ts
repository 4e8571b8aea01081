// The example layouts as stacks (examples/ and the lab twin synthesize these; the installed package has them).
export * from "./site-variables";
export * from "./providers";
export * from "./example-lab";
export * from "./reference-lab";
export * from "./upstream-layout";
