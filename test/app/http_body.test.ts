/**
 * HTTP bodies (http.csv resp_md5, resp_sha256, orig_/resp_mime_types) against tshark's own extraction: every response
 * nad hashes is, byte for byte, an object `tshark --export-objects http` writes from the same capture (with
 * out-of-order reassembly on, which tshark leaves off by default); a response sent with a Content-Encoding is hashed
 * decoded, as tshark writes it. Bodies reordered on the wire are reassembled; content types come from the bodies'
 * first bytes. Decoding itself is checked against node:zlib's encoders, damaged and oversized input included.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { BodyHasher, decodable, sniffMime, type BodyFacts } from '../../src/app/http/body.js';
import { loadKeyLogs } from '../../src/app/tls/keylog.js';
import { nad } from '../cli/run.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { runApp } from './run.js';

const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
const SKIP = SKIP_NO_SHARED || (HAVE_TSHARK ? false : 'tshark not installed (apt-get install tshark): skipped');

/** Captures with HTTP bodies: malware downloads (one reordered on the wire), C2 posts, browsing, OCSP, a 206 range, a decrypted TLS one. */
const FILES: { file: string; keylog?: string }[] = [
  { file: 'malicious/scl-class11-capture1_iot-malware-download.pcapng' },
  { file: 'malicious/scl-training-capture-001_pony-c2-downloads.pcap' },
  { file: 'malicious/ndpi-trickbot-c2.pcap' },
  { file: 'malicious/u42-2020-dridex-https.pcap', keylog: 'malicious/u42-2020-dridex-https.keylog.txt' },
  { file: 'benign/chrissanders-http-espn.pcapng' },
  { file: 'benign/zeek-http-206-example-b-25min.pcap' },
  { file: 'benign/ndpi-ocsp-145min.pcapng' },
  { file: 'tls/http1-with-cookies.pcapng' },
];

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('bodies: every response MD5 and SHA-256 nad gives is of an object tshark exports from the same capture, every request SHA-256 of the body tshark shows', { skip: SKIP, timeout: 300_000 }, async (t) => {
  let hashed = 0;
  let encoded = 0;
  let uploads = 0;
  const dir = mkdtempSync(join(tmpdir(), 'nad-objects-'));
  try {
    for (const { file, keylog } of FILES) {
      const path = join(CAPTURES, file);
      const out = join(dir, file.replaceAll('/', '_'));
      const keyArgs = keylog === undefined ? [] : ['-o', `tls.keylog_file:${join(CAPTURES, keylog)}`];
      tshark(['-r', path, ...keyArgs, '-o', 'tcp.reassemble_out_of_order:TRUE', '-q', '--export-objects', `http,${out}`]);
      const objects = new Map<string, string>();
      for (const name of readdirSync(out)) {
        const b = readFileSync(join(out, name));
        objects.set(createHash('sha256').update(b).digest('hex'), createHash('md5').update(b).digest('hex'));
      }
      // Client ports of the connections whose responses carried a Content-Encoding.
      const encodedPorts = new Set(tshark(['-r', path, ...keyArgs, '-Y', 'http.content_encoding', '-T', 'fields', '-e', 'tcp.dstport']).split('\n').filter((l) => l !== ''));
      const run = await runApp(path, keylog === undefined ? {} : { tls_keys: loadKeyLogs([join(CAPTURES, keylog)]) });
      // Request bodies: tshark exports some as objects; the others are the raw `data` of the request it dissected.
      const requests = new Set(objects.keys());
      for (const line of tshark(['-r', path, ...keyArgs, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'http.request', '-T', 'fields', '-e', 'data.data']).split('\n')) {
        if (line.trim() !== '') requests.add(createHash('sha256').update(Buffer.from(line.trim().replaceAll(':', ''), 'hex')).digest('hex'));
      }
      for (const h of run.http) {
        if (h.orig_sha256 !== '') {
          assert.ok(requests.has(h.orig_sha256), `${file} ${h.method} ${h.uri}: request body sha256 ${h.orig_sha256} is not the body tshark shows`);
          uploads++;
        }
        if (h.resp_sha256 === '') continue;
        assert.equal(h.resp_md5.length, 32);
        assert.ok(objects.has(h.resp_sha256), `${file} ${h.uri}: sha256 ${h.resp_sha256} is no object tshark exported`);
        assert.equal(objects.get(h.resp_sha256), h.resp_md5, `${file} ${h.uri}: MD5`);
        assert.notEqual(h.status_code, 206, 'a byte range gets no hash');
        if (encodedPorts.has(String(h.orig_p))) encoded++;
        hashed++;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  t.diagnostic(`${hashed} response bodies equal to tshark's objects, ${encoded} of them on connections that sent a Content-Encoding (decoded); ${uploads} request bodies equal to tshark's`);
  assert.ok(uploads >= 20, `only ${uploads} request bodies checked`);
  assert.ok(hashed >= 50, `only ${hashed} bodies checked`);
  assert.ok(encoded >= 4, 'the gzip-encoded responses were decoded');
});

test('Content-Encoding: gzip, deflate (zlib and raw) and br bodies are typed and hashed decoded; damage, a bomb, an unknown coding or a lost byte give no hash of content nobody saw', () => {
  // A program of incompressible bytes (so that its encodings span many chunks).
  const exe = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), createHash('sha512').update('a').digest(), Buffer.alloc(70_000)]);
  for (let i = 68, x = 7; i < exe.length; i++) exe[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
  const run = (encoding: string, sent: Buffer, cut = 777, complete = true, gapAt = -1): BodyFacts => {
    const h = new BodyHasher(true, encoding);
    h.budget = sent.length;
    for (let o = 0; o < sent.length; o += cut) {
      if (o === gapAt) h.gap(Math.min(cut, sent.length - o));
      else h.body(sent, o, Math.min(sent.length, o + cut));
    }
    return h.finish(complete);
  };
  for (const [encoding, sent] of [['gzip', gzipSync(exe)], ['x-gzip', gzipSync(exe)], ['deflate', deflateSync(exe)], ['deflate', deflateRawSync(exe)], ['br', brotliCompressSync(exe)], [' GZIP '.trim().toLowerCase(), gzipSync(exe)]] as const) {
    const f = run(encoding, sent);
    assert.deepEqual([f.mime, f.sha256, f.md5], ['application/x-dosexec', sha(exe), createHash('md5').update(exe).digest('hex')], encoding);
    assert.equal(decodable(encoding), true);
  }
  // Damaged gzip: typed as sent, no hash.
  const damaged = gzipSync(exe);
  damaged.fill(0x55, 20, 60);
  assert.deepEqual(run('gzip', damaged), { mime: 'application/x-gzip', md5: '', sha256: '' });
  // A bomb past 64 MiB decoded: no hash, no exception.
  assert.equal(run('gzip', gzipSync(Buffer.alloc(65 << 20)), 1 << 16).sha256, '');
  // A byte lost to a gap, or a body cut short: nothing to decode whole.
  assert.equal(run('gzip', gzipSync(exe), 777, true, 777 * 2).sha256, '');
  assert.equal(run('gzip', gzipSync(exe), 777, false).sha256, '');
  // Encodings nad does not decode (and identity) are hashed as sent.
  const compress = Buffer.from('\x1f\x9d\x90some-lzw', 'latin1');
  assert.equal(run('compress', compress).sha256, sha(compress));
  assert.equal(run('gzip, br', compress).sha256, sha(compress));
  assert.equal(run('', exe).sha256, sha(exe));
  // A request body (typed only) is never kept for decoding.
  const req = new BodyHasher(false, 'gzip');
  req.budget = 10;
  req.body(Buffer.from('MZ01234567', 'latin1'), 0, 10);
  assert.deepEqual(req.finish(true), { mime: 'application/x-dosexec', md5: '', sha256: '' });
});

test('malware downloads: the ELF programs served as text/plain (one reordered on the wire) and the Dridex DLL inside TLS, whole and typed by content', { skip: SKIP_NO_SHARED }, async () => {
  const iot = await runApp(join(CAPTURES, 'malicious/scl-class11-capture1_iot-malware-download.pcapng'));
  const programs = iot.http.filter((h) => h.status_code === 200 && h.response_body_len > 0);
  assert.equal(programs.length, 4);
  for (const h of programs) {
    assert.equal(h.resp_mime, 'text/plain', 'what the server said');
    assert.equal(h.resp_mime_types, 'application/x-executable', 'what it sent');
    assert.match(h.resp_sha256, /^[0-9a-f]{64}$/, `${h.uri}: seen whole`);
  }
  const keys = loadKeyLogs([join(CAPTURES, 'malicious/u42-2020-dridex-https.keylog.txt')]);
  const dridex = await runApp(join(CAPTURES, 'malicious/u42-2020-dridex-https.pcap'), { tls_keys: keys });
  const dll = dridex.http.find((h) => h.uri === '/invest_20.dll')!;
  assert.equal(dll.resp_mime_types, 'application/x-dosexec');
  assert.equal(dll.response_body_len, 463872);
  assert.match(dll.resp_sha256, /^[0-9a-f]{64}$/);
});

test('content types by magic bytes', () => {
  const cases: [string, string][] = [
    ['4d5a90000300000004000000ffff0000', 'application/x-dosexec'],
    ['7f454c46010101000000000000000000', 'application/x-executable'],
    ['504b0304140000000800', 'application/zip'],
    ['255044462d312e370a', 'application/pdf'],
    ['89504e470d0a1a0a0000000d49484452', 'image/png'],
    ['ffd8ffe000104a464946', 'image/jpeg'],
    ['d0cf11e0a1b11ae10000', 'application/vnd.ms-ole-storage'],
    ['526172211a0700', 'application/x-rar'],
    ['1f8b0800000000000003', 'application/x-gzip'],
    ['52494646241a0000574542505650', 'image/webp'],
  ];
  for (const [hex, mime] of cases) assert.equal(sniffMime(Buffer.from(hex, 'hex')), mime, hex);
  assert.equal(sniffMime(Buffer.from('  <!DOCTYPE html><html>', 'latin1')), 'text/html');
  assert.equal(sniffMime(Buffer.from('<?xml version="1.0"?>', 'latin1')), 'application/xml');
  assert.equal(sniffMime(Buffer.from('{"a":1}', 'latin1')), '');
  assert.equal(sniffMime(Buffer.from('M', 'latin1')), '', 'one byte of a two-byte magic');
});

test('an Intel::FILE_HASH of the Dridex DLL (its SHA-256 from tshark\'s export) is a high intel finding once the key log opens the TLS', { skip: SKIP, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-filehash-'));
  try {
    const keylog = join(CAPTURES, 'malicious/u42-2020-dridex-https.keylog.txt');
    const pcap = join(CAPTURES, 'malicious/u42-2020-dridex-https.pcap');
    tshark(['-r', pcap, '-o', `tls.keylog_file:${keylog}`, '-q', '--export-objects', `http,${join(dir, 'objects')}`]);
    const sha256 = createHash('sha256').update(readFileSync(join(dir, 'objects', 'invest_20.dll'))).digest('hex');
    const intel = join(dir, 'dll.intel');
    writeFileSync(intel, `#fields\tindicator\tindicator_type\tmeta.source\n${sha256.toUpperCase()}\tIntel::FILE_HASH\tcase-7\n`);
    const r = nad(['analyze', pcap, '--tls-keylog', keylog, '--intel', intel, '--out', join(dir, 'out'), '--quiet', '--no-geo', '--no-report']);
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(readFileSync(join(dir, 'out', 'summary.json'), 'utf8')) as { findings: { severity: string; kinds: string[]; name: string }[] };
    const f = summary.findings.find((x) => x.kinds.includes('intel'));
    assert.ok(f !== undefined, 'no intel finding');
    assert.equal(f.severity, 'high');
    assert.equal(f.name, 'foodsgoodforliver.com');
    assert.match(readFileSync(join(dir, 'out', 'intel.csv'), 'utf8'), new RegExp(`,${sha256},Intel::FILE_HASH,http\\.resp_sha256,`));
    // Without the key log the body is never seen: no match.
    const blind = nad(['analyze', pcap, '--intel', intel, '--out', join(dir, 'blind'), '--quiet', '--no-geo', '--no-report']);
    assert.equal(blind.status, 0, blind.stderr);
    assert.doesNotMatch(readFileSync(join(dir, 'blind', 'intel.csv'), 'utf8'), /resp_sha256/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--extract-files: files/ holds exactly the bodies http.csv hashes (downloads and uploads), each named by its SHA-256 and equal to what tshark exports or shows; the same with --workers 2; the Dridex DLL out of TLS', { skip: SKIP, timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-extract-'));
  try {
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    const column = (csv: string, name: string): string[] => {
      const [head, ...rows] = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
      const i = head!.split(',').indexOf(name);
      // The hash columns are the last ones: safe to take from the end of a row whose user agent may hold commas.
      return rows.map((r) => r.split(',').at(i - head!.split(',').length)!);
    };
    for (const file of ['malicious/scl-class11-capture1_iot-malware-download.pcapng', 'benign/chrissanders-http-espn.pcapng', 'malicious/scl-training-capture-001_pony-c2-downloads.pcap']) {
      const path = join(CAPTURES, file);
      const objects = join(dir, `objects-${file.replaceAll('/', '_')}`);
      tshark(['-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-q', '--export-objects', `http,${objects}`]);
      const exported = new Set(readdirSync(objects).map((n) => sha(readFileSync(join(objects, n)))));
      for (const line of tshark(['-r', path, '-o', 'tcp.reassemble_out_of_order:TRUE', '-Y', 'http.request', '-T', 'fields', '-e', 'data.data']).split('\n')) {
        if (line.trim() !== '') exported.add(sha(Buffer.from(line.trim().replaceAll(':', ''), 'hex'))); // request bodies tshark does not export
      }
      const sets: string[][] = [];
      for (const workers of ['1', '2']) {
        const out = join(dir, `${file.replaceAll('/', '_')}-${workers}`);
        const r = nad(['analyze', path, '--extract-files', '--workers', workers, '--out', out, '--no-geo', '--no-report', '--no-detect']);
        assert.equal(r.status, 0, r.stderr);
        const names = readdirSync(join(out, 'files')).sort();
        const csv = join(out, 'http.csv');
        const hashed = [...new Set([...column(csv, 'resp_sha256'), ...column(csv, 'orig_sha256')].filter((h) => h !== ''))].sort();
        assert.deepEqual(names, hashed, `${file}: one file per distinct body hash, nothing else (no .part left)`);
        for (const n of names) {
          const b = readFileSync(join(out, 'files', n));
          assert.equal(sha(b), n, `${file}: ${n} holds what its name says`);
          assert.ok(exported.has(n), `${file}: ${n} is an object tshark exports or a request body it shows`);
        }
        sets.push(names);
      }
      assert.deepEqual(sets[0], sets[1], 'the same files with --workers 2');
      assert.ok(sets[0]!.length >= 4, `${file}: only ${sets[0]!.length} files`);
    }
    const out = join(dir, 'dridex');
    const r = nad(['analyze', join(CAPTURES, 'malicious/u42-2020-dridex-https.pcap'), '--tls-keylog', join(CAPTURES, 'malicious/u42-2020-dridex-https.keylog.txt'),
      '--extract-files', '--out', out, '--no-geo', '--no-report']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Extracted: \d+ files? \([\d.]+ MB\) in files\/, named by SHA-256/m);
    assert.match(r.stdout, /^Downloads: \d+ programs?, archives? or documents? over HTTP \([^)]*application\/x-dosexec[^)]*\); \d+ hashed \(http\.csv resp_sha256; files\/\)$/m);
    const dll = readdirSync(join(out, 'files')).map((n) => readFileSync(join(out, 'files', n))).find((b) => b.length === 463872);
    assert.ok(dll !== undefined && dll.subarray(0, 2).toString('latin1') === 'MZ', 'the DLL downloaded inside TLS');
    const bad = nad(['analyze', join(CAPTURES, 'malicious/u42-2020-dridex-https.pcap'), '--extract-files', '--no-app', '--out', join(dir, 'bad')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--extract-files needs application parsing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
