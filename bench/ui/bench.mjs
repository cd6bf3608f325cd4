// The trace page on big traces: synthetic traces of 10k, 50k and 200k spans
// loaded into a real callpathd, opened in headless chromium (Debian's,
// through playwright-core). Per size: the skeleton's size and server time,
// the time from navigation to the first waterfall rows, the frame time while
// scrolling the waterfall, the DOM rows, and the JS heap after opening;
// then where a cold open's time goes (the page's performance marks): the
// skeleton request until its answer starts, reading the body, JSON.parse,
// building the model (typed arrays), rendering the first rows.
//
//   cd ui && npm ci && npm run build && node ../bench/ui/bench.mjs [sizes...]
import { Stack, launchBrowser } from "../../ui/e2e/stack.mjs";
import { syntheticTrace, traceIdFor } from "./synthetic.mjs";

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const SIZES = sizes.length ? sizes : [10000, 50000, 200000];
const RUNS = 3;

const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function load(stack, spans) {
  const startNs = BigInt(Date.now() - 60_000) * 1000000n;
  for (const req of syntheticTrace(spans, startNs)) await stack.post(`/v1/${req.kind}`, req.body);
  await stack.waitForTrace(traceIdFor(spans), (s) => s.span_count === spans, 300);
}

async function openOnce(browser, url) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(url, { waitUntil: "commit" });
  await page.locator(".wf-row").first().waitFor({ timeout: 120_000 });
  // The mark the waterfall sets when its first rows are rendered, in ms
  // after the navigation started.
  const marks = await page.evaluate(() => Object.fromEntries(
    ["callpath:skeleton:response", "callpath:skeleton:body", "callpath:skeleton:parsed", "callpath:model", "callpath:first-rows"]
      .map((n) => [n.replace("callpath:", ""), performance.getEntriesByName(n)[0]?.startTime ?? NaN])));
  const firstRowsMs = Number.isNaN(marks["first-rows"]) ? await page.evaluate(() => performance.now()) : marks["first-rows"];
  // Scroll the waterfall one screen per frame for 150 frames.
  const frames = await page.evaluate(() => new Promise((resolve) => {
    const box = document.querySelector(".wf-scroll");
    const times = [];
    let last = performance.now();
    let n = 0;
    const tick = (now) => {
      times.push(now - last);
      last = now;
      box.scrollTop += box.clientHeight;
      if (++n < 150) requestAnimationFrame(tick);
      else resolve(times.slice(1));
    };
    requestAnimationFrame(tick);
  }));
  const rows = await page.locator(".wf-row").count();
  await cdp.send("HeapProfiler.collectGarbage");
  // The JS heap plus the typed arrays' backing stores, which live outside it.
  const usage = await cdp.send("Runtime.getHeapUsage");
  const heap = usage.usedSize + (usage.backingStorageSize ?? 0);
  const { metrics } = await cdp.send("Performance.getMetrics");
  const nodes = metrics.find((m) => m.name === "Nodes").value;
  await page.close();
  const sorted = frames.slice().sort((a, b) => a - b);
  const steps = {
    requestMs: marks["skeleton:response"],
    bodyMs: marks["skeleton:body"] - marks["skeleton:response"],
    parseMs: marks["skeleton:parsed"] - marks["skeleton:body"],
    modelMs: marks["model"] - marks["skeleton:parsed"],
    renderMs: marks["first-rows"] - marks["model"],
  };
  return { firstRowsMs, steps, meanFrameMs: frames.reduce((a, b) => a + b, 0) / frames.length, p95FrameMs: sorted[Math.floor(sorted.length * 0.95)], heapMB: heap / 1048576, rows, nodes };
}

const stack = new Stack();
try {
  await stack.startDaemon();
  const browser = await launchBrowser();
  // A small trace whose skeleton evicts the big one from the daemon's
  // last-trace cache: every "cold" open reads the trace from the store.
  await load(stack, 10);
  // Both of its caches: the skeleton's and the full trace's (span details).
  const small = traceIdFor(10);
  const evict = async () => {
    const s = await (await fetch(`${stack.ui}/api/v1/traces/${small}/skeleton`)).json();
    await (await fetch(`${stack.ui}/api/v1/traces/${small}/spans?ids=${s.ids.slice(0, 16)}`)).arrayBuffer();
  };
  const breakdown = [];
  console.log("| spans | skeleton (gzip) | skeleton server time cold / cached | first rows cold (median of 3) | first rows cached | scroll frame mean / p95 | frames/s | DOM rows | JS heap + buffers |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const spans of SIZES) {
    await load(stack, spans);
    const id = traceIdFor(spans);
    const timed = async () => {
      const t0 = performance.now();
      const body = await (await fetch(`${stack.ui}/api/v1/traces/${id}/skeleton`)).arrayBuffer();
      return { ms: performance.now() - t0, body };
    };
    await evict();
    const cold = await timed();
    const warm = await timed();
    const { gzipSync } = await import("node:zlib");
    const gz = gzipSync(Buffer.from(cold.body), { level: 1 }).length;
    const runs = [];
    for (let k = 0; k < RUNS; k++) {
      await evict();
      runs.push(await openOnce(browser, `${stack.ui}/trace/${id}`));
    }
    const cached = await openOnce(browser, `${stack.ui}/trace/${id}`);
    const m = (f) => median(runs.map(f));
    const step = (k) => m((x) => x.steps[k]).toFixed(0);
    breakdown.push(`| ${spans.toLocaleString("en")} | ${step("requestMs")} ms | ${step("bodyMs")} ms | ${step("parseMs")} ms | ${step("modelMs")} ms | ${step("renderMs")} ms |`);
    console.log(`| ${spans.toLocaleString("en")} | ${(cold.body.byteLength / 1048576).toFixed(1)} MB (${(gz / 1048576).toFixed(1)} MB) | ${cold.ms.toFixed(0)} / ${warm.ms.toFixed(0)} ms | ${m((x) => x.firstRowsMs).toFixed(0)} ms | ${cached.firstRowsMs.toFixed(0)} ms | ${m((x) => x.meanFrameMs).toFixed(1)} / ${m((x) => x.p95FrameMs).toFixed(1)} ms | ${(1000 / m((x) => x.meanFrameMs)).toFixed(0)} | ${m((x) => x.rows)} | ${m((x) => x.heapMB).toFixed(0)} MB |`);
  }
  console.log("\nWhere a cold open's time goes (median of each step):\n");
  console.log("| spans | navigation to the skeleton's answer | body | JSON.parse | model | first rows rendered |");
  console.log("|---|---|---|---|---|---|");
  for (const line of breakdown) console.log(line);
  await browser.close();
} finally {
  await stack.stop();
}
