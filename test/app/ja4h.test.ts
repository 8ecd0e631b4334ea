/**
 * JA4H against FoxIO's own outputs in ../shared/captures/tls/expected/ (FoxIO-LLC/ja4): python-testdata/<capture>.json
 * (`JA4H` per stream) and rust-insta-snapshots/ja4__insta@<capture>.snap (an `http:` list of `ja4h` per stream).
 * Streams map to nad's http.csv rows by their 4-tuple. Every HTTP/1.x fingerprint FoxIO lists must be one nad computed
 * for that connection. FoxIO's HTTP/2 and HTTP/3 fingerprints (version 20, 30) come from TLS that FoxIO decrypted with
 * key logs: a capture that embeds its key log is read with it, as nad analyze reads it, so its HTTP/2 fingerprints are
 * checked too; HTTP/3 (QUIC past the Initial packets, which nad does not decrypt) is counted and left out.
 * For HTTP/2 FoxIO's two implementations disagree: the rust one counts and hashes the pseudo-headers (:method,
 * :authority, :scheme, :path) with the others, as tshark's http2.header.name lists them, the python one leaves them
 * out (ge20cn23… against ge20cn19… for the same request). nad follows the rust one, FoxIO's maintained reference, so
 * its HTTP/2 values are checked against rust's and python's are counted apart.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { primaryLanguage } from '../../src/app/http/ja4h.js';
import { parseRequestHead } from '../../src/app/http/parse.js';
import { SKIP_NO_SHARED } from '../shared.js';
import { byFourTuple, foxioCaptures, pythonValues, type FoxioValue } from './foxio.js';
import { embeddedKeys, runApp } from './run.js';

/** A YAML list of streams: `- stream:` opens one, `  key: value` lines describe it, `  - ja4h: …` lines list its requests. */
function fromRust(file: string): FoxioValue[] {
  const out: FoxioValue[] = [];
  let cur: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('- stream:')) { cur = {}; continue; }
    const field = /^ {2}([a-z_]+): (.*)$/.exec(line);
    if (field !== null) { cur[field[1]!] = field[2]!.replace(/^'(.*)'$/, '$1'); continue; }
    const fp = /^ {2}- ja4h: (.*)$/.exec(line);
    if (fp !== null) out.push({ source: 'rust', key: `${cur['src']}|${cur['src_port']}|${cur['dst']}|${cur['dst_port']}`, value: fp[1]! });
  }
  return out;
}

test('JA4H equals FoxIO python and rust outputs for every HTTP/1.x request, and every HTTP/2 one whose capture embeds its secrets', { skip: SKIP_NO_SHARED }, async (t) => {
  let checked = 0;
  let checkedH2 = 0;
  let left = 0;
  let pythonH2 = 0;
  for (const { file: f, path, python: py, rust: rs } of foxioCaptures()) {
    const all = [...(py === null ? [] : pythonValues(py, 'JA4H')), ...(rs === null ? [] : fromRust(rs))];
    const opts = embeddedKeys(path);
    const expected = all.filter((e) => /^..1[01]/.test(e.value) || (opts.tls_keys !== undefined && e.source === 'rust' && /^..20/.test(e.value)));
    pythonH2 += all.filter((e) => e.source === 'python' && /^..20/.test(e.value)).length;
    left += all.length - expected.length;
    checkedH2 += expected.filter((e) => /^..20/.test(e.value)).length;
    if (expected.length === 0) continue;
    await t.test(f, async () => {
      const run = await runApp(path, opts);
      const byKey = byFourTuple(run.http);
      for (const e of expected) {
        // FoxIO's python names a stream by its first packet, which is the server's when the capture starts mid-stream.
        const [a, ap, b, bp] = e.key.split('|');
        const got = [...(byKey.get(e.key) ?? []), ...(byKey.get(`${b}|${bp}|${a}|${ap}`) ?? [])].map((r) => r.ja4h);
        assert.ok(got.includes(e.value), `${e.source} ${e.key}: JA4H ${e.value} not in [${got.join(' ')}]`);
        checked++;
      }
    });
  }
  t.diagnostic(`${checked} JA4H checked (${checkedH2} HTTP/2, decrypted with embedded key logs, against FoxIO rust); ${left} left out: ${pythonH2} HTTP/2 of FoxIO python (no pseudo-headers), the rest HTTP/2 without secrets or HTTP/3`);
  assert.ok(checked >= 100, `only ${checked} fingerprints checked`);
  assert.ok(checkedH2 >= 15, `only ${checkedH2} HTTP/2 fingerprints checked`);
  assert.ok(left - pythonH2 <= 20, `${left - pythonH2} fingerprints left out: more than the HTTP/3 and secret-less captures hold`);
});

// FoxIO's JA4H.md: the POST example's header list hashes to 47d05ed57293, its cookie names to 21864220ae3d (1P_JAR,
// AEC, DV, NID, OGPC sorted) and cookie items to e97928733c74; primary language as its examples give it.
/** JA4H of a request head given as its lines, through the parser that computes it in a run. */
function head(lines: readonly string[]): string {
  const buf = Buffer.from(lines.join('\r\n'), 'latin1');
  return parseRequestHead(buf, 0, buf.length)?.ja4h ?? 'not parsed';
}

test('JA4H: the worked examples of FoxIO JA4H.md', () => {
  const lines = [
    'POST /plugins/unassigned.devices/UnassignedDevices.php HTTP/1.1',
    'Host: 192.168.1.1', 'Content-Length: 664', 'Accept: application/json, text/javascript, */*; q=0.01',
    'X-Requested-With: XMLHttpRequest', 'User-Agent: Mozilla/5.0', 'Content-Type: application/x-www-form-urlencoded; charset=UTF-8',
    'Origin: http://192.168.1.1', 'Referer: http://192.168.1.1/Main', 'Accept-Encoding: gzip, deflate',
    'Accept-Language: en-US,en;q=0.9', 'Cookie: example=d7df2dd0937ec27; ud_reload=UD_reload', 'Connection: close',
  ];
  const fp = head(lines).split('_');
  assert.equal(fp[0], 'po11cr10enus');
  assert.equal(fp[1], '47d05ed57293');
  const cookie = 'Cookie: 1P_JAR=2023-06-07-17; AEC=AUEFqZdaLLwaXJHyxA8-Cu0i0N4klp_vV3XOuyEYeiWlp4QaeIvSv6t4XKM; OGPC=19027681-1:; NID=511=rRELE2o91XNLo6eayqEN7Lf2ue7EcSHVkew3oxf4jzyF8vix2BzxTRvda8MYBFEkLyC1xjTcqSIjbC-wV2r120jr2HFau_dHvMxUm9fk6W2J2mddtlMpGMA8qGuAZWt1DSpCFFwHZSKBryGnvRJUeXkc-jw4sXdWhgCKxeu3f01Na4YsBYGf; DV=A84BtBIPqhgmIDlq9acmfs7ik-duiZjdmUPDG3eW3QIAAAA';
  const g = head(['GET / HTTP/1.1', 'Host: www.google.com', cookie]).split('_');
  assert.equal(g[2], '21864220ae3d');
  assert.equal(g[3], 'e97928733c74');
  assert.deepEqual(['da, en-GB;q=0.8, en;q=0.7', 'en-US,en;q=0.9', 'ru-RU', ''].map(primaryLanguage), ['da00', 'enus', 'ruru', '0000']);
  assert.equal(head(['PROPFIND / HTTP/1.1']), '', 'no JA4H code for the method');
  assert.equal(head(['GET /']), '', 'no JA4H code for HTTP/0.9');
});
