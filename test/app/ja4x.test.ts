/**
 * JA4X of the leaf certificate against FoxIO's own outputs in ../shared/captures/tls/expected/: python-testdata
 * (`JA4X.1`, the first certificate of a stream's chain) and rust-insta-snapshots (the first `ja4x` under a stream's
 * `tls_certs`). A certificate is on the wire only up to TLS 1.2 (RFC 8446 encrypts it): FoxIO's TLS 1.3 entries come
 * from key logs. A capture that embeds its key log (a pcapng Decryption Secrets Block) is read with it, as nad analyze
 * reads it, so its TLS 1.3 leaves are checked too; TLS 1.3 streams without secrets are counted and left out.
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
      const byKey = byFourTuple((await runApp(path, embeddedKeys(path))).tls);
      for (const e of expected) {
        const [a, ap, b, bp] = e.key.split('|');
        const recs = [...(byKey.get(e.key) ?? []), ...(byKey.get(`${b}|${bp}|${a}|${ap}`) ?? [])];
        if (recs.length > 0 && recs.every((r) => r.version === 'TLSv13' && r.ja4x === '')) { tls13++; continue; }
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
