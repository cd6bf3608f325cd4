// End-to-end test of callpathd's MCP endpoint with the official MCP
// TypeScript SDK client, over Streamable HTTP and over stdio (callpath mcp),
// and with the MCP Inspector's command-line mode.
// Starts its own callpathd on free loopback ports, loads a failing trace and
// its logs over OTLP/JSON, calls every tool, checks each structuredContent
// against the tool's outputSchema, and stops the daemon by PID.
//
//   CALLPATH_BIN_DIR=build/bin node --test tests/mcp/mcp_sdk.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const here = dirname(fileURLToPath(import.meta.url));
const binDir = resolve(process.env.CALLPATH_BIN_DIR ?? join(here, '../../build/bin'));
const traceId = '5b8efff798038103d269b633813fc60c';
let daemon, dataDir, queryUrl;

async function waitForFile(path, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (existsSync(path) && readFileSync(path, 'utf8').length > 0) return readFileSync(path, 'utf8');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear`);
}

function span(id, parent, name, startNs, durNs, error) {
  return {
    traceId, spanId: id, parentSpanId: parent, name, kind: parent ? 3 : 2,
    startTimeUnixNano: String(startNs), endTimeUnixNano: String(startNs + durNs),
    attributes: [{ key: 'http.request.method', value: { stringValue: 'POST' } }],
    status: error ? { code: 2, message: 'card declined' } : {},
  };
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpath-mcp-sdk-'));
  const ready = join(dataDir, 'ready');
  daemon = spawn(join(binDir, 'callpathd'), ['--data-dir', join(dataDir, 'store'),
    '--otlp-http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '', '--query-listen', '127.0.0.1:0',
    '--ready-file', ready], { stdio: 'ignore' });
  const ports = JSON.parse(await waitForFile(ready, 15000));
  queryUrl = `http://127.0.0.1:${ports.query_port}`;
  const now = BigInt(Date.now()) * 1000000n;
  const ms = 1000000n;
  const traces = {
    resourceSpans: [
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
        scopeSpans: [{ scope: { name: 'e2e' }, spans: [
          span('aaaaaaaaaaaaaaa1', '', 'POST /checkout', now - 500n * ms, 400n * ms, true),
          span('aaaaaaaaaaaaaaa2', 'aaaaaaaaaaaaaaa1', 'POST /charge', now - 450n * ms, 300n * ms, true)] }] },
      { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payment' } }] },
        scopeSpans: [{ scope: { name: 'e2e' }, spans: [
          { ...span('aaaaaaaaaaaaaaa3', 'aaaaaaaaaaaaaaa2', 'Charge', now - 440n * ms, 280n * ms, true), kind: 2 }] }] },
    ],
  };
  const logs = {
    resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'payment' } }] },
      scopeLogs: [{ scope: { name: 'e2e' }, logRecords: [{
        timeUnixNano: String(now - 300n * ms), severityNumber: 17, severityText: 'ERROR',
        body: { stringValue: 'charge failed: card declined' }, traceId, spanId: 'aaaaaaaaaaaaaaa3' }] }] }],
  };
  for (const [path, body] of [['/v1/traces', traces], ['/v1/logs', logs]]) {
    const r = await fetch(`http://127.0.0.1:${ports.otlp_http_port}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, `${path}: ${await r.text()}`);
  }
});

after(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const calls = {
  list_services: {},
  list_operations: { service: 'checkout' },
  search_traces: { service: 'payment', errors_only: true, lookback: '1h' },
  get_trace: { trace_id: traceId },
  get_critical_path: { trace_id: traceId },
  get_trace_logs: { trace_id: traceId },
  search_logs: { service: 'payment', lookback: '1h' },
  get_span_details: { trace_id: traceId, span_ids: ['aaaaaaaaaaaaaaa3'] },
  get_service_dependencies: { lookback: '1h' },
};

async function checkEveryTool(client) {
  const { tools } = await client.listTools();
  const ajv = new Ajv({ strict: false });
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, Object.keys(calls).sort());
  const results = {};
  for (const tool of tools) {
    assert.equal(tool.annotations?.readOnlyHint, true, tool.name);
    const result = await client.callTool({ name: tool.name, arguments: calls[tool.name] });
    assert.notEqual(result.isError, true, `${tool.name}: ${JSON.stringify(result.content)}`);
    const validate = ajv.compile(tool.outputSchema);
    assert.ok(validate(result.structuredContent), `${tool.name}: ${ajv.errorsText(validate.errors)}`);
    assert.equal(result.content[0].type, 'text');
    results[tool.name] = result.structuredContent;
  }
  return results;
}

test('over Streamable HTTP the SDK client lists and calls every tool', async () => {
  const client = new Client({ name: 'callpath-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${queryUrl}/api/mcp`)));
  const r = await checkEveryTool(client);
  assert.ok(r.list_services.services.some((s) => (s.name ?? s) === 'payment'), JSON.stringify(r.list_services));
  assert.ok(JSON.stringify(r.search_traces).includes(traceId));
  assert.ok(JSON.stringify(r.get_trace_logs).includes('card declined'));
  assert.ok(JSON.stringify(r.get_span_details.spans[0].logs).includes('card declined'));
  assert.deepEqual(r.get_service_dependencies.edges, [{ caller: 'checkout', callee: 'payment', call_count: 1 }]);
  const bad = await client.callTool({ name: 'get_trace', arguments: { trace_id: 'not-hex' } });
  assert.equal(bad.isError, true);
  await client.close();
});

test('over stdio (callpath mcp) the SDK client lists and calls every tool', async () => {
  const client = new Client({ name: 'callpath-e2e-stdio', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: join(binDir, 'callpath'),
    args: ['mcp', '--server', queryUrl], stderr: 'ignore' }));
  const r = await checkEveryTool(client);
  assert.ok(JSON.stringify(r.get_trace).includes('Charge'));
  await client.close();
});

test('the MCP Inspector in CLI mode lists the tools and calls one over HTTP', async () => {
  const inspector = join(here, 'node_modules/.bin/mcp-inspector');
  const run = (args) => promisify(execFile)(inspector,
    ['--cli', `${queryUrl}/api/mcp`, '--transport', 'http', ...args], { timeout: 60000 });
  const listed = JSON.parse((await run(['--method', 'tools/list'])).stdout);
  assert.deepEqual(listed.tools.map((t) => t.name).sort(), Object.keys(calls).sort());
  const called = JSON.parse((await run(['--method', 'tools/call', '--tool-name', 'get_trace',
    '--tool-arg', `trace_id=${traceId}`])).stdout);
  assert.equal(called.structuredContent.trace_id, traceId);
  assert.ok(called.structuredContent.spans.some((s) => s.operation === 'Charge'));
});
