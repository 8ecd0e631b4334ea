/**
 * TLS decryption with a key log (--tls-keylog) against independent sources:
 * - the Unit 42 Dridex capture with the key log its publisher shipped: the HTTP transactions equal tshark's decryption
 *   of the same file with the same key log (`-o tls.keylog_file`);
 * - connections this test makes itself through OpenSSL (node:tls over an in-memory socket pair, its `keylog` lines),
 *   for every suite family nad decrypts — TLS 1.3 AES-GCM and ChaCha20, TLS 1.2 GCM, ChaCha20, CBC with
 *   encrypt-then-MAC and without, TLS 1.0 CBC: the requests and responses read back equal the ones the test sent;
 * - the key log parser's errors name the line and its byte offset.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { constants, createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Duplex } from 'node:stream';
import http2 from 'node:http2';
import { test } from 'node:test';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { H2Connection } from '../../src/app/http/h2.js';
import type { RecordSink } from '../../src/app/records.js';
import { createAppStats } from '../../src/app/stats.js';
import { createTlsDecryptHook } from '../../src/app/tls/decrypt_hook.js';
import { loadKeyLogs, parseKeyLog } from '../../src/app/tls/keylog.js';
import { readCaptures } from '../../src/capture/index.js';
import { embeddedKeyLogs } from '../../src/capture/secrets.js';
import { createPacket, type Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { nad, type RunResult } from '../cli/run.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { mutate, Rng } from './mutate.js';
import { embeddedKeys, runApp } from './run.js';
import { flowView, fuzzSession, toPcap, type Segment } from './session.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DRIDEX = join(CAPTURES, 'malicious', 'u42-2020-dridex-https.pcap');
const DRIDEX_KEYS = join(CAPTURES, 'malicious', 'u42-2020-dridex-https.keylog.txt');
const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;

function tsharkFields(file: string, keylog: string, filter: string, fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-r', file, '-o', `tls.keylog_file:${keylog}`, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

test('Dridex capture with its published key log: HTTP inside TLS equals tshark\'s decryption', { skip: SKIP_NO_SHARED || (HAVE_TSHARK ? false : 'tshark not installed (apt-get install tshark): skipped') }, async () => {
  const keys = loadKeyLogs([DRIDEX_KEYS]);
  const run = await runApp(DRIDEX, { tls_keys: keys });
  const oracleReq = tsharkFields(DRIDEX, DRIDEX_KEYS, 'http.request', ['tcp.srcport', 'http.request.method', 'http.host', 'http.request.uri']);
  assert.ok(oracleReq.length >= 9, 'tshark decrypted the requests');
  const ours = run.http.map((h) => [String(h.orig_p), h.method, h.host, h.uri]);
  assert.deepEqual(ours.map((r) => r.join(' ')).sort(), oracleReq.map((r) => r.join(' ')).sort());
  // Final responses (1xx are interim): status codes and body lengths, per client port.
  const oracleResp = tsharkFields(DRIDEX, DRIDEX_KEYS, 'http.response && http.response.code >= 200', ['tcp.dstport', 'http.response.code', 'http.content_length']);
  const answered = run.http.filter((h) => h.status_code !== null);
  assert.deepEqual(
    answered.map((h) => `${h.orig_p} ${h.status_code} ${h.response_body_len}`).sort(),
    oracleResp.map(([port, code, len]) => `${port} ${code} ${len === '' ? 0 : len}`).sort(),
  );
  assert.ok(run.http.some((h) => h.host === 'foodsgoodforliver.com' && h.uri === '/invest_20.dll' && h.resp_mime === 'application/octet-stream'));
  // Every TLS connection in the capture has its secrets in the log.
  assert.equal(run.stats.tls_decrypted, run.tls.length);
  assert.equal(run.stats.tls_decrypt_failed, 0);
  // Each transaction keeps the uid of its TLS connection.
  const tlsUids = new Set(run.tls.map((t) => t.uid));
  assert.ok(run.http.every((h) => tlsUids.has(h.uid)));
});

test('Dridex capture: no key log, no HTTP; wrong secrets are counted as failures, never read', { skip: SKIP_NO_SHARED }, async () => {
  const plain = await runApp(DRIDEX);
  assert.equal(plain.http.length, 0);
  assert.equal(plain.stats.tls_decrypted, 0);
  const keys = loadKeyLogs([DRIDEX_KEYS]);
  for (const s of keys.values()) s.master![0]! ^= 1;
  const wrong = await runApp(DRIDEX, { tls_keys: keys });
  assert.equal(wrong.http.length, 0);
  assert.equal(wrong.stats.tls_decrypted, 0);
  assert.ok(wrong.stats.tls_decrypt_failed >= wrong.tls.length, `failed ${wrong.stats.tls_decrypt_failed}`);
});

// ---- Connections made through OpenSSL ----

/** Two ends of an in-memory socket; each write is logged in order with its direction. */
function socketPair(log: { client: boolean; data: Buffer }[]): [Duplex, Duplex] {
  const make = (client: boolean): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _enc, cb) {
        log.push({ client, data: Buffer.from(chunk) });
        (client ? server : clientEnd).push(chunk);
        cb();
      },
      final(cb) {
        (client ? server : clientEnd).push(null);
        cb();
      },
    });
  const clientEnd = make(true);
  const server = make(false);
  return [clientEnd, server];
}

