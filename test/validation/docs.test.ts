import { readFileSync } from "fs";
import { join } from "path";
import { LAB_RULES } from "../../lib";

const doc = readFileSync(join(__dirname, "../../docs/RULES.md"), "utf8");

test("docs/RULES.md has exactly the rules table of LAB_RULES (id, level, what, why, fix)", () => {
  const rows = doc.split("\n").filter((l) => /^\| DVR-[EWI]\d{3} \|/.test(l));
  expect(rows).toEqual(LAB_RULES.map((r) => `| ${r.id} | ${r.level} | ${r.what} | ${r.why} | ${r.fix} |`));
});

test("rule ids are unique and their letter matches their level", () => {
  const ids = LAB_RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const r of LAB_RULES) expect(r.id[4]).toBe({ error: "E", warning: "W", info: "I" }[r.level]);
});

test("README.md carries the same rules table as docs/RULES.md", () => {
  const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
  const rows = readme.split("\n").filter((l) => /^\| DVR-[EWI]\d{3} \|/.test(l));
  expect(rows).toEqual(LAB_RULES.map((r) => `| ${r.id} | ${r.level} | ${r.what} | ${r.why} | ${r.fix} |`));
});
