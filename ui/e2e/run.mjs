// Runs the end-to-end tests one file at a time and ends with the line CI
// reads: "N passed, N failed".
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const files = readdirSync(here).filter((f) => f.endsWith(".e2e.test.mjs")).map((f) => join(here, f));
let passed = 0;
let failed = 0;
const stream = run({ files, concurrency: 1, timeout: 10 * 60 * 1000 });
// Count the tests themselves, not the per-file wrapper node adds around them.
stream.on("test:pass", (d) => { if (d.nesting > 0 || !d.file || d.name !== d.file) passed += d.details?.type === "suite" ? 0 : 1; });
stream.on("test:fail", (d) => { if (d.nesting > 0 || !d.file || d.name !== d.file) failed += d.details?.type === "suite" ? 0 : 1; });
stream.compose(spec).pipe(process.stdout);
stream.on("end", () => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
});