interface Exchange { method: string; uri: string; body: string; status: number; reply: string }

const EXCHANGES: Exchange[] = [
  { method: 'GET', uri: '/gate.php?id=42', body: '', status: 200, reply: 'x'.repeat(20000) },
  { method: 'POST', uri: '/upload', body: 'y'.repeat(3000), status: 404, reply: 'not here' },
];

/** Runs the exchanges over one TLS connection; returns the bytes each way in order and the client's key log lines. */
async function tlsSession(opts: { client: tls.ConnectionOptions; server: tls.TlsOptions }): Promise<{ log: { client: boolean; data: Buffer }[]; keylog: string }> {
  const log: { client: boolean; data: Buffer }[] = [];
  const [a, b] = socketPair(log);
  const key = readFileSync(join(HERE, 'fixtures', 'tls-test.key'));
  const cert = readFileSync(join(HERE, 'fixtures', 'tls-test.crt'));
  const server = new tls.TLSSocket(b, { isServer: true, secureContext: tls.createSecureContext({ key, cert, ...opts.server }), ...opts.server });
  let pending = '';
  let served = 0;
  server.on('data', (d: Buffer) => {
    pending += d.toString('latin1');
    for (;;) {
      const x = EXCHANGES[served];
      const head = pending.indexOf('\r\n\r\n');
      if (x === undefined || head < 0 || pending.length < head + 4 + x.body.length) return;
      pending = pending.slice(head + 4 + x.body.length);
      served++;
      server.write(`HTTP/1.1 ${x.status} ${x.status === 200 ? 'OK' : 'Not Found'}\r\nContent-Type: text/plain\r\nContent-Length: ${x.reply.length}\r\n\r\n${x.reply}`);
    }
  });
  server.on('error', () => undefined);
  const lines: string[] = [];
  const client = tls.connect({ socket: a, rejectUnauthorized: false, servername: 'nad-test.example', ...opts.client });
  client.on('keylog', (line: Buffer) => lines.push(line.toString('latin1')));
  await new Promise<void>((resolve, reject) => {
    client.once('secureConnect', () => resolve());
    client.once('error', reject);
  });
  let got = '';
  for (const x of EXCHANGES) {
    client.write(`${x.method} ${x.uri} HTTP/1.1\r\nHost: nad-test.example\r\nUser-Agent: nad-test\r\n${x.body === '' ? '' : `Content-Length: ${x.body.length}\r\n`}\r\n${x.body}`);
    const need = x.reply.length;
    await new Promise<void>((resolve) => {
      const on = (d: Buffer): void => {
        got += d.toString('latin1');
        if (got.includes('\r\n\r\n') && got.length - got.indexOf('\r\n\r\n') - 4 >= need) {
          client.off('data', on);
          got = '';
          resolve();
        }
      };
      client.on('data', on);
    });
  }
  client.end();
  await new Promise((r) => setImmediate(r));
  return { log, keylog: lines.join('') };
}


