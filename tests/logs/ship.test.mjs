// End-to-end tests of callpath-ship against a live callpathd: rotation by
// rename and by copy-truncate under steady writing, restart and repeated
// kill -9 in the middle of a file (every line exactly once: the batch in
// flight is sent again, and the store recognises it by log.record.uid),
// partial last lines, 1 MB lines, invalid UTF-8, a file deleted while it is
// read, a receiver that is down for 30 s while lines keep coming (memory
// stays bounded), and the same loop run inside callpathd (--ship-config).
// Every test counts the records that arrived through the query API.
//
//   CALLPATH_BIN_DIR=build/bin node --test tests/logs/ship.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const binDir = resolve(process.env.CALLPATH_BIN_DIR ?? join(here, '../../build/bin'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let work, daemon;

async function waitForFile(path, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    if (fs.existsSync(path) && fs.readFileSync(path, 'utf8').length > 0) return fs.readFileSync(path, 'utf8');
    await sleep(50);
  }
  throw new Error(`${path} did not appear`);
}

async function startDaemon(dir, httpListen = '127.0.0.1:0', extra = []) {
  fs.mkdirSync(dir, { recursive: true });
  const ready = join(dir, 'ready');
  const proc = spawn(join(binDir, 'callpathd'), ['--data-dir', join(dir, 'store'), '--otlp-http-listen', httpListen,
    '--otlp-grpc-listen', '', '--query-listen', '127.0.0.1:0', '--ready-file', ready, ...extra], { stdio: 'ignore' });
  const ports = JSON.parse(await waitForFile(ready, 15000));
  return { proc, ingest: `http://127.0.0.1:${ports.otlp_http_port}`, query: `http://127.0.0.1:${ports.query_port}` };
}

async function stop(proc, signal = 'SIGTERM') {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}

