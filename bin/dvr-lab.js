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
// Writes to a pipe are asynchronous: exit only once stdout and stderr are drained (process.exit
// right after a large `--json` result cut it short for a reading process).
function exit(code) {
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}
cli.main(process.argv.slice(2)).then(exit, (err) => {
  console.error(`dvr-lab: ${err && err.message ? err.message : err}`);
  exit(1);
});
