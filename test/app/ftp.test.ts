/**
 * FTP (ftp.csv, credentials.csv, ftp-data flows) against independent sources: Zeek's published ftp.log and conn.log
 * baselines for the two Zeek traces in ../shared/captures/app (zeek/zeek testing/btest/Baseline/
 * scripts.base.protocols.ftp.ftp-ipv4 @25d7b71c50 and ftp-ipv6 @22bf3e1196; conn.log @7251b0f240), tshark's FTP
 * dissector for the commands, RFC 7617's Basic example; hand-built sessions for what the traces lack (a rejected
 * login, a hidden password, an upload); and a fuzz of mutated real control channels.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildPath, createFtpHook, fileUrl, FtpDataState, type FtpState } from '../../src/app/ftp.js';
import { createHttpHook } from '../../src/app/http/hook.js';
import { basicCredentials } from '../../src/app/http/parse.js';
import type { CredentialRecord, FtpRecord, RecordSink } from '../../src/app/records.js';
import { createAppStats } from '../../src/app/stats.js';
import { createPacket } from '../../src/decode/layer.js';
import type { FlowView } from '../../src/flow/conn.js';
import { nad } from '../cli/run.js';
import { CAPTURES, readCsv, SKIP_NO_SHARED } from '../shared.js';
import { Rng } from './mutate.js';
import { runApp } from './run.js';
import { flowView as view, fuzzSession, playLines, segmentsTo, setPayload } from './session.js';

/** Zeek ftp.log rows: ts, orig_h, orig_p, resp_h, resp_p, user, password, command, arg, file_size, reply_code, reply_msg,
 *  data_channel.passive, .orig_h, .resp_h, .resp_p (mime_type and fuid left out: nad sniffs no files). */
