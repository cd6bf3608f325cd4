// End-to-end tests of callpathd's log push receivers with the real client
// libraries that applications use, each sending to a callpathd this test
// starts on free loopback ports and stops by PID:
//   - pino + pino-loki          Loki push, JSON
//   - winston + winston-loki    Loki push, snappy-compressed protobuf
//   - @elastic/elasticsearch    _bulk through the official client's bulk helper
// Each checks through the query API that every record arrived once, with
// its service, level and the trace id picked from its fields or text.
//
//   CALLPATH_BIN_DIR=build/bin node --test tests/logs/push_clients.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { pinoLoki } from 'pino-loki';
import winston from 'winston';
import LokiTransport from 'winston-loki';
import { Client } from '@elastic/elasticsearch';

const here = dirname(fileURLToPath(import.meta.url));
const binDir = resolve(process.env.CALLPATH_BIN_DIR ?? join(here, '../../build/bin'));
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';
let daemon, dataDir, ingestUrl, queryUrl;

async function waitForFile(path, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (existsSync(path) && readFileSync(path, 'utf8').length > 0) return readFileSync(path, 'utf8');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear`);
}

async function logsOf(service) {
  const res = await fetch(`${queryUrl}/api/v1/logs?service=${service}&lookback=1h&limit=1000`);
  assert.equal(res.status, 200);
  return (await res.json()).logs;
}

// Waits (up to 15 s) until `service` has at least `count` records: the
// clients batch and send in the background.
async function waitForLogs(service, count) {
  let logs = [];
  for (const deadline = Date.now() + 15000; Date.now() < deadline;) {
    logs = await logsOf(service);
    if (logs.length >= count) return logs;
    await new Promise((r) => setTimeout(r, 100));
  }
  return logs;
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'callpath-logs-e2e-'));
  const ready = join(dataDir, 'ready');
  daemon = spawn(join(binDir, 'callpathd'), ['--data-dir', join(dataDir, 'store'),
    '--otlp-http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '', '--query-listen', '127.0.0.1:0',
    '--ready-file', ready], { stdio: 'ignore' });
  const ports = JSON.parse(await waitForFile(ready, 15000));
  ingestUrl = `http://127.0.0.1:${ports.otlp_http_port}`;
  queryUrl = `http://127.0.0.1:${ports.query_port}`;
});

after(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once('exit', r));
    process.kill(daemon.pid, 'SIGTERM');
    await exited;
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('pino with pino-loki pushes JSON lines that arrive parsed, with their trace ids', async () => {
  const transport = pinoLoki({ host: ingestUrl, batching: { interval: 0.2 }, labels: { app: 'shop-pino' } });
  const logger = pino({ level: 'debug' }, transport);
  for (let i = 0; i < 20; i++) {
    logger.warn({ trace_id: traceId, span_id: spanId, order: i }, `order ${i} slow`);
  }
  logger.info('no trace here');
  const logs = await waitForLogs('shop-pino', 21);
  transport.end();
  assert.equal(logs.length, 21);
  const traced = logs.filter((l) => l.trace_id === traceId);
  assert.equal(traced.length, 20);
  assert.ok(traced.every((l) => l.level === 'WARN' && l.span_id === spanId && /^order \d+ slow$/.test(l.msg)));
  const orders = new Set(traced.map((l) => l.attributes.order));
  assert.equal(orders.size, 20);
  const plain = logs.find((l) => l.msg === 'no trace here');
  assert.ok(plain, 'a record without a trace id is stored and searchable');
  assert.equal(plain.trace_id, undefined);
});

test('winston with winston-loki pushes snappy protobuf that arrives with trace ids', async () => {
  const transport = new LokiTransport({ host: ingestUrl, labels: { app: 'shop-winston' }, json: false,
    batching: true, interval: 0.2, onConnectionError: (e) => { throw e; } });
  const logger = winston.createLogger({ transports: [transport] });
  for (let i = 0; i < 10; i++) logger.error(`payment ${i} declined`, { trace_id: traceId, attempt: i });
  await transport.flush();
  const logs = await waitForLogs('shop-winston', 10);
  transport.close();
  assert.equal(logs.length, 10);
  assert.ok(logs.every((l) => l.trace_id === traceId), JSON.stringify(logs[0]));
  assert.ok(logs.every((l) => l.msg.startsWith('payment ')));
  assert.equal(logs[0].resource.level, 'error');
});

test('the official Elasticsearch client bulk helper indexes into callpathd', async () => {
  const client = new Client({ node: ingestUrl });
  const info = await client.info();
  assert.equal(info.version.number.split('.')[0], '8');
  const now = Date.now();
  const docs = Array.from({ length: 50 }, (_, i) => ({
    '@timestamp': new Date(now - i).toISOString(),
    message: `bulk record ${i}`,
    log: { level: i % 2 ? 'error' : 'info' },
    service: { name: 'shop-es' },
    trace: { id: traceId },
    labels: { n: i },
  }));
  const stats = await client.helpers.bulk({
    datasource: docs,
    onDocument: () => ({ create: { _index: 'app-logs' } }),
    onDrop: (d) => { throw new Error(`dropped: ${JSON.stringify(d.error)}`); },
  });
  await client.close();
  assert.equal(stats.total, 50);
  assert.equal(stats.successful, 50);
  assert.equal(stats.failed, 0);
  const logs = await waitForLogs('shop-es', 50);
  assert.equal(logs.length, 50);
  assert.equal(new Set(logs.map((l) => l.msg)).size, 50);
  assert.ok(logs.every((l) => l.trace_id === traceId && l.resource['elasticsearch.index'] === 'app-logs'));
  assert.equal(logs.filter((l) => l.level === 'error').length, 25);
});

test('malformed pushes get 400 with the reason', async () => {
  const loki = await fetch(`${ingestUrl}/loki/api/v1/push`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"streams":{}}' });
  assert.equal(loki.status, 400);
  assert.match(await loki.text(), /malformed Loki push JSON/);
  const proto = await fetch(`${ingestUrl}/loki/api/v1/push`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-protobuf' }, body: 'not snappy' });
  assert.equal(proto.status, 400);
  assert.match(await proto.text(), /snappy/);
  const bulk = await fetch(`${ingestUrl}/_bulk`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' }, body: '{"explode":{}}\n{}\n' });
  assert.equal(bulk.status, 400);
  assert.match((await bulk.json()).error.reason, /unknown action 'explode'/);
});