const CASES: { name: string; client: tls.ConnectionOptions; server: tls.TlsOptions; version: string }[] = [
  { name: 'TLS 1.3 AES-128-GCM', client: { minVersion: 'TLSv1.3', ciphersuites: 'TLS_AES_128_GCM_SHA256' } as tls.ConnectionOptions, server: {}, version: 'TLSv13' },
  { name: 'TLS 1.3 AES-256-GCM (SHA-384)', client: { minVersion: 'TLSv1.3', ciphersuites: 'TLS_AES_256_GCM_SHA384' } as tls.ConnectionOptions, server: {}, version: 'TLSv13' },
  { name: 'TLS 1.3 ChaCha20-Poly1305', client: { minVersion: 'TLSv1.3', ciphersuites: 'TLS_CHACHA20_POLY1305_SHA256' } as tls.ConnectionOptions, server: {}, version: 'TLSv13' },
  { name: 'TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256', client: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' }, server: {}, version: 'TLSv12' },
  { name: 'TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384', client: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384' }, server: {}, version: 'TLSv12' },
  { name: 'TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305', client: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-CHACHA20-POLY1305' }, server: {}, version: 'TLSv12' },
  { name: 'TLS 1.2 ECDHE-RSA-AES128-SHA, encrypt-then-MAC', client: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-SHA' }, server: {}, version: 'TLSv12' },
  {
    name: 'TLS 1.2 ECDHE-RSA-AES256-SHA384, MAC-then-encrypt',
    client: { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES256-SHA384', secureOptions: constants.SSL_OP_NO_ENCRYPT_THEN_MAC },
    server: { secureOptions: constants.SSL_OP_NO_ENCRYPT_THEN_MAC },
    version: 'TLSv12',
  },
  {
    name: 'TLS 1.0 AES256-SHA (implicit IVs, MD5/SHA-1 PRF)',
    client: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES256-SHA@SECLEVEL=0' },
    server: { minVersion: 'TLSv1', ciphers: 'AES256-SHA@SECLEVEL=0' },
    version: 'TLSv10',
  },
];

for (const c of CASES) {
  test(`OpenSSL ${c.name}: the HTTP the test sent is read back from the capture with the key log`, async (t) => {
    let session;
    try {
      session = await tlsSession({ client: c.client, server: c.server });
    } catch (err) {
      // OpenSSL builds without TLS 1.0 at any security level refuse the handshake itself: nothing to decrypt.
      if (c.version === 'TLSv10') return t.skip(`this OpenSSL refuses TLS 1.0: ${(err as Error).message}`);
      throw err;
    }
    const dir = mkdtempSync(join(tmpdir(), 'nad-tls-'));
    try {
      const pcap = join(dir, 's.pcap');
      const keylog = join(dir, 'keys.txt');
      writeFileSync(pcap, toPcap(session.log, 50000));
      writeFileSync(keylog, session.keylog);
      const run = await runApp(pcap, { tls_keys: loadKeyLogs([keylog]) });
      assert.equal(run.tls.length, 1);
      assert.equal(run.tls[0]!.version, c.version);
      assert.equal(run.stats.tls_decrypt_failed, 0);
      assert.equal(run.stats.tls_decrypted, 1);
      assert.deepEqual(
        run.http.map((h) => [h.method, h.host, h.uri, h.request_body_len, h.status_code, h.response_body_len, h.user_agent]),
        EXCHANGES.map((x) => [x.method, 'nad-test.example', x.uri, x.body.length, x.status, x.reply.length, 'nad-test']),
      );
      assert.equal(run.http[0]!.uid, run.tls[0]!.uid);
      // The server's certificate: in the clear up to TLS 1.2, read from the decrypted handshake in TLS 1.3.
      const fixture = new X509Certificate(readFileSync(join(HERE, 'fixtures', 'tls-test.crt')));
      assert.equal(run.tls[0]!.cert_sha1, fixture.fingerprint.replaceAll(':', '').toLowerCase());
      assert.match(run.tls[0]!.subject, /CN=nad-test\.example/);
      // The flow stays a TLS flow: the HTTP inside does not rename its service.
      assert.equal(run.conns[0]!.service, 'tls');
      if (c.version === 'TLSv13') {
        // A log with the traffic secrets only (no handshake ones): the HTTP still opens, the certificate cannot.
        writeFileSync(keylog, session.keylog.split('\n').filter((l) => !l.includes('HANDSHAKE')).join('\n'));
        const partial = await runApp(pcap, { tls_keys: loadKeyLogs([keylog]) });
        assert.deepEqual(partial.http.map((h) => h.uri), EXCHANGES.map((x) => x.uri));
        assert.equal(partial.stats.tls_decrypt_failed, 0);
        assert.equal(partial.tls[0]!.cert_sha1, '');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('key log parser: labels, merging, and errors that name the line and its byte offset', () => {
  const r = 'ab'.repeat(32);
  const keys = parseKeyLog(`# comment\n\nCLIENT_RANDOM ${r} ${'11'.repeat(48)}\nSERVER_TRAFFIC_SECRET_0 ${r.toUpperCase()} ${'22'.repeat(32)}\nEXPORTER_SECRET ${r} ${'33'.repeat(32)}\n`, 'k.txt');
  assert.equal(keys.size, 1);
  const s = keys.get(r)!;
  assert.equal(Buffer.from(s.master!).toString('hex'), '11'.repeat(48));
  assert.equal(Buffer.from(s.server_traffic!).toString('hex'), '22'.repeat(32));
  assert.equal(s.client_traffic, undefined);
  const line1 = `CLIENT_RANDOM ${r} ${'11'.repeat(48)}\n`;
  assert.throws(() => parseKeyLog(`${line1}CLIENT_RANDOM ${r} 1234\n`, 'k.txt'), { message: `k.txt: byte ${line1.length}: line 2: CLIENT_RANDOM secret is not 48 bytes of hex` });
  assert.throws(() => parseKeyLog(`CLIENT_RANDOM zz ${'11'.repeat(48)}\n`, 'k.txt'), /k\.txt: byte 0: line 1: CLIENT_RANDOM needs a 32-byte client random/);
  assert.throws(() => parseKeyLog('hello world\n', 'k.txt'), /k\.txt: byte 0: line 1: not a TLS key log line/);
});

test('nad analyze --tls-keylog: http.csv from the TLS connections, the same with --workers 2; bad key logs are one line, exit 2', { skip: SKIP_NO_SHARED }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-tls-cli-'));
  try {
    const run = (out: string, extra: string[]): RunResult => nad(['analyze', DRIDEX, '--tls-keylog', DRIDEX_KEYS, '--out', join(dir, out), '--no-geo', '--no-report', ...extra]);
    const one = run('w1', ['--workers', '1']);
    assert.equal(one.status, 0, one.stderr);
    assert.match(one.stdout, /^Decrypted: 8 TLS connections with the key log \(http\.csv\)$/m);
    const http = readFileSync(join(dir, 'w1', 'http.csv'), 'utf8');
    assert.match(http, /foodsgoodforliver\.com,\/invest_20\.dll,/);
    const summary = JSON.parse(readFileSync(join(dir, 'w1', 'summary.json'), 'utf8')) as { parameters?: { tls_keylog?: string[] } } & Record<string, unknown>;
    assert.match(JSON.stringify(summary), /"tls_decrypted": ?8/);
    assert.ok(JSON.stringify(summary).includes(DRIDEX_KEYS), 'the key log is named among the run parameters');
    const two = run('w2', ['--workers', '2', '--quiet']);
    assert.equal(two.status, 0, two.stderr);
    assert.equal(readFileSync(join(dir, 'w2', 'http.csv'), 'utf8'), http);

    const bad = join(dir, 'bad.txt');
    const first = `CLIENT_RANDOM ${'ab'.repeat(32)} ${'11'.repeat(48)}\n`;
    writeFileSync(bad, `${first}CLIENT_RANDOM nothex 00\n`);
    for (const [file, extra, want] of [
      [bad, [], new RegExp(`^nad: ${bad.replace(/[.]/g, '\\.')}: byte ${first.length}: line 2: CLIENT_RANDOM needs a 32-byte client random`)],
      [join(dir, 'missing.txt'), [], /^nad: .*missing\.txt: byte 0: no such file/],
      [DRIDEX_KEYS, ['--no-app'], /^nad: --tls-keylog needs application parsing/],
    ] as const) {
      const r = nad(['analyze', DRIDEX, '--tls-keylog', file, '--out', join(dir, 'x'), '--force', '--quiet', ...extra]);
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, want);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- Fuzz ----

const FUZZ_CASES = Math.max(5_000, Math.floor(Number(process.env['NAD_FUZZ_CASES'] ?? 0) / 20));

test(`fuzz: ${FUZZ_CASES} mutated Dridex TLS connections, decrypted with their keys, never throw or loop`, { skip: SKIP_NO_SHARED, timeout: 600_000 }, async (t) => {
  // Each TLS connection's payload segments in order (by client port), the 460 KB download left out for speed.
  const conns = new Map<number, Segment[]>();
  await readCaptures([DRIDEX], {
    packet(p: Packet): void {
      decodePacket(p);
      if (p.ip_proto !== 6 || p.payload_end <= p.payload_off || (p.src_port !== 443 && p.dst_port !== 443)) return;
      const client = p.dst_port === 443;
      const port = client ? p.src_port : p.dst_port;
      if (!conns.has(port)) conns.set(port, []);
      conns.get(port)!.push({ client, data: Buffer.from(p.buf.subarray(p.payload_off, p.payload_end)) });
    },
  });
  const sessions = [...conns.values()].filter((s) => s.length < 200);
  assert.ok(sessions.length >= 6, 'Dridex TLS connections missing');
  const stats = createAppStats();
  const hook = createTlsDecryptHook(stats, { tls_keys: loadKeyLogs([DRIDEX_KEYS]) }, new Map())!;
  const rng = new Rng(0x746c73);
  const p = createPacket();
  let exceptions = 0, rows = 0;
  let first: unknown = null;
  const out = { dns() {}, tls() {}, http: () => { rows++; }, ssh() {}, ftp() {}, smtp() {}, credential() {} } satisfies RecordSink;
  for (let n = 0; n < FUZZ_CASES; n++) {
    try {
      fuzzSession(hook, flowView(40000 + (n & 1023), 443, 'Ctlsfz'), sessions[n % sessions.length]!, rng, p, out);
    } catch (err) {
      exceptions++;
      first ??= err;
    }
  }
  t.diagnostic(`http rows ${rows}, tls_decrypted ${stats.tls_decrypted}, tls_decrypt_failed ${stats.tls_decrypt_failed}, http_malformed ${stats.http_malformed}`);
  assert.equal(exceptions, 0, `uncaught exceptions: ${exceptions}; first: ${String((first as Error | null)?.stack ?? first)}`);
  assert.ok(stats.tls_decrypt_failed > 0, 'no mutated record was ever counted as failing');
  assert.ok(rows > 0 && stats.tls_decrypted > 0, 'no case decrypted anything');
});

// ---- Key logs embedded in pcapng (Decryption Secrets Blocks) ----

const H2_DSB = join(CAPTURES, 'tls', 'http2-with-cookies.pcapng');
const HAVE_EDITCAP = spawnSync('editcap', ['-h'], { encoding: 'utf8' }).status === 0;

test('a pcapng Decryption Secrets Block: its key log holds the ClientHello random tshark shows; gzip and plain alike', { skip: SKIP_NO_SHARED || (HAVE_TSHARK ? false : 'tshark not installed: skipped') }, () => {
  const embedded = embeddedKeyLogs([H2_DSB]);
  assert.equal(embedded.length, 1);
  const keys = parseKeyLog(embedded[0]!.text, H2_DSB);
  const randoms = spawnSync('tshark', ['-r', H2_DSB, '-Y', 'tls.handshake.type == 1', '-T', 'fields', '-e', 'tls.handshake.random'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '');
  assert.ok(randoms.length > 0);
  for (const r of randoms) assert.ok(keys.get(r.replaceAll(':', ''))?.server_traffic !== undefined, `no secrets for ${r}`);
  const dir = mkdtempSync(join(tmpdir(), 'nad-dsb-'));
  try {
    const gz = join(dir, 'h2.pcapng.gz');
    writeFileSync(gz, gzipSync(readFileSync(H2_DSB)));
    assert.deepEqual(embeddedKeyLogs([gz]).map((e) => e.text), embedded.map((e) => e.text));
    // A classic pcap holds no blocks; a missing file is left to the reader.
    assert.deepEqual(embeddedKeyLogs([DRIDEX, join(dir, 'missing.pcapng'), '-']), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nad analyze on a pcapng whose secrets editcap --inject-secrets embedded: decrypted with no --tls-keylog', { skip: HAVE_EDITCAP ? false : 'editcap not installed (apt-get install tshark): skipped' }, async () => {
  const session = await tlsSession({ client: { minVersion: 'TLSv1.3' }, server: {} });
  const dir = mkdtempSync(join(tmpdir(), 'nad-dsb-cli-'));
  try {
    writeFileSync(join(dir, 's.pcap'), toPcap(session.log, 50001));
    writeFileSync(join(dir, 'keys.txt'), session.keylog);
    const inj = spawnSync('editcap', ['--inject-secrets', `tls,${join(dir, 'keys.txt')}`, join(dir, 's.pcap'), join(dir, 's.pcapng')], { encoding: 'utf8' });
    assert.equal(inj.status, 0, inj.stderr);
    const r = nad(['analyze', join(dir, 's.pcapng'), '--out', join(dir, 'out'), '--no-geo', '--no-report', '--no-detect']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /decrypting TLS and QUIC with the key log embedded in the capture \(1 connections' secrets\)/);
    const http = readFileSync(join(dir, 'out', 'http.csv'), 'utf8');
    for (const x of EXCHANGES) assert.ok(http.includes(`,${x.method},nad-test.example,${x.uri},`), `${x.method} ${x.uri} missing from http.csv`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HTTP/2 inside the TLS of a capture with an embedded key log: every stream\'s request, status and DATA bytes equal tshark\'s', { skip: SKIP_NO_SHARED || (HAVE_TSHARK ? false : 'tshark not installed: skipped') }, async () => {
  const run = await runApp(H2_DSB, embeddedKeys(H2_DSB));
  assert.equal(run.stats.tls_decrypted_h2, 1);
  const fields = (filter: string, f: string[]): string[][] =>
    spawnSync('tshark', ['-r', H2_DSB, '-Y', filter, '-T', 'fields', ...f.flatMap((x) => ['-e', x])], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
  // One HEADERS frame a packet here, so each row is one stream's request; the stream ids run 1, 3, 5 … in request order.
  const requests = fields('http2.headers.method', ['http2.streamid', 'http2.headers.method', 'http2.headers.authority', 'http2.headers.path']);
  assert.equal(requests.length, 15);
  assert.deepEqual(run.http.map((h) => [h.method, h.host, h.uri]), requests.map(([, m, a, p]) => [m, a, p]));
  // Responses: a packet may hold several frames; its HEADERS frames' stream ids pair in order with its :status values.
  const status = new Map<string, number>();
  for (const [ids, types, codes] of fields('http2.headers.status', ['http2.streamid', 'http2.type', 'http2.headers.status'])) {
    const ty = types!.split(',');
    const heads = ids!.split(',').filter((_, i) => ty[i] === '1');
    codes!.split(',').forEach((c, i) => status.set(heads[i]!, Number(c)));
  }
  // DATA bytes a stream, from every frame tshark dissected (a packet may hold several: the lists run in step).
  const data = new Map<string, number>();
  for (const [ids, types, lens] of fields('http2.type == 0', ['http2.streamid', 'http2.type', 'http2.length'])) {
    const id = ids!.split(','), ty = types!.split(','), ln = lens!.split(',');
    ty.forEach((t, i) => { if (t === '0') data.set(id[i]!, (data.get(id[i]!) ?? 0) + Number(ln[i])); });
  }
  run.http.forEach((h, i) => {
    const sid = requests[i]![0]!;
    assert.equal(h.status_code, status.get(sid) ?? null, `stream ${sid} status`);
    assert.equal(h.response_body_len, data.get(sid) ?? 0, `stream ${sid} DATA bytes`);
    assert.equal(h.version, '2');
  });
});

// ---- HTTP/2 made by node:http2 (nghttp2), in the clear: the reader against the requests sent, and a fuzz ----

/** An HTTP/2 server that answers each of EXCHANGES once its request body has ended. */
function serveExchanges<S extends http2.Http2Server | http2.Http2SecureServer>(server: S, type: string): S {
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    const x = EXCHANGES.find((e) => e.uri === headers[':path'])!;
    stream.resume();
    stream.on('end', () => {
      stream.respond({ ':status': x.status, 'content-type': type });
      stream.end(x.reply);
    });
  });
  return server;
}

/** Sends EXCHANGES one after another over an HTTP/2 session (each waits for its response), then closes both ends. */
async function requestExchanges(session: http2.ClientHttp2Session, server: { close(): unknown }, headers: http2.OutgoingHttpHeaders): Promise<void> {
  for (const x of EXCHANGES) {
    await new Promise<void>((resolve) => {
      const req = session.request({ ':method': x.method, ':path': x.uri, 'user-agent': 'nad-test', ...headers });
      req.resume();
      req.on('end', () => resolve());
      req.end(x.body === '' ? undefined : x.body);
    });
  }
  session.close();
  server.close();
  await new Promise((r) => setImmediate(r));
}

async function h2Session(): Promise<{ client: boolean; data: Buffer }[]> {
  const log: { client: boolean; data: Buffer }[] = [];
  const [a, b] = socketPair(log);
  const server = serveExchanges(http2.createServer(), 'text/plain; charset=utf-8');
  server.emit('connection', b);
  const session = http2.connect('http://nad-test.example', { createConnection: () => a });
  await requestExchanges(session, server, { cookie: 'a=1', 'accept-language': 'de-DE' });
  return log;
}

test('HTTP/2 reader: the requests node:http2 sent, with their statuses, body bytes and JA4H', async () => {
  const log = await h2Session();
  const conn = new H2Connection(createAppStats(), flowView(50002, 80, 'Ch2'));
  for (const w of log) conn.push(w.client, w.data, 1000, 0);
  assert.equal(conn.dead, false);
  assert.deepEqual(
    conn.trans.map((h) => [h.method, h.host, h.uri, h.request_body_len, h.status_code, h.response_body_len, h.user_agent, h.resp_mime, h.version]),
    // node:http2 names the authority with its port.
    EXCHANGES.map((x) => [x.method, 'nad-test.example:80', x.uri, x.body.length, x.status, x.reply.length, 'nad-test', 'text/plain', '2']),
  );
  // node:http2 sends :method, :authority, :scheme, :path, then the others: 4 pseudo-headers + user-agent + accept-language.
  assert.match(conn.trans[0]!.ja4h, /^ge20cn06dede_/);
  // Each response body, ended by END_STREAM, is hashed: the hashes of what the test's server sent.
  conn.trans.forEach((h, i) => {
    const reply = Buffer.from(EXCHANGES[i]!.reply, 'latin1');
    assert.equal(h.resp_sha256, createHash('sha256').update(reply).digest('hex'));
    assert.equal(h.resp_md5, createHash('md5').update(reply).digest('hex'));
  });
});

test(`fuzz: ${FUZZ_CASES} mutated HTTP/2 byte streams never throw`, async (t) => {
  const log = await h2Session();
  const stats = createAppStats();
  const rng = new Rng(0x6832);
  let exceptions = 0, rows = 0;
  let first: unknown = null;
  for (let n = 0; n < FUZZ_CASES; n++) {
    const conn = new H2Connection(stats, flowView(50003, 80, 'Ch2fz'));
    try {
      for (const w of log) {
        const data = rng.below(4) === 0 ? mutate(rng, w.data, log[rng.below(log.length)]!.data) : w.data;
        // Re-cut the stream at random points too: frames must survive any segmentation.
        for (let o = 0; o < data.length; ) {
          const k = 1 + rng.below(data.length - o);
          conn.push(w.client, data.subarray(o, o + k), 1000, 0);
          o += k;
        }
      }
      rows += conn.trans.length;
    } catch (err) {
      exceptions++;
      first ??= err;
    }
  }
  t.diagnostic(`rows ${rows}, http_malformed ${stats.http_malformed}`);
  assert.equal(exceptions, 0, `uncaught exceptions: ${exceptions}; first: ${String((first as Error | null)?.stack ?? first)}`);
  assert.ok(stats.http_malformed > 0 && rows > 0);
});

test('HTTP/2 over TLS 1.3 made by node:http2 (ALPN h2): decrypted and read back, bodies hashed', async () => {
  const log: { client: boolean; data: Buffer }[] = [];
  const [a, b] = socketPair(log);
  const key = readFileSync(join(HERE, 'fixtures', 'tls-test.key'));
  const cert = readFileSync(join(HERE, 'fixtures', 'tls-test.crt'));
  // node:http2's own TLS server on the in-memory socket; the client's TLS socket logs the secrets.
  const server = serveExchanges(http2.createSecureServer({ key, cert }), 'text/plain');
  server.emit('connection', b);
  const lines: string[] = [];
  const session = http2.connect('https://nad-test.example', {
    createConnection: () => {
      const t = tls.connect({ socket: a, rejectUnauthorized: false, servername: 'nad-test.example', ALPNProtocols: ['h2'], minVersion: 'TLSv1.3' });
      t.on('keylog', (line: Buffer) => lines.push(line.toString('latin1')));
      return t;
    },
  });
  await requestExchanges(session, server, {});
  const dir = mkdtempSync(join(tmpdir(), 'nad-h2tls-'));
  try {
    writeFileSync(join(dir, 's.pcap'), toPcap(log, 50004));
    writeFileSync(join(dir, 'keys.txt'), lines.join(''));
    const run = await runApp(join(dir, 's.pcap'), { tls_keys: loadKeyLogs([join(dir, 'keys.txt')]) });
    assert.equal(run.stats.tls_decrypted_h2, 1);
    assert.equal(run.stats.tls_decrypt_failed, 0);
    assert.deepEqual(
      run.http.map((h) => [h.version, h.method, h.uri, h.request_body_len, h.status_code, h.response_body_len, h.resp_sha256]),
      EXCHANGES.map((x) => ['2', x.method, x.uri, x.body.length, x.status, x.reply.length, createHash('sha256').update(x.reply).digest('hex')]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const HAVE_OPENSSL = spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;

test('TLS 1.3 KeyUpdate (OpenSSL s_client and s_server each send one between requests): nad decrypts what follows, as tshark does', {
  skip: SKIP_NO_SHARED || (!HAVE_TSHARK ? 'tshark not installed: skipped' : !HAVE_OPENSSL ? 'openssl not installed: skipped' : false), timeout: 120_000,
}, async () => {
  const { default: net } = await import('node:net');
  const { spawn } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'nad-keyupdate-'));
  const procs: { kill(): boolean }[] = [];
  const free = (): Promise<number> => new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
  /** Waits until `text()` matches, polling (the two OpenSSL processes answer at their own pace). */
  const until = async (what: string, text: () => string, re: RegExp): Promise<void> => {
    for (let i = 0; i < 400 && !re.test(text()); i++) await new Promise((r) => setTimeout(r, 25));
    assert.match(text(), re, `waiting for ${what}`);
  };
  try {
    const keylog = join(dir, 'keys.log');
    const [sport, pport] = [await free(), await free()];
    const srv = spawn('openssl', ['s_server', '-accept', String(sport), '-key', join(HERE, 'fixtures', 'tls-test.key'), '-cert', join(HERE, 'fixtures', 'tls-test.crt'), '-tls1_3', '-ign_eof', '-naccept', '1']);
    procs.push(srv);
    let sout = '';
    srv.stdout.on('data', (d: Buffer) => (sout += d.toString('latin1')));
    await until('s_server to listen', () => sout, /ACCEPT/);
    // A proxy between them records each direction's bytes, in order: the capture is made from them.
    const log: { client: boolean; data: Buffer }[] = [];
    const proxy = net.createServer((c) => {
      const up = net.connect(sport, '127.0.0.1');
      c.on('data', (d) => { log.push({ client: true, data: Buffer.from(d) }); up.write(d); });
      up.on('data', (d) => { log.push({ client: false, data: Buffer.from(d) }); c.write(d); });
      c.on('end', () => up.end());
      up.on('end', () => c.end());
      c.on('error', () => undefined);
      up.on('error', () => undefined);
    });
    procs.push({ kill: () => (proxy.close(), true) });
    await new Promise<void>((r) => proxy.listen(pport, '127.0.0.1', r));
    const cli = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${pport}`, '-tls1_3', '-keylogfile', keylog, '-servername', 'nad-test.example']);
    procs.push(cli);
    let cout = '';
    let cerr = '';
    cli.stdout.on('data', (d: Buffer) => (cout += d.toString('latin1')));
    cli.stderr.on('data', (d: Buffer) => (cerr += d.toString('latin1')));
    await until('the handshake', () => cout, /^---$/m);
    // Each line goes on its own, after the last one took effect: s_client reads a command only at the start of a read.
    cli.stdin.write('GET /before HTTP/1.1\nHost: nad-test.example\n\n');
    await until('the first request', () => sout, /GET \/before/);
    srv.stdin.write('HTTP/1.1 200 OK\nContent-Length: 2\n\nok');
    await until('the first response', () => cout, /ok/);
    cli.stdin.write('k\n'); // the client's KeyUpdate
    await until('the client\'s key update', () => cerr, /KEYUPDATE/);
    cli.stdin.write('GET /after HTTP/1.1\nHost: nad-test.example\n\n');
    await until('the second request', () => sout, /GET \/after/);
    srv.stdin.write('k\n'); // the server's KeyUpdate
    await new Promise((r) => setTimeout(r, 300));
    srv.stdin.write('HTTP/1.1 200 OK\nContent-Length: 2\n\nok');
    await until('the second response', () => cout, /ok[^]*ok/);
    cli.stdin.end();
    await new Promise((r) => setTimeout(r, 300));
    const pcap = join(dir, 'keyupdate.pcap');
    writeFileSync(pcap, toPcap(log, 40001));
    // tshark decrypts it with the same log: two KeyUpdate messages, both requests and both responses.
    const seen = tsharkFields(pcap, keylog, 'tls.handshake.type == 24 || http', ['tls.handshake.type', 'http.request.uri', 'http.response.code']);
    assert.equal(seen.filter((r) => r[0] === '24').length, 2, 'tshark saw both key updates');
    const uris = seen.map((r) => r[1]).filter((u) => u !== '' && u !== undefined);
    assert.deepEqual(uris, ['/before', '/after']);
    const run = await runApp(pcap, { tls_keys: loadKeyLogs([keylog]) });
    assert.deepEqual(run.http.map((h) => [h.uri, h.status_code]), [['/before', 200], ['/after', 200]]);
    assert.equal(run.stats.tls_decrypt_failed, 0);
  } finally {
    for (const p of procs) p.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
