/**
 * Files posted in multipart/form-data bodies (http.csv orig_filenames, orig_file_mime_types, orig_file_sha256; files/
 * with --extract-files) against an independent source: curl -F builds and sends the forms (Content-Length and chunked,
 * a text field beside the files, a UTF-8 file name), a proxy records them as a capture, and the files nad reads out
 * must be the very bytes curl was given.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { FormSplitter, formBoundary } from '../../src/app/http/multipart.js';
import { nad } from '../cli/run.js';
import { readCsv } from '../shared.js';
import { mutate, Rng } from './mutate.js';
import { toPcap, type Segment } from './session.js';

const HAVE_CURL = spawnSync('curl', ['--version']).status === 0;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const HERE = dirname(fileURLToPath(import.meta.url));

/** Runs curl against a local HTTP server (HTTP/2 over TLS when `h2`) through a recording proxy; returns the recorded session. */
async function record(args: readonly string[], h2 = false, env: Record<string, string> = {}): Promise<Segment[]> {
  const log: Segment[] = [];
  const answer = (req: http.IncomingMessage | Http2ServerRequest, res: http.ServerResponse | Http2ServerResponse): void => {
    req.resume();
    req.on('end', () => res.end('ok'));
  };
  const server = h2
    ? createSecureServer({ key: readFileSync(join(HERE, 'fixtures', 'tls-test.key')), cert: readFileSync(join(HERE, 'fixtures', 'tls-test.crt')) }, answer)
    : http.createServer(answer);
  const proxy = net.createServer((c) => {
    const up = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    c.on('data', (d: Buffer) => { log.push({ client: true, data: Buffer.from(d) }); up.write(d); });
    up.on('data', (d: Buffer) => { log.push({ client: false, data: Buffer.from(d) }); c.write(d); });
    c.on('end', () => up.end());
    up.on('end', () => c.end());
    c.on('error', () => undefined);
    up.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  try {
    const port = (proxy.address() as net.AddressInfo).port;
    const url = h2 ? `https://127.0.0.1:${port}/upload.php` : `http://127.0.0.1:${port}/upload.php`;
    const curl = spawn('curl', ['-sS', '-o', '/dev/null', '-H', 'Expect:', ...(h2 ? ['--http2', '-k'] : []), ...args, url], { env: { ...process.env, ...env } });
    let err = '';
    curl.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => curl.on('close', r));
    assert.equal(code, 0, err);
    await new Promise((r) => setTimeout(r, 100));
    return log;
  } finally {
    proxy.close();
    server.close();
  }
}

test('files posted with curl -F (Content-Length and chunked): each file nad reads out of the form is the file curl sent, by name, type and SHA-256; files/ holds them', {
  skip: HAVE_CURL ? false : 'curl not installed: skipped', timeout: 60_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-form-'));
  try {
    const rng = new Rng(11);
    const bin = Buffer.from(Array.from({ length: 300_001 }, () => rng.below(256)));
    const zip = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.from(Array.from({ length: 5000 }, () => rng.below(256)))]);
    // Content with CRLF and a line that starts like a delimiter but is not one.
    const text = Buffer.from('line one\r\n--not-the-boundary\r\n\r\nlast line without a break', 'latin1');
    writeFileSync(join(dir, 'dump.bin'), bin);
    writeFileSync(join(dir, 'stolen.zip'), zip);
    writeFileSync(join(dir, 'notes.txt'), text);
    const form = ['-F', 'id=desk-7', '-F', `a=@${join(dir, 'dump.bin')}`, '-F', `b=@${join(dir, 'stolen.zip')};filename=Données (1).zip`, '-F', `c=@${join(dir, 'notes.txt')}`];
    const expected = { names: 'dump.bin|Données (1).zip|notes.txt', sha256: [bin, zip, text].map(sha).join('|'), types: '|application/zip|' };
    for (const [label, extra] of [['content-length', []], ['chunked', ['-H', 'Transfer-Encoding: chunked']]] as const) {
      const log = await record([...extra, ...form]);
      const request = Buffer.concat(log.filter((s) => s.client).map((s) => s.data)).toString('latin1');
      assert.match(request, label === 'chunked' ? /transfer-encoding: chunked/i : /content-length: \d+/i, 'curl framed the body as asked');
      const pcap = join(dir, `${label}.pcap`);
      writeFileSync(pcap, toPcap(log, 50080, 80));
      const out = join(dir, `out-${label}`);
      const r = nad(['analyze', pcap, '--extract-files', '--out', out, '--no-geo', '--no-report', '--no-detect']);
      assert.equal(r.status, 0, r.stderr);
      const row = readCsv(join(out, 'http.csv'))[0]!;
      assert.equal(row['method'], 'POST');
      assert.equal(row['orig_filenames'], expected.names, `${label}: the file names curl sent (the text field is no file)`);
      assert.equal(row['orig_file_sha256'], expected.sha256, `${label}: the SHA-256 of each file curl was given`);
      assert.equal(row['orig_file_mime_types'], expected.types, `${label}: typed by content`);
      const files = readdirSync(join(out, 'files'));
      for (const f of [bin, zip, text]) assert.ok(files.includes(sha(f)), `${label}: files/ holds ${sha(f)}`);
      for (const f of files) assert.equal(sha(readFileSync(join(out, 'files', f))), f);
      if (label === 'content-length') {
        // With detection: the archive posted out is exfil, its SHA-256 in the evidence.
        const full = nad(['analyze', pcap, '--out', join(dir, 'full'), '--no-geo', '--no-report', '--quiet']);
        assert.equal(full.status, 0, full.stderr);
        const summary = JSON.parse(readFileSync(join(dir, 'full', 'summary.json'), 'utf8')) as { findings: { kinds: string[]; severity: string; evidence: { name: string; value: unknown }[] }[] };
        const f = summary.findings.find((x) => x.kinds.includes('exfil'));
        assert.ok(f !== undefined, 'an exfil finding');
        assert.notEqual(f.severity, 'low', 'medium at least (here with the POST to a bare address beside it)');
        assert.equal(f.evidence.find((e) => e.name === 'exfil.sha256')?.value, sha(zip));
        assert.match(String(f.evidence.find((e) => e.name === 'exfil.signal')?.value), /^uploaded a file of application\/zip \(Données \(1\)\.zip\) by HTTP POST/);
      }
      t.diagnostic(`${label}: ${request.length} request bytes, files/ ${files.length} (the three files, the whole request body and the response)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a form curl posts over HTTP/2 inside TLS (its own key log): decrypted, the files read out of the DATA frames are the files curl sent', {
  skip: HAVE_CURL ? false : 'curl not installed: skipped', timeout: 60_000,
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-form-h2-'));
  try {
    const rng = new Rng(12);
    const bin = Buffer.from(Array.from({ length: 120_000 }, () => rng.below(256)));
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.from(Array.from({ length: 40_000 }, () => rng.below(256)))]);
    writeFileSync(join(dir, 'a.bin'), bin);
    writeFileSync(join(dir, 'tool.exe'), exe);
    const keylog = join(dir, 'keys.log');
    const log = await record(['-F', 'note=hi', '-F', `a=@${join(dir, 'a.bin')}`, '-F', `b=@${join(dir, 'tool.exe')}`], true, { SSLKEYLOGFILE: keylog });
    const pcap = join(dir, 'h2.pcap');
    writeFileSync(pcap, toPcap(log, 50443, 443));
    const out = join(dir, 'out');
    const r = nad(['analyze', pcap, '--tls-keylog', keylog, '--out', out, '--no-geo', '--no-report', '--no-detect']);
    assert.equal(r.status, 0, r.stderr);
    const row = readCsv(join(out, 'http.csv'))[0]!;
    assert.deepEqual([row['version'], row['method']], ['2', 'POST'], 'HTTP/2, decrypted');
    assert.equal(row['orig_filenames'], 'a.bin|tool.exe');
    assert.equal(row['orig_file_sha256'], `${sha(bin)}|${sha(exe)}`);
    assert.equal(row['orig_file_mime_types'], '|application/x-dosexec');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the form splitter: any cut of the body into chunks gives the same files; a gap loses only the part it falls in; a body cut short leaves its last part unhashed; 20,000 mutated bodies never throw', () => {
  const boundary = formBoundary('multipart/form-data; boundary="----x y"');
  assert.equal(boundary, '----x y');
  assert.equal(formBoundary('multipart/mixed; boundary=a'), '', 'only form data');
  const parts = [Buffer.from('first\r\nfile'), Buffer.from(''), Buffer.from('\r\n------x yz not a delimiter\r\n')];
  const body = Buffer.concat([
    Buffer.from('preamble\r\n'),
    ...parts.flatMap((p, i) => [Buffer.from(`------x y  \r\nContent-Disposition: form-data; name="f${i}"; filename="f${i}.txt"\r\nContent-Type: text/plain\r\n\r\n`), p, Buffer.from('\r\n')]),
    Buffer.from('------x y--\r\nepilogue'),
  ]);
  const want = parts.map((p) => (p.length === 0 ? '' : sha(p)));
  const rng = new Rng(3);
  for (let round = 0; round < 300; round++) {
    const s: FormSplitter = new FormSplitter(boundary, null);
    for (let o = 0; o < body.length;) {
      const n = 1 + rng.below(round < 100 ? 3 : 40);
      s.write(body, o, Math.min(body.length, o + n));
      o += n;
    }
    // An empty part has no hash (nothing was seen), as an empty HTTP body has none.
    assert.deepEqual(s.finish().map((f) => f.sha256), want, `round ${round}`);
  }
  const cut = new FormSplitter(boundary, null);
  cut.write(body, 0, body.length - 30);
  assert.deepEqual(cut.finish().map((f) => f.sha256), [want[0], '', ''], 'the part the body ends in is not whole');
  const gapped = new FormSplitter(boundary, null);
  const inFirst = body.indexOf('first') + 3;
  gapped.write(body, 0, inFirst);
  gapped.gap(); // from the middle of the first file to the middle of the second one's headers
  gapped.write(body, body.indexOf('f1.txt') + 10, body.length);
  assert.deepEqual(gapped.finish().map((f) => [f.name, f.sha256]), [['f0.txt', ''], ['f2.txt', want[2]]],
    'the gap cost the parts it touched, and the framing resumed at the next delimiter');
  // Mutated and truncated bodies, cut anywhere, with gaps: never a throw, at most 20 files, each no larger than the body.
  for (let c = 0; c < 20_000; c++) {
    const m = mutate(rng, body, parts[0]!);
    const f = new FormSplitter(boundary, null);
    for (let o = 0; o < m.length;) {
      const n = 1 + rng.below(64);
      if (rng.below(50) === 0) f.gap();
      f.write(m, o, Math.min(m.length, o + n));
      o += n;
    }
    const out = f.finish();
    assert.ok(out.length <= 20 && out.every((x) => x.bytes <= m.length), `case ${c}`);
  }
});