const ZEEK_FTP: Record<string, string[][]> = {
  'app/ftp-ipv4.pcap': [
    ['1329843175.680248', '141.142.220.235', '50003', '199.233.217.249', '21', 'anonymous', 'test', 'PASV', '-', '-', '227', 'Entering Passive Mode (199,233,217,249,221,90)', 'T', '141.142.220.235', '199.233.217.249', '56666'],
    ['1329843179.815947', '141.142.220.235', '50003', '199.233.217.249', '21', 'anonymous', 'test', 'PASV', '-', '-', '227', 'Entering Passive Mode (199,233,217,249,221,91)', 'T', '141.142.220.235', '199.233.217.249', '56667'],
    ['1329843179.926563', '141.142.220.235', '50003', '199.233.217.249', '21', 'anonymous', 'test', 'RETR', 'ftp://199.233.217.249/./robots.txt', '77', '226', 'Transfer complete.', '-', '-', '-', '-'],
    ['1329843194.040188', '141.142.220.235', '50003', '199.233.217.249', '21', 'anonymous', 'test', 'PORT', '141,142,220,235,131,46', '-', '200', 'PORT command successful.', 'F', '199.233.217.249', '141.142.220.235', '33582'],
    ['1329843197.672179', '141.142.220.235', '50003', '199.233.217.249', '21', 'anonymous', 'test', 'PORT', '141,142,220,235,147,203', '-', '200', 'PORT command successful.', 'F', '199.233.217.249', '141.142.220.235', '37835'],
    ['1329843197.727769', '141.142.220.235', '50003', '199.233.217.249', '21', 'anonymous', 'test', 'RETR', 'ftp://199.233.217.249/./robots.txt', '77', '226', 'Transfer complete.', '-', '-', '-', '-'],
  ],
  'app/ftp-ipv6.pcap': [
    ['1329327783.207785', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49185', '2001:470:4867:99::21', '21', 'anonymous', 'test', 'EPSV', '-', '-', '229', 'Entering Extended Passive Mode (|||57086|)', 'T', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '2001:470:4867:99::21', '57086'],
    ['1329327786.415755', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49185', '2001:470:4867:99::21', '21', 'anonymous', 'test', 'EPSV', '-', '-', '229', 'Entering Extended Passive Mode (|||57087|)', 'T', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '2001:470:4867:99::21', '57087'],
    ['1329327787.180814', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49185', '2001:470:4867:99::21', '21', 'anonymous', 'test', 'EPSV', '-', '-', '229', 'Entering Extended Passive Mode (|||57088|)', 'T', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '2001:470:4867:99::21', '57088'],
    ['1329327787.396984', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49185', '2001:470:4867:99::21', '21', 'anonymous', 'test', 'RETR', 'ftp://[2001:470:4867:99::21]/robots.txt', '77', '226', 'Transfer complete.', '-', '-', '-', '-'],
    ['1329327795.355248', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49185', '2001:470:4867:99::21', '21', 'anonymous', 'test', 'EPRT', '|2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49189|', '-', '200', 'EPRT command successful.', 'F', '2001:470:4867:99::21', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49189'],
    ['1329327795.463946', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49185', '2001:470:4867:99::21', '21', 'anonymous', 'test', 'RETR', 'ftp://[2001:470:4867:99::21]/robots.txt', '77', '226', 'Transfer complete.', '-', '-', '-', '-'],
    ['1329327799.799327', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49185', '2001:470:4867:99::21', '21', 'anonymous', 'test', 'EPRT', '|2|2001:470:1f11:81f:c999:d94:aa7c:2e3e|49190|', '-', '200', 'EPRT command successful.', 'F', '2001:470:4867:99::21', '2001:470:1f11:81f:c999:d94:aa7c:2e3e', '49190'],
  ],
};

/** Zeek conn.log of ftp-ipv4: service by (orig_h, orig_p, resp_h, resp_p). */
const ZEEK_CONN_IPV4: [string, string][] = [
  ['141.142.220.235 37604 199.233.217.249 56666', 'ftp-data'],
  ['141.142.220.235 59378 199.233.217.249 56667', 'ftp-data'],
  ['199.233.217.249 61920 141.142.220.235 33582', 'ftp-data'],
  ['199.233.217.249 61918 141.142.220.235 37835', 'ftp-data'],
  ['141.142.220.235 50003 199.233.217.249 21', 'ftp'],
];

/** Zeek's unset field is `-`; nad's empty or null. */
const z = (v: string | number | boolean | null): string => (v === null || v === '' ? '-' : v === true ? 'T' : v === false ? 'F' : String(v));

function zeekRow(r: FtpRecord): string[] {
  return [
    r.ts.slice(0, r.ts.indexOf('.') + 7), r.orig_h, String(r.orig_p), r.resp_h, String(r.resp_p), r.user, r.password, r.command,
    z(r.arg), z(r.file_size), z(r.reply_code), z(r.reply_msg), z(r.data_channel_passive), z(r.data_channel_orig_h),
    z(r.data_channel_resp_h), z(r.data_channel_resp_p),
  ];
}

for (const [rel, rows] of Object.entries(ZEEK_FTP)) {
  test(`ftp.csv equals Zeek's ftp.log for ${rel}`, { skip: SKIP_NO_SHARED }, async () => {
    const run = await runApp(join(CAPTURES, rel));
    assert.deepEqual(run.ftp.map(zeekRow), rows);
    // The login Zeek's rows carry, as credentials.csv has it: a guest user, so the password is kept.
    assert.deepEqual(run.credentials.map((c) => [c.protocol, c.username, c.password, c.password_hidden, c.outcome]), [['ftp', 'anonymous', 'test', false, 'accepted']]);
    // Each transfer names the data connection that carried its file: Zeek's file_size of 77 bytes is what that flow
    // delivered, in the direction of the transfer (RETR: the server sends).
    const byUid = new Map(run.conns.map((c) => [c.uid, c]));
    const retr = run.ftp.filter((r) => r.command === 'RETR');
    assert.equal(retr.length, 2);
    for (const r of retr) {
      const data = byUid.get(r.data_uid);
      assert.ok(data !== undefined, `RETR at ${r.ts}: no data connection`);
      assert.equal(data.service, 'ftp-data');
      const fromServer = data.orig_h === r.resp_h ? data.orig_bytes : data.resp_bytes;
      assert.equal(fromServer, 77);
    }
    assert.notEqual(retr[0]!.data_uid, retr[1]!.data_uid);
  });
}

test("flows.csv service: the data connections are ftp-data, the control connection ftp (Zeek's conn.log, ftp-ipv4)", { skip: SKIP_NO_SHARED }, async () => {
  const run = await runApp(join(CAPTURES, 'app/ftp-ipv4.pcap'));
  const ours = new Map(run.conns.map((c) => [`${c.orig_h} ${c.orig_p} ${c.resp_h} ${c.resp_p}`, c.service]));
  for (const [key, service] of ZEEK_CONN_IPV4) assert.equal(ours.get(key), service, key);
});

test('the commands equal the ones tshark dissects, in order, for every shared FTP capture', { skip: SKIP_NO_SHARED }, async (t) => {
  const LOGGED = new Set(['APPE', 'DELE', 'RETR', 'STOR', 'STOU', 'ACCT', 'PORT', 'PASV', 'EPRT', 'EPSV']);
  for (const rel of ['app/ftp-ipv4.pcap', 'app/ftp-ipv6.pcap', 'zeek-conn/ftp-auth-tls.pcap']) {
    let out: string;
    try {
      out = execFileSync('tshark', ['-r', join(CAPTURES, rel), '-Y', 'ftp.request', '-T', 'fields', '-e', 'ftp.request.command'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      t.skip('tshark not installed');
      return;
    }
    const theirs = out.split('\n').filter((c) => LOGGED.has(c));
    const run = await runApp(join(CAPTURES, rel));
    assert.deepEqual(run.ftp.map((r) => r.command), theirs, rel);
  }
});

test('the files of FTP transfers: ftp.csv hashes and files/ equal what tshark --export-objects ftp-data writes; a transfer the capture cut short gets none (also with --workers 2)', {
  skip: SKIP_NO_SHARED || (spawnSync('tshark', ['-v']).status === 0 ? false : 'tshark not installed: skipped'), timeout: 120_000,
}, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-ftp-files-'));
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  try {
    for (const rel of ['app/ftp-ipv4.pcap', 'app/ftp-ipv6.pcap', 'zeek-conn/ipv6.pcap', 'zeek-conn/bigtransfer.pcap']) {
      const path = join(CAPTURES, rel);
      const objects = join(dir, `objects-${rel.replace('/', '_')}`);
      assert.equal(spawnSync('tshark', ['-r', path, '-q', '--export-objects', `ftp-data,${objects}`]).status, 0);
      const exported = readdirSync(objects).map((f) => readFileSync(join(objects, f)));
      for (const workers of ['1', '2']) {
        const out = join(dir, `out-${rel.replace('/', '_')}-${workers}`);
        const r = nad(['analyze', path, '--extract-files', '--workers', workers, '--out', out, '--no-geo', '--no-report', '--no-detect']);
        assert.equal(r.status, 0, r.stderr);
        const rows = readCsv(join(out, 'ftp.csv')).filter((x) => x['command'] === 'RETR');
        assert.ok(rows.length > 0, rel);
        const files = (() => { try { return readdirSync(join(out, 'files')); } catch { return []; } })();
        if (rel.endsWith('bigtransfer.pcap')) {
          // 5,416,666,670 bytes announced; the capture holds the start of them (tshark exports what it holds).
          const announced = Number(rows[0]!['file_size']);
          assert.ok(exported.length === 1 && exported[0]!.length < announced, 'tshark exports a shorter file than announced');
          assert.deepEqual(rows.map((x) => x['sha256']), [''], 'no hash for a file the capture does not hold whole');
          assert.deepEqual(files, []);
          continue;
        }
        // tshark names an exported file by its name on the server, so two downloads of robots.txt leave one file.
        assert.ok(rows.every((x) => x['sha256'] !== ''), `${rel}: every RETR's file is hashed`);
        assert.deepEqual([...new Set(rows.map((x) => x['sha256']))].sort(), [...new Set(exported.map(sha))].sort(), `${rel}: each RETR's SHA-256 is that of the file tshark exports`);
        assert.deepEqual(files, [...new Set(exported.map(sha))], 'files/ holds the file once, under its hash');
        for (const f of files) assert.equal(sha(readFileSync(join(out, 'files', f))), f);
      }
      if (rel === 'app/ftp-ipv4.pcap') {
        // The hash of what tshark exports, as a feed would list it, is matched on the transfer (Intel::FILE_HASH).
        const intel = join(dir, 'ftp.intel');
        writeFileSync(intel, `#fields\tindicator\tindicator_type\tmeta.source\n${sha(exported[0]!)}\tIntel::FILE_HASH\tcase-ftp\n`);
        const r = nad(['analyze', path, '--intel', intel, '--out', join(dir, 'intel-out'), '--quiet', '--no-geo', '--no-report']);
        assert.equal(r.status, 0, r.stderr);
        const hits = readCsv(join(dir, 'intel-out', 'intel.csv'));
        assert.deepEqual(hits.map((h) => h['seen.where']), ['ftp.sha256', 'ftp.sha256'], 'both downloads matched');
      }
      t.diagnostic(`${rel}: ${exported.length} files exported by tshark (${exported.map((b) => b.length).join(', ')} bytes)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- Hand-built sessions ----

/** What a hand-built data connection carries. */
const DATA_BYTES = Buffer.from('file bytes');
const DATA_SHA256 = createHash('sha256').update(DATA_BYTES).digest('hex');

/** Plays a control session: lines from the client (`>`) and the server (`<`), one segment each, a second apart. */
function play(lines: string[], opts: { capture_passwords?: boolean; dataAfter?: number } = {}): { rows: FtpRecord[]; creds: CredentialRecord[]; data: FlowView | null } {
  const hook = createFtpHook(createAppStats(), opts);
  const ctl = view(40000, 21, 'Cctl');
  const p = createPacket();
  let state: FtpState | null = null;
  const seq = [1000, 5000];
  const rows: FtpRecord[] = [];
  const creds: CredentialRecord[] = [];
  const out = { dns() {}, tls() {}, http() {}, ssh() {}, ftp: (r: FtpRecord) => rows.push(r), smtp() {}, credential: (r: CredentialRecord) => creds.push(r) } satisfies RecordSink;
  let data: FlowView | null = null;
  let dataState: FtpState | null = null;
  lines.forEach((l, i) => {
    if (l.startsWith('=data ')) {
      // A data connection starts and sends DATA_BYTES: `=data ORIG_H ORIG_P RESP_H RESP_P [resp]` (resp: from its responder).
      const [, oh, op, rh, rp, from] = l.split(' ');
      data = view(Number(op), Number(rp), 'Cdata', oh, rh);
      setPayload(p, DATA_BYTES, 1, 1000 + i);
      dataState = hook.onInit(p, data, from !== 'resp');
      assert.ok(dataState instanceof FtpDataState, 'the announced connection is read as a data connection');
      hook.onPacket(p, data, from !== 'resp', dataState);
      return;
    }
    if (l === '=end') {
      // The data connection ends (expires from the flow table).
      assert.ok(data !== null && dataState !== null);
      hook.onExpire(data, dataState, out);
      return;
    }
    const client = l.startsWith('>');
    const bytes = Buffer.from(`${l.slice(2)}\r\n`, 'latin1');
    const dir = client ? 0 : 1;
    setPayload(p, bytes, seq[dir]!, 1000 + i);
    seq[dir]! += bytes.length;
    state ??= hook.onInit(p, ctl, client);
    assert.ok(state !== null);
    hook.onPacket(p, ctl, client, state);
  });
  if (state !== null) hook.onExpire(ctl, state, out);
  return { rows, creds, data };
}

test('a non-guest login: the password is hidden unless --capture-passwords; a rejected one is marked rejected', () => {
  const session = [
    '< 220 Service ready', '> USER alice', '< 331 Password required', '> PASS wrong', '< 530 Login incorrect.',
    '> USER alice', '< 331 Password required', '> PASS s3cret', '< 230 User logged in',
  ];
  const hidden = play(session);
  assert.deepEqual(hidden.creds.map((c) => [c.username, c.password, c.password_hidden, c.outcome]), [['alice', '', true, 'rejected'], ['alice', '', true, 'accepted']]);
  const kept = play(session, { capture_passwords: true });
  assert.deepEqual(kept.creds.map((c) => [c.username, c.password, c.password_hidden, c.outcome]), [['alice', 'wrong', false, 'rejected'], ['alice', 's3cret', false, 'accepted']]);
});

test('an upload: STOR after CWD, with the data connection of its PASV tied to it; multi-line replies read whole', () => {
  const { rows, data } = play([
    '< 220-Welcome', '< 220-to the server', '< 220 ready', '> USER bob', '< 331 ok', '> PASS x', '< 230-Hello', '< 230 logged in',
    '> CWD /upload/stage', '< 250 CWD ok', '> CWD ..', '< 250 CWD ok', '> TYPE I', '< 200 ok',
    '> PASV', '< 227 Entering Passive Mode (203,0,113,9,195,80).', '> STOR loot.zip',
    '< 150 Ok to send data.', '=data 10.0.0.5 40001 203.0.113.9 50000', '< 226 Transfer complete.', '> QUIT', '< 221 Bye',
  ]);
  assert.deepEqual(rows.map((r) => [r.command, r.arg, r.reply_code, r.user, r.password]), [
    ['PASV', '', 227, 'bob', ''],
    ['STOR', 'ftp://203.0.113.9/upload/loot.zip', 226, 'bob', ''],
  ]);
  assert.equal(rows[0]!.data_channel_resp_p, 195 * 256 + 80);
  assert.ok(data !== null);
  assert.equal((data as FlowView).service, 'ftp-data');
  assert.equal(rows[1]!.data_uid, 'Cdata');
});

test('the file of a transfer: hashed when its data connection carried it whole and the server accepted it; not when refused, or shorter than announced', () => {
  const pasv = ['< 220 ready', '> USER bob', '< 331 ok', '> PASS x', '< 230 logged in', '> PASV', '< 227 Entering Passive Mode (203,0,113,9,195,80).'];
  const upload = (end: string[]): FtpRecord => play([...pasv, '> STOR loot.zip', '< 150 Ok to send data.', '=data 10.0.0.5 40001 203.0.113.9 50000', ...end]).rows[1]!;
  // The usual order: the data connection closes, then the server confirms.
  assert.deepEqual([upload(['=end', '< 226 Transfer complete.']).sha256, upload(['=end', '< 226 Transfer complete.']).md5],
    [DATA_SHA256, createHash('md5').update(DATA_BYTES).digest('hex')]);
  // The confirmation first, the data connection's end after (a slow close): the same hash.
  assert.equal(upload(['< 226 Transfer complete.', '=end']).sha256, DATA_SHA256);
  // The session expires before its data connection (the capture ended with both open): the row is decided with it.
  assert.equal(upload(['< 226 Transfer complete.']).sha256, DATA_SHA256);
  // The server refused it (either order): no hash.
  assert.equal(upload(['=end', '< 426 Connection closed; transfer aborted.']).sha256, '');
  assert.equal(upload(['< 451 Local error.', '=end']).sha256, '');
  // A download: the server sends; 150 announces 10 bytes (whole) or 20 (cut short).
  const download = (announced: number): FtpRecord => play([...pasv, '> RETR a.bin', `< 150 Opening BINARY mode data connection for a.bin (${announced} bytes).`,
    '=data 10.0.0.5 40001 203.0.113.9 50000 resp', '=end', '< 226 Transfer complete.']).rows[1]!;
  assert.equal(download(DATA_BYTES.length).sha256, DATA_SHA256);
  assert.equal(download(20).sha256, '');
  // A download whose bytes came from the client's side is not the file.
  assert.equal(play([...pasv, '> RETR a.bin', '< 150 ok', '=data 10.0.0.5 40001 203.0.113.9 50000', '=end', '< 226 ok']).rows[1]!.sha256, '');
});

test('a server behind NAT announcing its private address: the client still reaches the public one, which is the data connection', () => {
  const { rows, data } = play([
    '> USER anonymous', '< 331 ok', '> PASS guest@', '< 230 ok', '> PASV', '< 227 Entering Passive Mode (192,168,1,20,19,137)',
    '> RETR a.txt', '< 150 Opening BINARY mode data connection for a.txt (12 bytes)', '=data 10.0.0.5 40002 203.0.113.9 5001', '< 226 done',
  ]);
  assert.equal(rows[0]!.data_channel_resp_h, '192.168.1.20');
  assert.equal((data as FlowView | null)?.service, 'ftp-data');
  assert.deepEqual([rows[1]!.file_size, rows[1]!.data_uid, rows[1]!.password], [12, 'Cdata', 'guest@']);
});

test('a command without a reply is logged with no reply code; AUTH TLS accepted stops the reading', () => {
  const unanswered = play(['> USER u', '< 331 ok', '> PASS p', '< 230 ok', '> DELE old.log']);
  assert.deepEqual(unanswered.rows.map((r) => [r.command, r.reply_code]), [['DELE', null]]);
  const tls = play(['< 220 ready', '> AUTH TLS', '< 234 Proceed', '> USER secret', '> PASS secret', '> RETR x']);
  assert.deepEqual([tls.rows.length, tls.creds.length], [0, 0]);
});

test("paths and URLs as Zeek's build_path_compressed and build_url write them", () => {
  assert.equal(buildPath('.', 'robots.txt'), './robots.txt');
  assert.equal(buildPath('/', 'robots.txt'), '/robots.txt');
  assert.equal(buildPath('/a/b', '../c'), '/a/c');
  assert.equal(buildPath('/a', '/etc/passwd'), '/etc/passwd');
  assert.equal(buildPath('/a//b/', 'c'), '/a/b/c');
  assert.equal(fileUrl('2001:db8::1', '/', 'f'), 'ftp://[2001:db8::1]/f');
  assert.equal(fileUrl('192.0.2.1', '.', 'f'), 'ftp://192.0.2.1/./f');
});

test("HTTP Basic: RFC 7617's example decodes; other schemes and broken base64 are not credentials", () => {
  assert.deepEqual(basicCredentials('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=='), { username: 'Aladdin', password: 'open sesame' });
  assert.deepEqual(basicCredentials('basic dGVzdDoxMjPCow=='), { username: 'test', password: '123£' }); // RFC 7617 §2.1 (UTF-8)
  assert.equal(basicCredentials('Bearer abc.def'), null);
  assert.equal(basicCredentials('Basic !!!'), null);
});

// ---- Fuzz ----

const FUZZ_CASES = Math.max(20_000, Math.floor(Number(process.env['NAD_FUZZ_CASES'] ?? 0) / 5));

test(`fuzz: ${FUZZ_CASES} mutated real FTP control channels never throw or loop`, { skip: SKIP_NO_SHARED, timeout: 300_000 }, async (t) => {
  // The control channel's segments of both shared traces, in order, with their direction.
  const segs = [await segmentsTo(join(CAPTURES, 'app/ftp-ipv4.pcap'), 21), await segmentsTo(join(CAPTURES, 'app/ftp-ipv6.pcap'), 21)];
  assert.ok(segs.every((s) => s.length > 20), 'FTP control segments missing');
  const stats = createAppStats();
  const hook = createFtpHook(stats, { capture_passwords: true });
  const rng = new Rng(0x667470);
  const p = createPacket();
  let exceptions = 0, rows = 0;
  let first: unknown = null;
  const out = { dns() {}, tls() {}, http() {}, ssh() {}, ftp: () => { rows++; }, smtp() {}, credential() {} } satisfies RecordSink;
  for (let n = 0; n < FUZZ_CASES; n++) {
    try {
      fuzzSession(hook, view(40000 + (n & 1023), 21, 'Cfz'), segs[n & 1]!, rng, p, out);
    } catch (err) {
      exceptions++;
      first ??= err;
    }
  }
  t.diagnostic(`rows ${rows}, ftp_malformed ${stats.ftp_malformed}, records_dropped ${stats.records_dropped}`);
  assert.equal(exceptions, 0, `uncaught exceptions: ${exceptions}; first: ${String((first as Error | null)?.stack ?? first)}`);
  assert.ok(stats.ftp_malformed > 0, 'no mutation was ever counted as malformed');
});

test('HTTP Basic through the HTTP hook: one credential per request that sends it, its outcome from that request\'s status', () => {
  const hook = createHttpHook(createAppStats(), { capture_passwords: false });
  const auth = `Authorization: Basic ${Buffer.from('admin:letmein').toString('base64')}`;
  const { creds } = playLines(hook, view(40100, 80, 'Chttp'), [
    '> GET /admin HTTP/1.1', '> Host: router.lan', `> ${auth.replace('letmein', 'x')}`, '> ',
    '< HTTP/1.1 401 Unauthorized', '< Content-Length: 0', '< ',
    '> GET /admin HTTP/1.1', '> Host: router.lan', `> ${auth}`, '> ',
    '< HTTP/1.1 200 OK', '< Content-Length: 0', '< ',
  ]);
  assert.deepEqual(creds.map((c) => [c.protocol, c.host, c.username, c.password, c.password_hidden, c.outcome]), [
    ['http-basic', 'router.lan', 'admin', '', true, 'rejected'], ['http-basic', 'router.lan', 'admin', '', true, 'accepted'],
  ]);
});
