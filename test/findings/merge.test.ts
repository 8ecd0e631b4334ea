// Merging, scoring and ranking of findings; determinism of the whole detect() run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeFindings } from '../../src/findings/merge.js';
import { combineScores, severityOf } from '../../src/findings/severity.js';
import { detect } from '../../src/detect/index.js';
import type { RawFinding } from '../../src/detect/detector.js';
import type { FlowApp } from '../../src/app/records.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { conn, dns, http, rng } from '../detect/synth.js';

const T0 = 1_700_000_000;

function hit(p: Partial<RawFinding> & { score: number }): RawFinding {
  return { detector: 'x', kind: 'beacon', src: '10.0.0.5', dst: '203.0.113.1', dst_port: 443, proto: 'tcp', name: '', conns: [], evidence: [], reason: 'r.', ...p };
}

test('severity cut-offs and noisy-OR combination', () => {
  assert.equal(severityOf(0.75), 'high');
  assert.equal(severityOf(0.749), 'medium');
  assert.equal(severityOf(0.5), 'medium');
  assert.equal(severityOf(0.499), 'low');
  // 1 − (1 − 0.6)(1 − 0.5) = 1 − 0.4·0.5 = 0.8
  assert.equal(combineScores([0.6, 0.5]), 0.8);
  assert.equal(combineScores([0.3]), 0.3);
});

test('hits merge per entity: one per kind counts, names join address and name series', () => {
  const c1 = conn({ ts: T0, resp_h: '203.0.113.1' });
  const c2 = conn({ ts: T0 + 5, resp_h: '203.0.113.2' });
  const f = mergeFindings([
    hit({ kind: 'beacon', score: 0.6, name: 'evil.example', dst: '203.0.113.1', conns: [c1] }),
    hit({ kind: 'beacon', score: 0.7, name: 'evil.example', dst: '', conns: [c1, c2] }),
    hit({ kind: 'exfil', score: 0.5, name: 'evil.example', dst: '203.0.113.1', conns: [c1] }),
    hit({ kind: 'scan', score: 0.4, dst: '198.51.100.9', conns: [] }),
  ]);
  assert.equal(f.length, 2);
  const top = f[0]!;
  assert.equal(top.rank, 1);
  assert.deepEqual(top.kinds, ['beacon', 'exfil']);
  // strongest beacon 0.7 with exfil 0.5 → 1 − 0.3·0.5 = 0.85
  assert.equal(top.score, 0.85);
  assert.equal(top.severity, 'high');
  assert.equal(top.flow_count, 2);
  assert.deepEqual(top.uids, [c1.uid, c2.uid]);
  assert.equal(top.first_seen, c1.ts);
  assert.equal(top.dst, '203.0.113.1');
});

test('ties are broken by stable keys, whatever the input order', () => {
  const hits = ['10.0.0.9', '10.0.0.2', '10.0.0.5'].map((src) => hit({ src, score: 0.5 }));
  const a = mergeFindings(hits);
  const b = mergeFindings([...hits].reverse());
  assert.deepEqual(a, b);
  assert.deepEqual(a.map((f) => f.src), ['10.0.0.2', '10.0.0.5', '10.0.0.9']);
});

function scenario(): { conns: ConnRecord[]; app: Map<string, FlowApp> } {
  const r = rng(5);
  const conns: ConnRecord[] = [];
  const app = new Map<string, FlowApp>();
  for (let i = 0; i < 60; i++) {
    const q = conn({ ts: T0 + i * 60 - 0.1, resp_h: '10.0.0.1', resp_p: 53, proto: 'udp', service: 'dns' });
    app.set(q.uid, { dns: [dns(q, 'c2.bad.example', 1, ['198.51.100.7'])], tls: [], http: [], ssh: [] });
    conns.push(q, conn({ ts: T0 + i * 60 + (r() - 0.5) * 6, resp_h: '198.51.100.7', orig_bytes: 310, orig_ip_bytes: 640 }));
  }
  for (let i = 0; i < 40; i++) conns.push(conn({ ts: T0 + r() * 3600, resp_h: `192.0.2.${1 + Math.floor(r() * 30)}` }));
  const dl = conn({ ts: T0 + 100, resp_h: '203.0.113.50', resp_p: 80, service: 'http', service_source: 'payload' });
  app.set(dl.uid, { dns: [], tls: [], http: [http(dl, { host: 'files.example.net', uri: '/a.exe', resp_mime: 'application/x-dosexec' })], ssh: [] });
  conns.push(dl);
  return { conns, app };
}

test('detect() twice, and on shuffled input, gives byte-identical findings', () => {
  const { conns, app } = scenario();
  const a = JSON.stringify(detect({ conns, app, baseline: null }));
  const b = JSON.stringify(detect({ conns, app, baseline: null }));
  assert.equal(a, b);
  const r = rng(99);
  const shuffled = [...conns].sort(() => r() - 0.5);
  assert.equal(JSON.stringify(detect({ conns: shuffled, app, baseline: null }).findings), JSON.stringify(JSON.parse(a).findings));
  const res = detect({ conns, app, baseline: null });
  assert.equal(res.findings[0]!.name, 'c2.bad.example');
  assert.ok(res.findings[0]!.kinds.includes('beacon'));
  assert.ok(res.findings.some((f) => f.kinds.includes('download') && f.name === 'files.example.net'));
});
