#!/usr/bin/env node
"use strict";
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically by `npm ci`).
let cli;
try {
  cli = require("../dist/lib/cli/main.js");
} catch (err) {
  console.error("dvr-lab: dist/ is missing or stale; run `npm run build` first (" + err.message + ")");
  process.exit(1); // "the command failed" (lib/cli/exit-codes.ts): 2 is only for a wrong command line
}
cli.main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(`dvr-lab: ${err && err.message ? err.message : err}`);
    process.exit(1);
  },
);
