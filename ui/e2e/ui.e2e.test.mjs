// The web UI in a real browser (Debian's chromium, headless, through
// playwright-core) against a real callpathd loaded with the OpenTelemetry JS
// samples and with traces of the demo shop, one of whose payments fails:
// search -> open the failing trace -> the cause panel names the erroring
// span -> its log lines are visible -> next error -> compare two traces ->
// the services graph shows the shop's edges. Screenshots of every page go
// to build/ui-e2e/ (CALLPATH_UI_ARTIFACTS).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, ROOT, Stack, launchBrowser } from "./stack.mjs";

const stack = new Stack();
let browser;
let page;
let good;
let bad;
const SAMPLE = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await stack.startDaemon();
  await stack.startShop();
  for (const f of ["otlp-traces-client.json", "otlp-traces-server.json"]) await stack.post("/v1/traces", readFileSync(join(ROOT, "testdata/otlp", f)));
  for (const f of ["otlp-logs-client.json", "otlp-logs-server.json"]) await stack.post("/v1/logs", readFileSync(join(ROOT, "testdata/otlp", f)));
  const oks = [];
  for (let i = 0; i < 3; i++) oks.push(await stack.placeOrder());
  await stack.setFault("payment", { operation: "Charge", fault: "error" });
  const fails = [];
  for (let i = 0; i < 2; i++) fails.push(await stack.placeOrder());
  await stack.clearFaults("payment");
  good = oks.find((o) => o.status < 300 && o.traceId)?.traceId;
  bad = fails.find((o) => o.status >= 500 && o.traceId)?.traceId;
  assert.ok(good, `a successful order: ${JSON.stringify(oks)}`);
  assert.ok(bad, `a failed order: ${JSON.stringify(fails)}`);
  const services = (s) => new Set(s.services);
  await stack.waitForTrace(good, (s) => ["gateway", "order-service", "payment-service"].every((x) => services(s).has(x)));
  await stack.waitForTrace(bad, (s) => s.error_count >= 2 && services(s).has("payment-service") && s.log_count > 0);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.emulateMedia({ colorScheme: "light" });
});

after(async () => {
  await browser?.close();
  await stack.stop();
});

test("search finds the failing order and its point is on the scatter plot", async () => {
  await page.goto(`${stack.ui}/search?service=gateway&errors=true&lookback=1h`);
  const row = page.locator(`.result a[href="/trace/${bad}"]`);
  await row.waitFor();
  assert.equal(await page.locator(".scatter canvas").count() > 0, true);
  await page.locator(`.result a[href="/trace/${good}"]`).waitFor({ state: "detached" });
  await shot("search");
  await row.click();
  await page.waitForURL(`**/trace/${bad}`);
});

test("a trace-level log condition finds the trace whose payment logged the failure", async () => {
  await page.goto(`${stack.ui}/search?logText=charge%20failed&lookback=1h`);
  await page.locator(`.result a[href="/trace/${bad}"]`).waitFor();
  assert.equal(await page.locator(`.result a[href="/trace/${good}"]`).count(), 0);
  await page.goto(`${stack.ui}/trace/${bad}`);
});

test("the cause panel names the erroring span", async () => {
  const cause = page.locator(".cause-panel .cause-span").first();
  await cause.waitFor();
  assert.match(await cause.innerText(), /payment/);
  assert.match(await page.title(), /gateway/);
  await shot("trace");
});

test("the erroring span's log lines are visible in the waterfall and the logs tab", async () => {
  await page.locator(".cause-panel .cause-span").first().click();
  await page.waitForURL(/span=/);
  const spanId = new URL(page.url()).searchParams.get("span");
  const row = page.locator(`.wf-row[data-span="${spanId}"]`);
  await row.waitFor();
  assert.match(await row.getAttribute("class"), /selected/);
  await page.locator(".span-panel table.kv").first().waitFor();
  // payment's Charge wrote "charge failed": inline under the span, in time
  // order, and in the trace's logs tab.
  await row.locator(".wf-logs").click();
  await page.locator(".wf-logrow .wf-logmsg").filter({ hasText: "charge failed" }).waitFor();
  await shot("trace-logs-inline");
  await page.getByRole("tab", { name: /Logs/ }).click();
  const line = page.locator(".logs-tab tr.log-line").filter({ hasText: "payment" }).first();
  await line.waitFor();
  await shot("trace-logs-tab");
  await page.getByRole("tab", { name: "Waterfall" }).click();
});

