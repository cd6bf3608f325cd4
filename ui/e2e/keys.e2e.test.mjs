// The web UI against a callpathd with API keys (--keys-file): the page
// itself loads without a key, its first API call is refused (401), and the
// UI asks for a key once, refuses a wrong one with a message, and with the
// right one opens the search and keeps sending it (Authorization: Bearer)
// for the rest of the session.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, BIN, ROOT, Stack, launchBrowser } from "./stack.mjs";

const stack = new Stack();
const SAMPLE = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
let browser;
let page;
let key;
const authorizations = [];

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const keys = join(stack.dir, "keys");
  key = execFileSync(join(BIN, "callpathd"), ["key", "new", "--keys-file", keys, "--tenant", "ui", "--scopes", "ingest,query"],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  assert.ok(key.length > 10, `a key: '${key}'`);
  await stack.startDaemon(["--keys-file", keys]);
  stack.apiKey = key;
  await stack.post("/v1/traces", readFileSync(join(ROOT, "testdata/otlp", "otlp-traces-client.json")));
  await stack.waitForTrace(SAMPLE, (s) => s.span_count > 0);
  const refused = await fetch(`${stack.ui}/api/v1/services`);
  assert.equal(refused.status, 401, "the API needs the key");
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on("request", (r) => {
    if (new URL(r.url()).pathname.startsWith("/api/")) authorizations.push(r.headers()["authorization"] ?? null);
  });
});

after(async () => {
  await browser?.close();
  await stack.stop();
});

test("the first refused API call brings up the key dialog, which says what it needs", async () => {
  await page.goto(`${stack.ui}/search?ids=${SAMPLE}`);
  const dialog = page.getByRole("dialog", { name: "API key needed" });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /query/);
  assert.equal(await page.locator(".key-dialog [role=alert]").count(), 0, "no refusal before a key was tried");
  // Modal: the key box has the focus and the page behind takes none.
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("type")), "password");
  assert.equal(await page.locator("main[inert]").count(), 1);
  await page.screenshot({ path: join(ARTIFACTS, "api-key.png") });
});

test("a wrong key is refused with a message and the question stays", async () => {
  await page.getByRole("textbox", { name: "API key" }).fill("cpk_not_a_real_key");
  await page.getByRole("button", { name: "Use key" }).click();
  await page.locator(".key-dialog [role=alert]").filter({ hasText: "refused" }).waitFor();
  assert.equal(await page.getByRole("dialog").count(), 1);
  assert.ok(authorizations.includes("Bearer cpk_not_a_real_key"), "the wrong key was sent");
});

test("the right key opens the search, and every later API call carries it", async () => {
  await page.getByRole("textbox", { name: "API key" }).fill(key);
  await page.getByRole("button", { name: "Use key" }).click();
  await page.getByRole("dialog").waitFor({ state: "detached" });
  assert.equal(await page.locator("main[inert]").count(), 0);
  await page.locator(`.result a[href="/trace/${SAMPLE}"]`).waitFor();
  await page.locator("select option", { hasText: "node-probe-client" }).first().waitFor({ state: "attached" });
  const before = authorizations.length;
  await page.locator(`.result a[href="/trace/${SAMPLE}"]`).click();
  await page.locator(".wf-row").first().waitFor();
  assert.equal(await page.getByRole("dialog").count(), 0, "not asked again");
  const later = authorizations.slice(before);
  assert.ok(later.length > 0);
  assert.deepEqual([...new Set(later)], [`Bearer ${key}`]);
  assert.equal(await page.evaluate(() => sessionStorage.getItem("callpath.apiKey")), key);
});

test("a reload keeps the key for the session; cancelling the question leaves an error, not a loop", async () => {
  await page.reload();
  await page.locator(".wf-row").first().waitFor();
  assert.equal(await page.getByRole("dialog").count(), 0);
  await page.evaluate(() => sessionStorage.setItem("callpath.apiKey", "cpk_revoked"));
  await page.goto(`${stack.ui}/search?ids=${SAMPLE}`);
  await page.locator(".key-dialog [role=alert]").filter({ hasText: "refused" }).waitFor();
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("dialog").waitFor({ state: "detached" });
});