function ship(endpoint, dir, globs, extra = []) {
  const args = ['--endpoint', endpoint, '--checkpoint-dir', join(dir, 'ckpt'), '--service', `svc-${dir.split('/').pop()}`,
    '--poll-ms', '20', '--finish-after-ms', '500', '--max-backoff-ms', '500', ...extra];
  for (const g of globs) args.push('--path', g);
  return spawn(join(binDir, 'callpath-ship'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function logsOf(d, service) {
  const res = await fetch(`${d.query}/api/v1/logs?service=${service}&lookback=1h&limit=10000`);
  assert.equal(res.status, 200);
  return (await res.json()).logs;
}

// Waits (up to 30 s) until `service` has `count` records or more.
async function waitForCount(d, service, count) {
  let logs = [];
  for (const deadline = Date.now() + 30000; Date.now() < deadline;) {
    logs = await logsOf(d, service);
    if (logs.length >= count) break;
    await sleep(100);
  }
  return logs;
}

// How many times each sequence number 0..n-1 arrived.
function seqCounts(logs, n) {
  const counts = new Array(n).fill(0);
  for (const l of logs) if (l.attributes.seq !== undefined) counts[Number(l.attributes.seq)]++;
  return counts;
}

// Waits (up to 30 s) until every sequence number 0..n-1 of `service` has
// arrived. Counting records is not enough where a batch may be sent twice:
// the duplicates would make up the count before the last lines are in.
async function waitForAllSeqs(d, service, n) {
  let counts = [];
  for (const deadline = Date.now() + 30000; Date.now() < deadline;) {
    counts = seqCounts(await logsOf(d, service), n);
    if (counts.every((c) => c > 0)) break;
    await sleep(100);
  }
  return counts;
}

// Waits until the shipper has checkpointed some progress in `dir` (the
// acknowledged offset of its file is above 0), polling every few ms.
async function waitForProgress(dir) {
  const path = join(dir, 'ckpt/checkpoint');
  for (const deadline = Date.now() + 15000; Date.now() < deadline;) {
    if (fs.existsSync(path)) {
      const entry = fs.readFileSync(path, 'utf8').split('\n')[1];
      if (entry && Number(entry.split(' ')[4]) > 0) return;
    }
    await sleep(2);
  }
  throw new Error('no progress checkpointed');
}

function line(tag, seq) { return JSON.stringify({ level: 'info', msg: `${tag} ${seq}`, seq }) + '\n'; }
// Half of these lines carry their own time, half are stored by when the
// shipper read them (their observed time).
function timedLine(tag, seq) {
  const fields = { level: 'info', msg: `${tag} ${seq}`, seq };
  if (seq % 2 === 1) fields.time = new Date().toISOString();
  return JSON.stringify(fields) + '\n';
}

// Resident memory of process `pid` in KiB (VmRSS in /proc).
function rssKiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function caseDir(name) {
  const dir = join(work, name);
  fs.mkdirSync(join(dir, 'logs'), { recursive: true });
  return dir;
}

// Writes n lines steadily (a few per millisecond), rotating every `every`.
// The first line goes alone, and writing goes on once the shipper follows
// the file: no shipper can read a file renamed away before it started.
async function writeSteadily(dir, file, tag, n, every, rotate) {
  fs.appendFileSync(file, line(tag, 0));
  await waitForProgress(dir);
  for (let seq = 1; seq < n; seq++) {
    fs.appendFileSync(file, line(tag, seq));
    if ((seq + 1) % every === 0) rotate();
    if (seq % 20 === 0) await sleep(1);
  }
}

before(async () => {
  work = fs.mkdtempSync(join(tmpdir(), 'callpath-ship-e2e-'));
  daemon = await startDaemon(join(work, 'daemon'));
});

after(async () => {
  await stop(daemon?.proc);
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

test('rotation by rename under steady writing: every line exactly once', async () => {
  const dir = caseDir('rename');
  const file = join(dir, 'logs/app.log');
  const shipper = ship(daemon.ingest, dir, [file]);
  let generation = 0;
  await writeSteadily(dir, file, 'rename', 3000, 700, () => fs.renameSync(file, `${file}.${++generation}`));
  const logs = await waitForCount(daemon, 'svc-rename', 3000);
  await sleep(300);
  const counts = seqCounts(await logsOf(daemon, 'svc-rename'), 3000);
  await stop(shipper);
  assert.deepEqual(counts.filter((c) => c !== 1).length, 0, `missing or duplicated: ${counts.map((c, i) => c !== 1 ? `${i}:${c}` : '').filter(Boolean).slice(0, 10)}`);
  assert.ok(logs.every((l) => l.attributes['log.file.path'].includes('app.log')));
});

test('rotation by copy-truncate under steady writing: every line exactly once', async () => {
  const dir = caseDir('copytrunc');
  const file = join(dir, 'logs/app.log');
  const shipper = ship(daemon.ingest, dir, [`${file}*`]);
  let generation = 0;
  await writeSteadily(dir, file, 'copytrunc', 3000, 700, () => {
    fs.copyFileSync(file, `${file}.${++generation}`);
    fs.truncateSync(file, 0);
  });
  await waitForCount(daemon, 'svc-copytrunc', 3000);
  await sleep(300);
  const counts = seqCounts(await logsOf(daemon, 'svc-copytrunc'), 3000);
  await stop(shipper);
  assert.deepEqual(counts.filter((c) => c !== 1).length, 0, `missing or duplicated: ${counts.map((c, i) => c !== 1 ? `${i}:${c}` : '').filter(Boolean).slice(0, 10)}`);
});

test('restart with SIGTERM mid-file resumes exactly where it stopped', async () => {
  const dir = caseDir('restart');
  const file = join(dir, 'logs/app.log');
  fs.writeFileSync(file, Array.from({ length: 8000 }, (_, i) => line('restart', i)).join(''));
  let shipper = ship(daemon.ingest, dir, [file], ['--batch-records', '5']);
  await waitForProgress(dir);
  await stop(shipper, 'SIGTERM');
  assert.ok((await logsOf(daemon, 'svc-restart')).length < 8000, 'stopped in the middle of the file');
  shipper = ship(daemon.ingest, dir, [file], ['--batch-records', '5']);
  await waitForCount(daemon, 'svc-restart', 8000);
  await sleep(300);
  const counts = seqCounts(await logsOf(daemon, 'svc-restart'), 8000);
  await stop(shipper);
  assert.equal(counts.filter((c) => c !== 1).length, 0);
});

test('kill -9 mid-file, several times, under steady writing: every line exactly once', async () => {
  const dir = caseDir('kill9');
  const file = join(dir, 'logs/app.log');
  const total = 8000;
  fs.writeFileSync(file, Array.from({ length: 3000 }, (_, i) => timedLine('kill9', i)).join(''));
  const args = ['--batch-records', '5'];
  let shipper = ship(daemon.ingest, dir, [file], args);
  await waitForProgress(dir);
  // Lines keep coming while the shipper is killed and started again.
  let written = 3000;
  const writing = (async () => {
    for (; written < total; written++) {
      fs.appendFileSync(file, timedLine('kill9', written));
      if (written % 4 === 0) await sleep(1);
    }
  })();
  for (let kill = 0; kill < 4; kill++) {
    await sleep(150 + 70 * kill);  // a different moment of a batch each time
    await stop(shipper, 'SIGKILL');
    if (kill === 0) assert.ok((await logsOf(daemon, 'svc-kill9')).length < total, 'killed in the middle of the file');
    shipper = ship(daemon.ingest, dir, [file], args);
  }
  await writing;
  await waitForAllSeqs(daemon, 'svc-kill9', total);
  await sleep(500);
  const counts = seqCounts(await logsOf(daemon, 'svc-kill9'), total);
  await stop(shipper);
  const wrong = counts.map((c, i) => (c !== 1 ? `${i}:${c}` : '')).filter(Boolean);
  assert.equal(wrong.length, 0, `lines missing (:0) or repeated: ${wrong.slice(0, 10)}`);
});

test('a partial last line is held until it is complete', async () => {
  const dir = caseDir('partial');
  const file = join(dir, 'logs/app.log');
  fs.writeFileSync(file, line('partial', 0) + '{"msg":"half');
  const shipper = ship(daemon.ingest, dir, [file]);
  await waitForCount(daemon, 'svc-partial', 1);
  await sleep(700);
  assert.equal((await logsOf(daemon, 'svc-partial')).length, 1);
  fs.appendFileSync(file, ' and the rest","seq":1}\n');
  const logs = await waitForCount(daemon, 'svc-partial', 2);
  await stop(shipper);
  assert.deepEqual(logs.map((l) => l.msg).sort(), ['half and the rest', 'partial 0']);
});

test('1 MB lines and invalid UTF-8 arrive whole, repaired', async () => {
  const dir = caseDir('big');
  const file = join(dir, 'logs/app.log');
  const big = 'x'.repeat(1 << 20);
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`{"msg":"${big}","seq":0}\n`),
    Buffer.from('plain caf'), Buffer.from([0xe9, 0xff]), Buffer.from(' text\n')]));
  const shipper = ship(daemon.ingest, dir, [file]);
  const logs = await waitForCount(daemon, 'svc-big', 2);
  await stop(shipper);
  assert.equal(logs.length, 2);
  assert.ok(logs.some((l) => l.msg.length === 1 << 20));
  assert.ok(logs.some((l) => l.msg === 'plain caf\ufffd\ufffd text'));
});

test('a file deleted while it is read is read to its end', async () => {
  const dir = caseDir('deleted');
  const file = join(dir, 'logs/app.log');
  fs.writeFileSync(file, Array.from({ length: 10000 }, (_, i) => line('deleted', i)).join(''));
  const shipper = ship(daemon.ingest, dir, [file], ['--batch-records', '50']);
  await waitForCount(daemon, 'svc-deleted', 1);
  fs.unlinkSync(file);
  await waitForCount(daemon, 'svc-deleted', 10000);
  await sleep(300);
  const counts = seqCounts(await logsOf(daemon, 'svc-deleted'), 10000);
  await stop(shipper);
  assert.equal(counts.filter((c) => c !== 1).length, 0);
});

test('a receiver down for 30 s while lines keep coming: the shipper waits in bounded memory, then delivers everything once', async () => {
  const dir = caseDir('down');
  const file = join(dir, 'logs/app.log');
  const total = 9000;
  fs.writeFileSync(file, Array.from({ length: 500 }, (_, i) => line('down', i)).join(''));
  const port = await new Promise((r) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
  const shipper = ship(`http://127.0.0.1:${port}`, dir, [file]);
  let stderr = '';
  shipper.stderr.on('data', (d) => { stderr += d; });
  await sleep(1000);
  const rssBefore = rssKiB(shipper.pid);
  let rssMax = rssBefore;
  // 30 s down; meanwhile about 10 MB of lines arrive (about ten batches).
  for (let second = 0, seq = 500; second < 30; second++) {
    const lines = [];
    for (const end = 500 + Math.round(((second + 1) * (total - 500)) / 30); seq < end; seq++) lines.push(line(`down ${'x'.repeat(1100)}`, seq));
    fs.appendFileSync(file, lines.join(''));
    await sleep(1000);
    rssMax = Math.max(rssMax, rssKiB(shipper.pid));
  }
  assert.match(stderr, /retrying/);
  // What the shipper holds while it waits is one batch (1 MiB of text by
  // default) and its encoding, not what piles up in the file.
  assert.ok(rssMax - rssBefore < 8 * 1024, `RSS grew from ${rssBefore} KiB to ${rssMax} KiB while the receiver was down`);
  const late = await startDaemon(join(dir, 'daemon'), `127.0.0.1:${port}`);
  try {
    await waitForAllSeqs(late, 'svc-down', total);
    await sleep(300);
    const counts = seqCounts(await logsOf(late, 'svc-down'), total);
    assert.equal(counts.filter((c) => c !== 1).length, 0);
  } finally {
    await stop(shipper);
    await stop(late.proc);
  }
});

test('callpathd --ship-config follows files itself and sends them to its own port', async () => {
  const dir = caseDir('embedded');
  const file = join(dir, 'logs/app.log');
  fs.writeFileSync(file, Array.from({ length: 300 }, (_, i) => line('embedded', i)).join(''));
  const config = join(dir, 'ship.yaml');
  fs.writeFileSync(config, `checkpoint-dir: ${join(dir, 'ckpt')}\nservice: svc-embedded\npaths: [${file}]\n`);
  const d = await startDaemon(join(dir, 'daemon'), '127.0.0.1:0', ['--ship-config', config]);
  try {
    fs.appendFileSync(file, line('embedded', 300));
    const logs = await waitForCount(d, 'svc-embedded', 301);
    await sleep(300);
    const counts = seqCounts(await logsOf(d, 'svc-embedded'), 301);
    assert.equal(counts.filter((c) => c !== 1).length, 0);
    assert.ok(logs.every((l) => l.attributes['log.file.path'] === file));
  } finally {
    await stop(d.proc);
  }
});

test('callpathd refuses a --ship-config it cannot use, with the reason', async () => {
  const dir = caseDir('badconfig');
  const config = join(dir, 'ship.yaml');
  fs.writeFileSync(config, 'service: x\n');  // no paths, no checkpoint-dir
  const proc = spawn(join(binDir, 'callpathd'), ['--data-dir', join(dir, 'store'), '--otlp-http-listen', '127.0.0.1:0',
    '--otlp-grpc-listen', '', '--query-listen', '', '--ship-config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((r) => proc.once('exit', r));
  assert.notEqual(code, 0);
  assert.match(stderr, /checkpoint-dir is required/);
});