test("next error jumps to an erroring span", async () => {
  await page.keyboard.press("Escape");
  const before = new URL(page.url()).searchParams.get("span");
  await page.getByRole("button", { name: "error ▶" }).click();
  await page.waitForFunction((b) => new URL(location.href).searchParams.get("span") !== b, before);
  const id = new URL(page.url()).searchParams.get("span");
  const row = page.locator(`.wf-row[data-span="${id}"]`);
  await row.waitFor();
  assert.match(await row.getAttribute("class"), /error/);
});

test("find counts matches in names and log bodies and the critical path switch hides spans", async () => {
  await page.locator("input.find").fill("Charge");
  // "charge failed" is a log body of payment's Charge span: log lines count.
  await page.locator(".find-count").filter({ hasText: /[1-9][0-9]* spans, [1-9][0-9]* log lines/ }).waitFor();
  const all = await page.locator(".wf-row:not(.wf-logrow)").count();
  await page.getByRole("button", { name: "Critical path only" }).click();
  const critical = await page.locator(".wf-row:not(.wf-logrow)").count();
  assert.ok(critical <= all, `${critical} <= ${all}`);
  await page.getByRole("button", { name: "Critical path only" }).click();
  await page.locator("input.find").fill("");
  // Jaeger's keys: ] collapses all (the root alone), [ expands all again.
  await page.locator(".wf-scroll").focus();
  await page.keyboard.press("]");
  await page.waitForFunction(() => document.querySelectorAll(".wf-row:not(.wf-logrow)").length === 1);
  await page.keyboard.press("[");
  await page.waitForFunction((n) => document.querySelectorAll(".wf-row:not(.wf-logrow)").length === n, all);
});

test("compare shows the status change between a good and a failed order", async () => {
  await page.goto(`${stack.ui}/trace/${good}...${bad}`);
  await page.locator("table.compare tbody tr").first().waitFor();
  assert.ok((await page.locator("table.compare tr.change-status").count()) > 0);
  await shot("compare");
});

test("the services graph shows the shop's edges", async () => {
  await page.goto(`${stack.ui}/services?lookback=1h`);
  await page.locator('g.edge[data-edge="gateway->order-service"]').waitFor();
  const toPayment = page.locator('g.edge[data-edge="order-service->payment-service"]');
  assert.ok((await toPayment.count()) === 1);
  // Calls, error rate and the callee's p99 on the edge; payment failed twice.
  const label = await toPayment.locator("text.edge-label").allTextContents();
  assert.match(label.join(" | "), /^[0-9,]+ calls, [0-9.<]+ % errors \| p99 [0-9.]+ (ns|µs|ms|s)$/);
  assert.match(await toPayment.getAttribute("class"), /has-errors/);
  await shot("services");
});

test("the logs page links each line to its trace", async () => {
  await page.goto(`${stack.ui}/logs?service=payment-service&lookback=1h`);
  const link = page.locator(".logs-page tr.log-line a").first();
  await link.waitFor();
  await shot("logs");
  await link.click();
  await page.waitForURL(/\/trace\/[0-9a-f]+\?span=/);
  await page.locator(".wf-row.selected").waitFor();
});

test("the OpenTelemetry JS sample opens, its missing parent flagged, and in the dark theme", async () => {
  await page.goto(`${stack.ui}/trace/${SAMPLE}?find=work`);
  await page.locator(".wf-row").first().waitFor();
  assert.equal(await page.locator(".wf-row:not(.wf-logrow)").count(), 8);
  await page.locator(".find-count").filter({ hasText: /[1-9][0-9]* spans/ }).waitFor();
  assert.equal(await page.locator("input.find").inputValue(), "work");
  await page.getByRole("button", { name: "Dark" }).click();
  await page.goto(`${stack.ui}/trace/${bad}`);
  await page.locator(".cause-panel .cause-span").first().waitFor();
  await shot("trace-dark");
  await page.getByRole("button", { name: "Light" }).click();
});

test("an unknown trace says so, and old routes fall back to the app", async () => {
  await page.goto(`${stack.ui}/trace/0123456789abcdef0123456789abcdef`);
  await page.locator(".error-box").filter({ hasText: "not found" }).waitFor();
  const r = await fetch(`${stack.ui}/some/route`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-security-policy"), /script-src 'self'/);
});
