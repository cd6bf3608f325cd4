// End-to-end test of callpathd's Elasticsearch bulk receiver with Debian's
// rsyslog and its omelasticsearch output: rsyslogd (started by the test,
// stopped by PID) follows a file with imfile and sends each line through
// the template docs/logs.md gives. Every line must arrive once, with the
// trace id written in its text.
//
//   CALLPATH_BIN_DIR=build/bin node --test tests/logs/rsyslog.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const binDir = resolve(process.env.CALLPATH_BIN_DIR ?? join(here, '../../build/bin'));
const rsyslogd = '/usr/sbin/rsyslogd';
const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let work, daemon, rsyslog, queryUrl, ingestPort;

async function waitForFile(path, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (fs.existsSync(path) && fs.readFileSync(path, 'utf8').length > 0) return fs.readFileSync(path, 'utf8');
    await sleep(50);
  }
  throw new Error(`${path} did not appear`);
}

async function stop(proc) {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

before(async () => {
  work = fs.mkdtempSync(join(tmpdir(), 'callpath-rsyslog-e2e-'));
  const ready = join(work, 'ready');
  daemon = spawn(join(binDir, 'callpathd'), ['--data-dir', join(work, 'store'), '--otlp-http-listen', '127.0.0.1:0',
    '--otlp-grpc-listen', '', '--query-listen', '127.0.0.1:0', '--ready-file', ready], { stdio: 'ignore' });
  const ports = JSON.parse(await waitForFile(ready, 15000));
  ingestPort = ports.otlp_http_port;
  queryUrl = `http://127.0.0.1:${ports.query_port}`;
});

after(async () => {
  await stop(rsyslog);
  await stop(daemon);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('rsyslog omelasticsearch bulk-indexes a followed file into callpathd', async () => {
  const logFile = join(work, 'app.log');
  fs.writeFileSync(logFile, Array.from({ length: 200 }, (_, i) => `order ${i} placed trace_id=${traceId}\n`).join(''));
  fs.mkdirSync(join(work, 'rsyslog'));
  const conf = join(work, 'rsyslog.conf');
  fs.writeFileSync(conf, `
global(workDirectory="${join(work, 'rsyslog')}")
module(load="imfile" mode="polling" PollingInterval="1")
module(load="omelasticsearch")
template(name="callpath-json" type="list" option.json="on") {
  constant(value="{\\"@timestamp\\":\\"") property(name="timereported" dateFormat="rfc3339")
  constant(value="\\",\\"message\\":\\"") property(name="msg")
  constant(value="\\",\\"host.name\\":\\"") property(name="hostname")
  constant(value="\\",\\"log.level\\":\\"") property(name="syslogseverity-text")
  constant(value="\\",\\"service.name\\":\\"") property(name="programname")
  constant(value="\\"}")
}
ruleset(name="ship") {
  action(type="omelasticsearch" server="127.0.0.1" serverport="${ingestPort}"
         template="callpath-json" searchIndex="syslog" bulkmode="on"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
input(type="imfile" File="${logFile}" Tag="rsyslog-app:" Severity="warning" ruleset="ship")
`);
  rsyslog = spawn(rsyslogd, ['-n', '-f', conf, '-i', join(work, 'rsyslog.pid')], { stdio: 'ignore' });
  let logs = [];
  for (const deadline = Date.now() + 30000; Date.now() < deadline && logs.length < 200;) {
    await sleep(200);
    const res = await fetch(`${queryUrl}/api/v1/logs?service=rsyslog-app&lookback=1h&limit=1000`);
    logs = (await res.json()).logs;
  }
  assert.equal(logs.length, 200);
  const seen = new Set(logs.map((l) => l.msg));
  assert.equal(seen.size, 200);
  assert.ok(logs.every((l) => l.trace_id === traceId && l.level === 'warning'));
  assert.ok(logs.every((l) => l.resource['elasticsearch.index'] === 'syslog'));
});
