// Baseline model: learning, canonical JSON round trip, schema checks, and novelty against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASELINE_VERSION, learnBaseline, loadBaseline, parseBaseline, saveBaseline, serializeBaseline } from '../../src/detect/baseline.js';
import { detect } from '../../src/detect/index.js';
import { IsolationForest } from '../../src/detect/iforest.js';
import { flowVector } from '../../src/features/conn.js';
import { pairVector, summarizePair } from '../../src/features/pairs.js';
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
    const other = BASELINE_VERSION + 1;
    writeFileSync(p, a.replace(`"schema_version":${BASELINE_VERSION}`, `"schema_version":${other}`));
    assert.throws(() => loadBaseline(p), (e: Error) => e.message.includes(`schema version ${other} is not supported`) && !e.message.includes('\n'));
    writeFileSync(p, a.replace(/"known":\{"flow":\[/, '"known":{"flow":[[1,2],'));
    assert.throws(() => loadBaseline(p), /"known" rows are missing or malformed/);
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

test('against a baseline: a host sending 10× its usual bytes per hour is flagged with the flows that carry the volume', () => {
  const base = learnBaseline(normal(1, T0));
  const day = T0 + 86400 * 7;
  const quiet = normal(2, day);
  const volume = (r: ReturnType<typeof detect>) => r.findings.filter((x) => x.explanation.includes('more bytes per hour'));
  assert.equal(volume(detect({ conns: quiet.conns, app: quiet.app, baseline: base })).length, 0, 'familiar volume is not flagged');

  const today = normal(2, day);
  const big1 = conn({ ts: day + 600, resp_h: '198.51.100.7', orig_bytes: 9_000_000, resp_bytes: 4000 });
  const big2 = conn({ ts: day + 300, resp_h: '198.51.100.7', orig_bytes: 3_000_000, resp_bytes: 4000 });
  const mid = conn({ ts: day + 900, resp_h: '198.51.100.8', orig_bytes: 500_000, resp_bytes: 4000 });
  for (const c of [big1, big2]) {
    today.conns.push(c);
    today.app.set(c.uid, { dns: [], tls: [tls(c, { server_name: 'drop.example.org', ja3: 'aaaa' })], http: [], ssh: [] });
  }
  today.conns.push(mid);
  today.app.set(mid.uid, { dns: [], tls: [], http: [], ssh: [] });
  const total = today.conns.reduce((n, c) => n + c.orig_bytes, 0);
  const hits = volume(detect({ conns: today.conns, app: today.app, baseline: base }));
  assert.equal(hits.length, 1);
  const f = hits[0]!;
  assert.equal(f.src, '10.0.0.5');
  // 9 MB + 3 MB carry > 90% of the host's bytes: those two flows (in time order), not its 301 others.
  assert.deepEqual(f.uids, [big2.uid, big1.uid]);
  assert.equal(f.flow_count, 2);
  assert.equal(f.first_seen, big2.ts);
  assert.equal(f.dst, '198.51.100.7');
  const ev = (name: string) => f.evidence.filter((e) => e.name === `novelty.${name}`);
  assert.equal(ev('bytes_out')[0]!.value, total);
  assert.equal(ev('flows_out')[0]!.value, today.conns.length);
  const top = ev('top_destination');
  assert.equal(top[0]!.value, 'drop.example.org');
  assert.equal(top[0]!.note, `${Math.round((100 * 12_000_000) / total)}% of the bytes out`);
  assert.equal(top[1]!.value, '198.51.100.8');
  assert.match(f.explanation, new RegExp(`${Math.round((100 * 12_000_000) / total)}% of it to drop\\.example\\.org`));
});

/** Flows that vary in every feature of the flow vector, so the forest has something to split on in each. */
function varied(seed: number, start: number): ConnRecord[] {
  const r = rng(seed);
  const out: ConnRecord[] = [];
  for (let i = 0; i < 400; i++) {
    const ts = start + r() * 7200;
    const ob = 200 + Math.floor(r() * 2000);
    const rb = 2000 + Math.floor(r() * 40000);
    out.push(conn({
      ts, duration: 0.05 + r() * 30, resp_h: `192.0.2.${1 + Math.floor(r() * 20)}`, orig_pkts: 3 + Math.floor(r() * 20),
      resp_pkts: 3 + Math.floor(r() * 40), orig_bytes: ob, resp_bytes: rb, orig_payload_bytes: ob, resp_payload_bytes: rb,
      orig_bursts: [ts, ts + 1, ts + 2].slice(0, 1 + Math.floor(r() * 3)),
    }));
  }
  return out;
}

test('against a baseline: an outlier the baseline itself contains is known, not anomalous; a new one is flagged', () => {
  // A DHCP server's unicast reply (nothing sent by the originator, one 297-byte packet back): rare in the trusted
  // capture, so its isolation-forest score is high although the baseline holds its twins.
  const reply = (ts: number): ConnRecord => conn({
    ts, resp_h: '192.0.2.1', orig_p: 68, resp_p: 67, proto: 'udp', ip_proto: 17, service: 'dhcp', duration: 0, orig_bytes: 0,
    resp_bytes: 297, conn_state: 'SHR', history: '^d', orig_pkts: 0, orig_ip_bytes: 0, resp_pkts: 1, resp_ip_bytes: 325,
    orig_payload_bytes: 0, resp_payload_bytes: 297, end_reason: 'idle', orig_bursts: [], orig_burst_bytes: [],
  });
  const trusted = varied(1, T0);
  for (const t of [600, 3000, 6000]) trusted.push(reply(T0 + t));
  const base = learnBaseline({ conns: trusted, app: new Map() });
  const forest = IsolationForest.fromJSON(base.forest.flow);
  const day = T0 + 86400 * 7;
  const known = reply(day + 1800);
  // A long one-way upload to a port the baseline never used, in 40 bursts.
  const fresh = conn({
    ts: day + 2000, resp_h: '192.0.2.2', resp_p: 9999, duration: 3000, orig_bytes: 5_000_000, orig_payload_bytes: 5_000_000,
    resp_bytes: 5, resp_payload_bytes: 5, orig_pkts: 4000, resp_pkts: 2, orig_bursts: Array.from({ length: 40 }, (_, i) => day + 2000 + i * 60),
  });
  // A cut both outliers reach (checked, so the test cannot pass vacuously if the forest changes).
  const threshold = 0.56;
  const suspect = varied(2, day);
  assert.ok(forest.score(flowVector(known)) >= threshold, 'precondition: the forest alone scores the reply as an outlier');
  assert.ok(forest.score(flowVector(fresh)) >= threshold, 'precondition: the new flow is an outlier too');
  suspect.push(known, fresh);
  const run = (model: typeof base) => detect({ conns: suspect, app: new Map(), baseline: model, options: { threshold } });
  const anomalyUids = (r: ReturnType<typeof detect>): string[] => r.findings.flatMap((f) => f.evidence)
    .filter((e) => e.name === 'anomaly.most_anomalous_uid').map((e) => String(e.value));

  const res = run(base);
  assert.ok(anomalyUids(res).includes(fresh.uid), 'the outlier the baseline never saw is flagged');
  const hit = res.findings.find((f) => f.evidence.some((e) => e.name === 'anomaly.most_anomalous_uid' && e.value === fresh.uid))!;
  assert.equal(hit.evidence.find((e) => e.name === 'anomaly.driven_by')?.value, 'flow', 'one flow, not the pair, drove it');
  assert.ok(!anomalyUids(res).includes(known.uid), 'the reply the baseline holds is not');
  assert.ok(res.stats.by_detector['anomaly']!['flows_known_in_baseline']! >= 1);

  // A pair: the suspect's most unusual pair, at a cut it reaches. With its own vector among the known pair rows (and
  // no flow forest, so only the pair forest speaks) it is counted as known and not flagged; without, it is.
  const pairForest = IsolationForest.fromJSON(base.forest.pair);
  const byDst = new Map<string, ConnRecord[]>();
  for (const c of suspect) byDst.set(c.resp_h, [...(byDst.get(c.resp_h) ?? []), c]);
  const scored = [...byDst].map(([dst, cs]) => ({ dst, v: pairVector(summarizePair(cs)) })).map((x) => ({ ...x, s: pairForest.score(x.v) }));
  const top = scored.reduce((a, b) => (b.s > a.s ? b : a));
  const pairRun = (known: number[][]) => detect({
    conns: suspect, app: new Map(), options: { threshold: top.s },
    baseline: { ...base, forest: { flow: null, pair: base.forest.pair }, known: { flow: [], pair: known } },
  });
  const flaggedTop = (r: ReturnType<typeof detect>) => r.findings.some((f) => f.kinds.includes('anomaly') && f.dst === top.dst);
  assert.ok(flaggedTop(pairRun([])), 'without a known row the pair is flagged');
  const knownPair = pairRun([top.v]);
  assert.ok(!flaggedTop(knownPair), 'with its vector known it is not');
  assert.equal(knownPair.stats.by_detector['anomaly']!['pairs_known_in_baseline'], 1);

  // The same model without its known rows flags the reply: the known rows, nothing else, keep it out.
  const bare = run({ ...base, known: { flow: [], pair: [] } });
  assert.ok(anomalyUids(bare).includes(known.uid));
  assert.equal(bare.stats.by_detector['anomaly']!['flows_known_in_baseline'], 0);
});
