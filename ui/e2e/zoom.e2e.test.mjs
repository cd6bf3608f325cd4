// Readable at 200 % zoom: the search and trace pages in a 640 CSS-pixel
// wide window at device scale 2 (what a 1280-pixel window shows at 200 %),
// and at 320 CSS pixels (400 %).
// The page must not scroll sideways, and no control of the top bar, the
// search form, the trace header, tabs or waterfall toolbar may stick out
// of the window or overlap another. Screenshots go to build/ui-e2e/.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, ROOT, Stack, launchBrowser } from "./stack.mjs";

const stack = new Stack();
const SAMPLE = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
let browser;
let page;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  await stack.startDaemon();
  for (const f of ["otlp-traces-client.json", "otlp-traces-server.json"]) await stack.post("/v1/traces", readFileSync(join(ROOT, "testdata/otlp", f)));
  for (const f of ["otlp-logs-client.json", "otlp-logs-server.json"]) await stack.post("/v1/logs", readFileSync(join(ROOT, "testdata/otlp", f)));
  await stack.waitForTrace(SAMPLE, (s) => s.span_count >= 8);
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 640, height: 450 }, deviceScaleFactor: 2 });
  await page.emulateMedia({ colorScheme: "light" });
});

after(async () => {
  await browser?.close();
  await stack.stop();
});

// Runs in the page: what sticks out or overlaps, as sentences.
function layoutProblems(containers) {
  const problems = [];
  const root = document.scrollingElement;
  if (root.scrollWidth > root.clientWidth + 1) problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  const name = (el) => `${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : ""} "${(el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 20)}"`;
  const controls = [];
  for (const sel of containers) {
    for (const box of document.querySelectorAll(sel)) {
      for (const el of box.querySelectorAll("a, button, input, select, label > span, h1")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
        controls.push({ el, r });
        if (r.left < -1 || r.right > innerWidth + 1) problems.push(`${name(el)} in ${sel} is outside the window (${Math.round(r.left)}..${Math.round(r.right)} of ${innerWidth})`);
      }
    }
  }
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i];
      const b = controls[j];
      if (a.el.contains(b.el) || b.el.contains(a.el)) continue;
      const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
      const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
      if (w > 2 && h > 2) problems.push(`${name(a.el)} overlaps ${name(b.el)}`);
    }
  }
  return problems;
}

// 200 % of a 1280-pixel window, and 400 % (320 CSS pixels: the width WCAG's
// reflow criterion asks pages to work at).
for (const { width, zoom } of [{ width: 640, zoom: "200 %" }, { width: 320, zoom: "400 %" }]) {
  test(`at ${zoom} the search page fits the window and no control overlaps another`, async () => {
    await page.setViewportSize({ width, height: 450 });
    await page.goto(`${stack.ui}/search?ids=${SAMPLE}`);
    await page.locator(`.result a[href="/trace/${SAMPLE}"]`).waitFor();
    const problems = await page.evaluate(layoutProblems, ["header.top", ".search-form", ".results"]);
    await page.screenshot({ path: join(ARTIFACTS, `zoom-${width}-search.png`) });
    assert.deepEqual(problems, []);
  });

  test(`at ${zoom} the trace page fits the window and no control overlaps another`, async () => {
    await page.setViewportSize({ width, height: 450 });
    await page.goto(`${stack.ui}/trace/${SAMPLE}`);
    await page.locator(".wf-row").first().waitFor();
    const problems = await page.evaluate(layoutProblems, ["header.top", ".trace-header", ".tabs", ".trace-toolbar"]);
    await page.screenshot({ path: join(ARTIFACTS, `zoom-${width}-trace.png`) });
    assert.deepEqual(problems, []);
  });
}
