// The OpenTelemetry JS trace exporters (OTLP/HTTP JSON, OTLP/HTTP protobuf,
// OTLP/gRPC) sending to a callpathd that speaks TLS only and requires API
// keys: a CA and server certificate made here with the openssl CLI, a keys
// file made with `callpathd key new`, the CA trusted through the exporters'
// own options. Each exporter's spans are read back through the query API
// (HTTPS, with the key); a forged key and a key without the ingest scope are
// refused and store nothing.
//
//   CALLPATH_BIN_DIR=build/bin node --test tests/otel-js/otlp_tls.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';

const here = dirname(fileURLToPath(import.meta.url));
const binDir = resolve(process.env.CALLPATH_BIN_DIR ?? join(here, '../../build/bin'));
const callpathd = join(binDir, 'callpathd');
let daemon, dir, caPem, ports, writerKey, queryOnlyKey;

function makeCertificates() {
  const openssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=otel-js-test-ca',
    '-keyout', 'ca.key', '-out', 'ca.pem');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key',
    '-out', 'server.csr');
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', '2', '-extfile', 'ext', '-out', 'server.pem');
  return readFileSync(join(dir, 'ca.pem'));
}

function newKey(scopes) {
  const out = execFileSync(callpathd, ['key', 'new', '--keys-file', join(dir, 'keys'), '--tenant', 'otel-js',
    '--scopes', scopes], { encoding: 'utf8' });
  const key = out.trim().split(/\s+/).find((w) => w.startsWith('cpk_'));
  assert.ok(key, `no key in: ${out}`);
  return key;
}

async function waitForFile(path, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (existsSync(path) && readFileSync(path, 'utf8').length > 0) return readFileSync(path, 'utf8');
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${path} did not appear`);
}

// GET on the query port over HTTPS, trusting only the test CA.
function queryGet(path, key) {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: '127.0.0.1', port: ports.query_port, path, ca: caPem,
      headers: key ? { Authorization: `Bearer ${key}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolvePromise({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

// The spans of `traceId` callpathd stores, waiting up to 15 s for them.
async function storedSpans(traceId, count) {
  let spans = [];
  for (const deadline = Date.now() + 15000; Date.now() < deadline;) {
    const res = await queryGet(`/api/traces/${traceId}`, writerKey);
    if (res.status === 200) {
      spans = JSON.parse(res.body).data?.[0]?.spans ?? [];
      if (spans.length >= count) return spans;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return spans;
}

// Two finished spans of one trace, made by the JS SDK and kept in memory.
async function recordSpans(service) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('otel-js-e2e');
  const parent = tracer.startSpan('checkout');
  tracer.startSpan('charge card', {}, trace.setSpan(context.active(), parent)).end();
  parent.end();
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  assert.equal(spans.length, 2);
  return { spans, traceId: parent.spanContext().traceId };
}

function exportWith(exporter, spans) {
  return new Promise((r) => exporter.export(spans, r)).finally(() => exporter.shutdown());
}

const httpOptions = (path, key) => ({
  url: `https://127.0.0.1:${ports.otlp_http_port}${path}`,
  headers: { Authorization: `Bearer ${key}` },
  httpAgentOptions: { ca: caPem },
  timeoutMillis: 10000,
});

const grpcOptions = (key) => {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${key}`);
  return {
    url: `https://127.0.0.1:${ports.otlp_grpc_port}`,
    credentials: grpc.credentials.createSsl(caPem),
    metadata,
    timeoutMillis: 10000,
  };
};

const exporters = {
  'OTLP/HTTP JSON': (key) => new HttpJsonExporter(httpOptions('/v1/traces', key)),
  'OTLP/HTTP protobuf': (key) => new HttpProtoExporter(httpOptions('/v1/traces', key)),
  'OTLP/gRPC': (key) => new GrpcExporter(grpcOptions(key)),
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'callpath-otel-js-'));
  caPem = makeCertificates();
  writerKey = newKey('ingest,query');
  queryOnlyKey = newKey('query');
  const ready = join(dir, 'ready');
  daemon = spawn(callpathd, ['--data-dir', join(dir, 'store'),
    '--otlp-http-listen', '127.0.0.1:0', '--otlp-grpc-listen', '127.0.0.1:0', '--query-listen', '127.0.0.1:0',
    '--tls-cert', join(dir, 'server.pem'), '--tls-key', join(dir, 'server.key'),
    '--keys-file', join(dir, 'keys'), '--ready-file', ready], { stdio: ['ignore', 'ignore', 'inherit'] });
  ports = JSON.parse(await waitForFile(ready, 15000));
});

after(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once('exit', r));
    process.kill(daemon.pid, 'SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const [name, make] of Object.entries(exporters)) {
  const service = `otel-js-${name.replace(/[^A-Za-z]+/g, '-').toLowerCase()}`;

  test(`${name} exporter delivers over TLS with a key; the spans read back`, async () => {
    const { spans, traceId } = await recordSpans(service);
    const result = await exportWith(make(writerKey), spans);
    assert.equal(result.code, 0, `export failed: ${result.error}`);
    const stored = await storedSpans(traceId, 2);
    assert.deepEqual(stored.map((s) => s.operationName).sort(), ['charge card', 'checkout']);
    assert.ok(stored.every((s) => s.traceID === traceId));
  });

  test(`${name} exporter with a forged key or without the ingest scope is refused`, async () => {
    const forged = `cpk_0123456789abcdef_${'ab'.repeat(32)}`;
    for (const key of [forged, queryOnlyKey]) {
      const { spans, traceId } = await recordSpans(`${service}-refused`);
      const result = await exportWith(make(key), spans);
      assert.equal(result.code, 1, `export with key ${key.slice(0, 20)}... was accepted`);
      const res = await queryGet(`/api/traces/${traceId}`, writerKey);
      assert.equal(res.status, 404, res.body);
    }
  });
}

test('the query API over TLS needs the key', async () => {
  assert.equal((await queryGet('/api/services')).status, 401);
  assert.equal((await queryGet('/api/services', writerKey)).status, 200);
});
