/**
 * JA4 and JA4S against FoxIO's own outputs, shipped in ../shared/captures/tls/expected/ (FoxIO-LLC/ja4 @0e54bc8371):
 * python-testdata/<capture>.json (`ja4.py -J -r -o`: JA4.1, JA4.2 for a second ClientHello, JA4S per stream) and
 * rust-insta-snapshots/ja4__insta@<capture>.snap (ja4, ja4s per stream). Streams map to nad's records by their
 * 4-tuple (src/srcport = the client). Every fingerprint FoxIO lists must be one nad computed for that connection.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SKIP_NO_SHARED } from '../shared.js';
import { byFourTuple, foxioCaptures } from './foxio.js';
import { runApp } from './run.js';

interface Expected {
  source: string;
  key: string;
  ja4: string[];
  ja4s: string;
}

function fromPython(file: string): Expected[] {
  const rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | number>[];
  return rows
    .map((r) => ({
      source: 'python',
      key: `${r['src']}|${r['srcport']}|${r['dst']}|${r['dstport']}`,
      ja4: [r['JA4.1'], r['JA4.2']].filter((v): v is string => typeof v === 'string'),
      ja4s: typeof r['JA4S'] === 'string' ? r['JA4S'] : '',
    }))
    .filter((e) => e.ja4.length > 0 || e.ja4s !== '');
}

/** The insta snapshots are a YAML list of flat maps; only `key: value` lines at indent 2 matter here. */
function fromRust(file: string): Expected[] {
  const out: Expected[] = [];
  let cur: Record<string, string> | null = null;
  const flush = (): void => {
    if (cur === null || (cur['ja4'] === undefined && cur['ja4s'] === undefined)) return;
    out.push({
      source: 'rust',
      key: `${cur['src']}|${cur['src_port']}|${cur['dst']}|${cur['dst_port']}`,
      ja4: cur['ja4'] === undefined ? [] : [cur['ja4']],
      ja4s: cur['ja4s'] ?? '',
    });
  };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(- |  )([a-z0-9_]+): (.*)$/.exec(line);
    if (m === null) continue;
    if (m[1] === '- ') {
      flush();
      cur = {};
    }
    if (cur !== null) cur[m[2]!] = m[3]!.replace(/^'(.*)'$/, '$1');
  }
  flush();
  return out;
}

test('JA4 and JA4S equal FoxIO python and rust outputs', { skip: SKIP_NO_SHARED }, async (t) => {
  let checked = 0;
  for (const { file: f, path, python: py, rust: rs } of foxioCaptures()) {
    const expected = [...(py === null ? [] : fromPython(py)), ...(rs === null ? [] : fromRust(rs))];
    if (expected.length === 0) continue;
    await t.test(f, async () => {
      const run = await runApp(path);
      const byKey = byFourTuple(run.tls);
      for (const e of expected) {
        const recs = byKey.get(e.key) ?? [];
        assert.ok(recs.length > 0, `${e.source}: no TLS record for ${e.key}`);
        const ja4s = recs.flatMap((r) => [r.ja4, r.retry_ja4 ?? '']);
        for (const j of e.ja4) assert.ok(ja4s.includes(j), `${e.source} ${e.key}: JA4 ${j} not in ${ja4s.join(' ')}`);
        if (e.ja4s !== '') assert.ok(recs.some((r) => r.ja4s === e.ja4s), `${e.source} ${e.key}: JA4S ${e.ja4s} not in ${recs.map((r) => r.ja4s).join(' ')}`);
        checked += e.ja4.length + (e.ja4s === '' ? 0 : 1);
      }
    });
  }
  assert.ok(checked >= 300, `only ${checked} fingerprints checked`);
});
