// Real processes for the end-to-end tests and the benchmark: callpathd (and,
// for the e2e tests, the demo shop's four services and the gateway) on free
// loopback ports, each with its own scratch directory and log file, stopped
// by PID.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const UI_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(UI_DIR, "..");
export const BIN = process.env.CALLPATH_BIN_DIR ?? join(ROOT, "build", "bin");
export const ARTIFACTS = process.env.CALLPATH_UI_ARTIFACTS ?? join(ROOT, "build", "ui-e2e");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Stack {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "callpath-ui-"));
    this.procs = [];
    this.ports = {};
  }

  async launch(name, args) {
    const ready = join(this.dir, `${name}.ready`);
    const log = openSync(join(this.dir, `${name}.log`), "w");
    const p = spawn(args[0], [...args.slice(1), "--ready-file", ready], { stdio: ["ignore", log, log], env: this.env ?? process.env });
    this.procs.push({ name, p });
    for (let i = 0; i < 600; i++) {
      if (p.exitCode !== null) throw new Error(`${name} exited (${p.exitCode}):\n${this.log(name)}`);
      if (existsSync(ready)) {
        try {
          return JSON.parse(readFileSync(ready, "utf8"));
        } catch {
          // written but not complete yet
        }
      }
      await sleep(100);
    }
    throw new Error(`${name} did not become ready in 60 s:\n${this.log(name)}`);
  }

  log(name) {
    try {
      return readFileSync(join(this.dir, `${name}.log`), "utf8").slice(-3000);
    } catch {
      return "";
    }
  }

  async startDaemon(extra = []) {
    const r = await this.launch("callpathd", [join(BIN, "callpathd"), "--data-dir", join(this.dir, "store"),
      "--otlp-http-listen", "127.0.0.1:0", "--otlp-grpc-listen", "127.0.0.1:0", "--query-listen", "127.0.0.1:0",
      "--sync-writes", "false", "--max-item-age", "0", "--ui-dir", process.env.CALLPATH_UI_DIST ?? join(UI_DIR, "dist"), ...extra]);
    this.ports.query = r.query_port;
    this.ports.otlp = r.otlp_http_port;
    this.ui = `http://127.0.0.1:${r.query_port}`;
    return r;
  }

  // The demo shop behind the gateway (as tests/drills/shop_stack.cc runs it).
  async startShop() {
    this.env = {
      ...process.env,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${this.ports.otlp}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_BSP_SCHEDULE_DELAY: "200",
      OTEL_BLRP_SCHEDULE_DELAY: "200",
      OTEL_TRACES_SAMPLER: "always_on",
    };
    for (const k of ["OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_LOGS_EXPORTER", "OTEL_SERVICE_NAME"]) delete this.env[k];
    const url = (s) => `http://127.0.0.1:${this.ports[s]}`;
    this.admin = {};
    for (const svc of ["user", "payment", "inventory", "order"]) {
      const args = [join(BIN, `shop-${svc}`), "--host", "127.0.0.1", "--port", "0", "--admin-port", "0"];
      if (svc === "payment") args.push("--user-url", url("user"));
      if (svc === "order") args.push("--user-url", url("user"), "--payment-url", url("payment"), "--inventory-addr", `127.0.0.1:${this.ports.inventory}`);
      const r = await this.launch(svc, args);
      this.ports[svc] = r.port;
      this.admin[svc] = r.admin_port;
    }
    const config = join(this.dir, "gateway.yaml");
    writeFileSync(config, `listen: 127.0.0.1:0\nthreads: 2\nservice_name: gateway\nroutes:\n  - match: {path_prefix: /api/orders}\n    upstream: orders\n    timeout: 5s\n    strip_prefix: /api\nupstreams:\n  orders:\n    endpoints: [127.0.0.1:${this.ports.order}]\n`);
    const g = await this.launch("gateway", [join(BIN, "callpath-gateway"), "--config", config]);
    this.ports.gateway = g.port;
  }

  async setFault(service, fault) {
    const r = await fetch(`http://127.0.0.1:${this.admin[service]}/admin/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fault) });
    if (!r.ok) throw new Error(`fault on ${service}: ${r.status} ${await r.text()}`);
  }

  async clearFaults(service) {
    await fetch(`http://127.0.0.1:${this.admin[service]}/admin/faults`, { method: "DELETE" }).catch(() => undefined);
  }

  static orderCount = 0;

  async placeOrder() {
    const r = await fetch(`http://127.0.0.1:${this.ports.gateway}/api/orders`, {
      method: "POST",
      headers: { "content-type": "application/json", "Idempotency-Key": `ui-e2e-${process.pid}-${++Stack.orderCount}` },
      body: JSON.stringify({ user_id: 1, items: [{ sku: "SKU-1003", quantity: 2 }, { sku: "SKU-1011", quantity: 1 }] }),
    });
    await r.text();
    return { status: r.status, traceId: r.headers.get("x-trace-id") };
  }

  // Authorization sent by post/api/waitForTrace (a daemon with --keys-file).
  authHeaders() {
    return this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {};
  }

  async post(path, body, type = "application/json") {
    const r = await fetch(`http://127.0.0.1:${this.ports.otlp}${path}`, { method: "POST", headers: { "content-type": type, ...this.authHeaders() }, body });
    if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  }

  async api(path) {
    const r = await fetch(this.ui + path, { headers: this.authHeaders() });
    if (!r.ok) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  }

  // Polls the skeleton until `done(skeleton)` holds (spans arrive over time).
  async waitForTrace(id, done, seconds = 45) {
    let last = null;
    for (let i = 0; i < seconds * 5; i++) {
      const r = await fetch(`${this.ui}/api/v1/traces/${id}/skeleton`, { headers: this.authHeaders() });
      if (r.ok) {
        last = await r.json();
        if (done(last)) return last;
      }
      await sleep(200);
    }
    throw new Error(`trace ${id} did not complete: ${last ? last.span_count + " spans" : "not found"}`);
  }

  async stop() {
    for (const { p } of this.procs.reverse()) {
      if (p.exitCode !== null) continue;
      p.kill("SIGTERM");
      for (let i = 0; i < 100 && p.exitCode === null; i++) await sleep(100);
      if (p.exitCode === null) p.kill("SIGKILL");
    }
    if (!process.env.CALLPATH_KEEP_SCRATCH) rmSync(this.dir, { recursive: true, force: true });
  }
}

// Headless Debian chromium through playwright-core (no browser download).
export async function launchBrowser() {
  const { chromium } = await import("playwright-core");
  return chromium.launch({
    executablePath: process.env.CALLPATH_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}
