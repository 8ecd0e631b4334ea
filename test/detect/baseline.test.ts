// Baseline model: learning, canonical JSON round trip, schema checks, and novelty against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { learnBaseline, loadBaseline, parseBaseline, saveBaseline, serializeBaseline } from '../../src/detect/baseline.js';
import { detect } from '../../src/detect/index.js';
import type { FlowApp } from '../../src/app/records.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { conn, rng, tls } from './synth.js';

const T0 = 1_700_000_000;

function normal(seed: number, start: number): { conns: ConnRecord[]; app: Map<string, FlowApp> } {
  const r = rng(seed);
  const conns: ConnRecord[] = [];
  const app = new Map<string, FlowApp>();
  for (let i = 0; i < 300; i++) {
    const c = conn({ ts: start + r() * 7200, resp_h: `192.0.2.${1 + Math.floor(r() * 20)}`, orig_bytes: 200 + Math.floor(r() * 800), resp_bytes: 2000 + Math.floor(r() * 20000) });
    app.set(c.uid, { dns: [], tls: [tls(c, { server_name: 'www.example.com', ja3: 'aaaa' })], http: [], ssh: [] });
    conns.push(c);
  }
  return { conns, app };
}

test('same input, byte-identical model; JSON round trip; other versions refused with one line', () => {
  const n = normal(1, T0);
  const a = serializeBaseline(learnBaseline(n, { inputs: [{ path: 'clean.pcap', sha256: 'ab' }] }));
  const b = serializeBaseline(learnBaseline(n, { inputs: [{ path: 'clean.pcap', sha256: 'ab' }] }));
  assert.equal(a, b);
  const m = parseBaseline(JSON.parse(a));
  assert.equal(m.hosts['10.0.0.5']!.conns, 300);
  assert.equal(m.hosts['10.0.0.5']!.ja3['aaaa'], 300);
  assert.ok(m.forest.flow !== null && m.forest.pair !== null);
  const dir = mkdtempSync(join(tmpdir(), 'nad-baseline-'));
  try {
    const p = join(dir, 'm.json');
    saveBaseline(p, m);
    assert.equal(serializeBaseline(loadBaseline(p)), a);
    writeFileSync(p, a.replace('"schema_version":1', '"schema_version":2'));
    assert.throws(() => loadBaseline(p), (e: Error) => /schema version 2 is not supported/.test(e.message) && !e.message.includes('\n'));
    writeFileSync(p, '{"hello":1}');
    assert.throws(() => loadBaseline(p), /not a nad baseline model/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('against a baseline: a new port and JA3 are novel, familiar traffic is not', () => {
  const base = learnBaseline(normal(1, T0));
  const today = normal(2, T0 + 86400 * 7);
  const odd = conn({ ts: T0 + 86400 * 7 + 100, resp_h: '198.51.100.66', resp_p: 8443, service: 'tls', service_source: 'payload' });
  today.conns.push(odd);
  today.app.set(odd.uid, { dns: [], tls: [tls(odd, { server_name: 'odd.example.net', ja3: 'ffff' })], http: [], ssh: [] });
  const res = detect({ conns: today.conns, app: today.app, baseline: base });
  const novel = res.findings.filter((f) => f.kinds.includes('novelty'));
  assert.equal(novel.length, 1);
  assert.equal(novel[0]!.dst, '198.51.100.66');
  const reasons = novel[0]!.evidence.filter((e) => e.name === 'novelty.reason').map((e) => String(e.value));
  assert.ok(reasons.some((r) => r.startsWith('port tcp/8443 new')), reasons.join('; '));
  assert.ok(reasons.some((r) => r.startsWith('JA3 ffff never seen')), reasons.join('; '));
});
