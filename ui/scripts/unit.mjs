// Runs the UI's unit tests (vitest) and ends with the line CI reads:
// "N passed, N failed".
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "callpath-ui-unit-"));
const out = join(dir, "results.json");
const r = spawnSync("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`], { stdio: "inherit" });
let passed = 0;
let failed = 0;
try {
  const j = JSON.parse(readFileSync(out, "utf8"));
  passed = j.numPassedTests;
  failed = j.numFailedTests + (j.numFailedTestSuites ?? 0);
} catch {
  failed = 1;
}
rm();
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = r.status === 0 && failed === 0 && passed > 0 ? 0 : 1;

function rm() {
  rmSync(dir, { recursive: true, force: true });
}
