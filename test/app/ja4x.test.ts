/**
 * JA4X of the leaf certificate against FoxIO's own outputs in ../shared/captures/tls/expected/: python-testdata
 * (`JA4X.1`, the first certificate of a stream's chain) and rust-insta-snapshots (the first `ja4x` under a stream's
 * `tls_certs`). A certificate is on the wire only up to TLS 1.2 (RFC 8446 encrypts it): FoxIO's TLS 1.3 entries come
 * from key logs. A capture that embeds its key log (a pcapng Decryption Secrets Block) is read with it, as nad analyze
 * reads it, so its TLS 1.3 leaves are checked too (chrome-cloudflare-quic-with-secrets sends its chain as an RFC 8879
 * brotli CompressedCertificate); TLS 1.3 streams of captures without secrets are counted and left out.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ja4x } from '../../src/app/tls/ja4x.js';
import { SKIP_NO_SHARED } from '../shared.js';
import { byFourTuple, foxioCaptures, pythonValues, type FoxioValue } from './foxio.js';
import { embeddedKeys, runApp } from './run.js';

/** `- stream:` opens a stream; its first `    - ja4x:` line (under `tls_certs: - x509:`) is its leaf's. */
function fromRust(file: string): FoxioValue[] {
  const out: FoxioValue[] = [];
  let cur: Record<string, string> = {};
  let taken = true;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('- stream:')) { cur = {}; taken = false; continue; }
    const field = /^ {2}([a-z_]+): (.*)$/.exec(line);
    if (field !== null) { cur[field[1]!] = field[2]!; continue; }
    const fp = /^ {4}- ja4x: (.*)$/.exec(line);
    if (fp !== null && !taken) {
      out.push({ source: 'rust', key: `${cur['src']}|${cur['src_port']}|${cur['dst']}|${cur['dst_port']}`, value: fp[1]! });
      taken = true;
    }
  }
  return out;
}

test('JA4X of the leaf certificate equals FoxIO python and rust outputs for every TLS <= 1.2 stream, and TLS 1.3 ones whose capture embeds its secrets', { skip: SKIP_NO_SHARED }, async (t) => {
  let checked = 0;
  let tls13 = 0;
  let decrypted = 0;
  for (const { file, path, python, rust } of foxioCaptures()) {
    const expected = [...(python === null ? [] : pythonValues(python, 'JA4X.1')), ...(rust === null ? [] : fromRust(rust))];
    if (expected.length === 0) continue;
    await t.test(file, async () => {
      const keys = embeddedKeys(path);
      const byKey = byFourTuple((await runApp(path, keys)).tls);
      for (const e of expected) {
        const [a, ap, b, bp] = e.key.split('|');
        const recs = [...(byKey.get(e.key) ?? []), ...(byKey.get(`${b}|${bp}|${a}|${ap}`) ?? [])];
        // Left out only when the capture gives no secrets: with them, a TLS 1.3 leaf must be read (plain or RFC 8879 compressed).
        if (keys.tls_keys === undefined && recs.length > 0 && recs.every((r) => r.version === 'TLSv13' && r.ja4x === '')) { tls13++; continue; }
        if (recs.some((r) => r.version === 'TLSv13')) decrypted++;
        assert.ok(recs.some((r) => r.ja4x === e.value), `${e.source} ${e.key}: JA4X ${e.value} not in [${recs.map((r) => `${r.version} ${r.ja4x}`).join(', ')}]`);
        checked++;
      }
    });
  }
  t.diagnostic(`${checked} JA4X checked (${decrypted} of TLS 1.3 streams, from embedded key logs), ${tls13} of TLS 1.3 streams without secrets left out`);
  assert.ok(decrypted >= 1, 'no TLS 1.3 certificate was read from a decrypted handshake');
  assert.ok(checked >= 20, `only ${checked} fingerprints checked`);
});

test('JA4X: hostile DER gives an empty fingerprint, never an exception or a read past the buffer', () => {
  assert.equal(ja4x(Buffer.alloc(0)), '');
  assert.equal(ja4x(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])), '', 'length past the end');
  assert.equal(ja4x(Buffer.from([0x30, 0x80, 0x00, 0x00])), '', 'indefinite length');
  assert.equal(ja4x(Buffer.from([0x30, 0x03, 0x30, 0x01, 0x00])), '', 'a TBS too short to hold a name');
  for (let seed = 1; seed <= 2000; seed++) {
    const b = Buffer.alloc(1 + (seed % 97));
    let x = seed;
    for (let i = 0; i < b.length; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = i < 2 ? [0x30, 0x82][i]! : x >>> 24; }
    assert.equal(typeof ja4x(b), 'string');
  }
});

test('RFC 8879 CompressedCertificate: zlib and brotli give the leaf of the same Certificate; a lying length, damage or zstd give none', async () => {
  const { X509Certificate } = await import('node:crypto');
  const { brotliCompressSync, deflateSync } = await import('node:zlib');
  const { join } = await import('node:path');
  const { tls13Leaf, HS_CERTIFICATE, HS_COMPRESSED_CERTIFICATE } = await import('../../src/app/tls/cert.js');
  const der = new X509Certificate(readFileSync(join(import.meta.dirname, 'fixtures', 'tls-test.crt'))).raw;
  // Certificate body (RFC 8446 §4.4.2): empty context, list length, one entry (length, DER, empty extensions).
  const u24 = (n: number): Buffer => Buffer.from([n >> 16, (n >> 8) & 0xff, n & 0xff]);
  const entry = Buffer.concat([u24(der.length), der, Buffer.from([0, 0])]);
  const body = Buffer.concat([Buffer.from([0]), u24(entry.length), entry]);
  const plain = tls13Leaf(HS_CERTIFICATE, body, 0, body.length);
  const sha1 = new X509Certificate(der).fingerprint.replaceAll(':', '').toLowerCase();
  assert.equal(plain?.cert_sha1, sha1);
  const compressed = (algorithm: number, packed: Buffer, size = body.length): Buffer =>
    Buffer.concat([Buffer.from([algorithm >> 8, algorithm & 0xff]), u24(size), u24(packed.length), packed]);
  for (const [algorithm, packed] of [[1, deflateSync(body)], [2, brotliCompressSync(body)]] as const) {
    const m = compressed(algorithm, packed);
    assert.equal(tls13Leaf(HS_COMPRESSED_CERTIFICATE, m, 0, m.length)?.cert_sha1, sha1, `algorithm ${algorithm}`);
    const short = compressed(algorithm, packed, body.length - 1);
    assert.equal(tls13Leaf(HS_COMPRESSED_CERTIFICATE, short, 0, short.length), null, 'longer than its stated length');
    const damaged = Buffer.from(m);
    damaged.fill(0xa5, 8 + 4, 8 + 40);
    assert.equal(tls13Leaf(HS_COMPRESSED_CERTIFICATE, damaged, 0, damaged.length)?.cert_sha1 ?? null, null, 'damaged');
    assert.equal(tls13Leaf(HS_COMPRESSED_CERTIFICATE, m, 0, m.length - 1), null, 'truncated');
  }
  const zstd = compressed(3, Buffer.alloc(32, 1));
  assert.equal(tls13Leaf(HS_COMPRESSED_CERTIFICATE, zstd, 0, zstd.length), null);
  const huge = compressed(2, brotliCompressSync(Buffer.alloc(1 << 20)), 1 << 20);
  assert.equal(tls13Leaf(HS_COMPRESSED_CERTIFICATE, huge, 0, huge.length), null, 'over the size cap');
});
