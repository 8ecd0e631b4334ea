// Beacon score. Sub-score goldens are RITA v5's own table tests (activecm/rita analysis/beacons_test.go @ a3c5150),
// recomputed here by hand in the comments. Series goldens use synthetic series whose answer is known by construction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statisticalScore, weightedScore, foldIntervals, histogramScore, durationScore } from '../../src/detect/beacon_score.js';
import { scoreSeries, createBeaconDetector, BEACON_MIN_SCORE } from '../../src/detect/beacon.js';
import { NameIndex } from '../../src/features/names.js';
import { createContext, type DetectContext } from '../../src/detect/detector.js';
import type { ConnRecord } from '../../src/flow/conn.js';
import { conn, dns, NO_APP, rng } from './synth.js';

const near = (a: number, b: number, d = 0.001): void => assert.ok(Math.abs(a - b) <= d, `${a} vs ${b} (±${d})`);
const T0 = 1_700_000_000;

test('RITA statistical score: its table cases', () => {
  // intervals 98, 99, 99, 100, 100, 100, 101, 101, 102: q1 99, q2 100, q3 101 → IQR 2 < 10 → skew 0 → 1;
  // MAD = median(|x − 100|) = 1 → (100 − 1)/100 = 0.99; score = (1 + 0.99)/2 = 0.995
  near(statisticalScore([98, 99, 99, 100, 100, 100, 101, 101, 102], 1).score, 0.995);
  // 11 timestamps, gaps 98/300 alternating (5 each): q1 98, q2 199, q3 300 → (98 + 300 − 398)/202 = 0 → 1;
  // MAD = median(|x − 199|) = 101 → 1 − 101/199 = 0.492; score = (1 + 0.492)/2 = 0.746
  const bimodal = statisticalScore([98, 300, 98, 300, 98, 300, 98, 300, 98, 300], 1);
  near(bimodal.score, 0.746);
  assert.equal(bimodal.skew, 0);
  near(bimodal.mad, 101);
  // random: 1, 2, 25, 42, 90, 299, 500, 1500, 4975: q1 13.5, q2 90, q3 1000 → (1013.5 − 180)/986.5 = 0.845 → 0.155;
  // MAD = median(89, 88, 65, 48, 0, 209, 410, 1410, 4885) = 89 → 1 − 89/90 = 0.0111; score = (0.155 + 0.0111)/2 = 0.083
  const r = statisticalScore([1, 299, 25, 4975, 90, 2, 42, 500, 1500], 1);
  near(r.score, 0.083);
  near(r.skew, 0.845);
  near(r.mad, 89);
  // data sizes 1..10 (MAD default 0): q1 3, q2 5.5, q3 8 → skew 0 → 1; MAD 2.5 → 1 − 2.5/5.5 = 0.545; → 0.773
  near(statisticalScore([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0).score, 0.773);
});

test('RITA weighted score: its table cases', () => {
  // 0.8·0.2 + 0.7·0.2 + 0.6·0.3 + 0.5·0.3 = 0.16 + 0.14 + 0.18 + 0.15 = 0.63
  near(weightedScore([{ score: 0.8, weight: 0.2 }, { score: 0.7, weight: 0.2 }, { score: 0.6, weight: 0.3 }, { score: 0.5, weight: 0.3 }]), 0.63);
  // 0.1·0.1 + 0.2·0.2 + 0.3·0.3 + 0.4·0.4 = 0.01 + 0.04 + 0.09 + 0.16 = 0.30
  near(weightedScore([{ score: 0.1, weight: 0.1 }, { score: 0.2, weight: 0.2 }, { score: 0.3, weight: 0.3 }, { score: 0.4, weight: 0.4 }]), 0.3);
  // 0.111·0.173 + 0.222·0.325 + 0.333·0.299 + 0.444·0.203 = 0.281112 → 0.281
  near(weightedScore([{ score: 0.111, weight: 0.173 }, { score: 0.222, weight: 0.325 }, { score: 0.333, weight: 0.299 }, { score: 0.444, weight: 0.203 }]), 0.281);
  assert.throws(() => weightedScore([{ score: 0.5, weight: 0.3 }, { score: 0.5, weight: 0.3 }, { score: 0.5, weight: 0.2 }, { score: 0.5, weight: 0.1 }]), /sum to 1/);
  assert.throws(() => weightedScore([{ score: -0.1, weight: 1 }]), /between 0 and 1/);
});

test('histogram and duration: a flat day scores 1, one burst scores 0', () => {
  const flat = Array.from({ length: 24 * 6 }, (_, i) => T0 + i * 600); // 6 per hour for 24 h
  const h = histogramScore(T0, T0 + 86400, flat);
  assert.equal(h.total_bars, 24);
  assert.equal(h.score, 1); // cv 0 → 1 − 0
  assert.equal(durationScore(T0, T0 + 86400, flat[0]!, flat.at(-1)!, h), 1);
  const burst = [T0, T0 + 10, T0 + 20, T0 + 30];
  const hb = histogramScore(T0, T0 + 86400, burst);
  assert.equal(hb.total_bars, 1);
  assert.equal(hb.score, 0); // one bar of 4 over 24 bins: cv = √23 ≈ 4.8 > 1 → 0
  assert.equal(durationScore(T0, T0 + 86400, T0, T0 + 30, hb), 0); // fewer than 6 bars seen
});

test('missed beats fold onto the period', () => {
  // gaps 60, 120, 60, 180, 60: median 60; 120 = 2·60 and 180 = 3·60 → folded all 60, 1 + 2 = 3 missed beats
  const f = foldIntervals([60, 120, 60, 180, 60]);
  assert.equal(f.period, 60);
  assert.deepEqual(f.folded, [60, 60, 60, 60, 60]);
  assert.equal(f.fit, 1);
  assert.equal(f.missed, 3);
});

function jittered(n: number, period: number, jitter: number, seed: number, missRate = 0): number[] {
  const r = rng(seed);
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = T0 + i * period + (r() * 2 - 1) * jitter * period;
    if (r() >= missRate) ts.push(t);
  }
  return ts;
}

function poisson(n: number, mean: number, seed: number): number[] {
  const r = rng(seed);
  let t = T0;
  return Array.from({ length: n }, () => (t += -Math.log(1 - r()) * mean));
}

const span = (ts: readonly number[]): [number, number] => [Math.min(...ts), Math.max(...ts)];

test('golden: 60 s beacon with ±10% jitter scores high', () => {
  // Uniform ±6 s jitter on each start: gaps spread over ±12 s, IQR ≈ 6 < 10 → skew 0 → 1; MAD ≈ 3 → 1 − 3/60 ≈ 0.95;
  // ts ≈ (1 + 0.95)/2 ≈ 0.975. Sizes constant → ds 1. Whole span covered → dur 1, flat histogram → hist ≈ 1.
  // Score ≈ 1 · 1 · (0.55·0.975 + 0.15 + 0.15 + 0.15) ≈ 0.986.
  const ts = jittered(120, 60, 0.1, 7);
  const r = scoreSeries(ts, ts.map(() => 1000), ...span(ts))!;
  near(r.ts_score, 0.975, 0.01);
  assert.equal(r.fit, 1);
  near(r.score, 0.986, 0.01);
});

for (const seed of [7, 11, 23]) {
  test(`golden: Poisson arrivals score low (seed ${seed})`, () => {
    // Exponential gaps (mean 60 s): median 41.6, MAD ≈ 0.48·60 ≈ 29 → MAD score ≈ 0.31; Bowley ≈ 0.26 → 0.74;
    // RITA ts ≈ 0.52. Only ≈ 1/3 of the gaps land within ±20% of a multiple of any base period, under the 0.5 needed.
    const ts = poisson(120, 60, seed);
    const r = scoreSeries(ts, ts.map(() => 1000), ...span(ts))!;
    assert.ok(r.fit < 0.5, `fit ${r.fit}`);
    assert.equal(r.score, 0);
    assert.ok(r.rita_score > 0.7, `RITA's equal weights would say ${r.rita_score}: why nad gates on the grid fit`);
  });
}

test('golden: a beacon that missed 30% of its beats is still found', () => {
  // Dropping 30% of 120 beats leaves ≈ 84; gaps are 60 (70%), 120 (21%), 180 (6%)…; each within ±12 s of k·60 → fit ≈ 1.
  const ts = jittered(120, 60, 0.1, 7, 0.3);
  const r = scoreSeries(ts, ts.map(() => 1000), ...span(ts))!;
  assert.ok(r.missed >= 20, `missed ${r.missed}`);
  assert.ok(r.fit > 0.95);
  assert.ok(r.score >= 0.75, `score ${r.score}`);
});

function ctxFor(conns: readonly ConnRecord[], names = new NameIndex()): DetectContext {
  names.seal();
  const ts = conns.map((c) => Number(c.ts));
  return createContext({ conns, names, first_ts: Math.min(...ts), last_ts: Math.max(...ts) });
}

test('an S0 retry storm is not a beacon', () => {
  // 200 unanswered SYN attempts every 3 s: perfectly regular, but nobody answered → left out of the series.
  const conns = Array.from({ length: 200 }, (_, i) => conn({ ts: T0 + i * 3, conn_state: 'S0', history: 'S', resp_bytes: 0, resp_pkts: 0, orig_bytes: 0 }));
  const d = createBeaconDetector();
  for (const c of conns) d.observe(c, NO_APP);
  assert.deepEqual(d.finish(ctxFor(conns)), []);
});

test('a beacon rotating over addresses is found by name', () => {
  // 40 check-ins every 30 s, each to one of 4 CDN addresses in turn: 10 per address (gaps 120 s), 40 for the name.
  const names = new NameIndex();
  const conns: ConnRecord[] = [];
  for (let i = 0; i < 40; i++) {
    const ip = `198.51.100.${1 + (i % 4)}`;
    const q = conn({ ts: T0 + i * 30 - 0.05, resp_h: '10.0.0.1', resp_p: 53, proto: 'udp', service: 'dns' });
    names.add(q, { ...NO_APP, dns: [dns(q, 'cdn.evil.example', 1, [ip])] });
    conns.push(q, conn({ ts: T0 + i * 30, resp_h: ip }));
  }
  for (const c of conns) names.add(c, NO_APP);
  const d = createBeaconDetector();
  for (const c of conns) d.observe(c, NO_APP);
  const hits = d.finish(ctxFor(conns, names));
  const byName = hits.find((h) => h.name === 'cdn.evil.example' && h.dst === '');
  assert.ok(byName !== undefined, 'a name-keyed hit');
  assert.equal(byName.evidence.find((e) => e.name === 'events')?.value, 40);
  assert.ok(byName.score >= 0.75);
});

test('periodic bursts inside one long connection are scored, at most 0.7', () => {
  const bursts = Array.from({ length: 60 }, (_, i) => T0 + i * 30);
  const c = conn({ ts: T0, duration: 1800, orig_bursts: bursts, orig_burst_bytes: bursts.map(() => 120) });
  const d = createBeaconDetector();
  d.observe(c, NO_APP);
  const [hit] = d.finish(ctxFor([c]));
  assert.ok(hit !== undefined);
  assert.equal(hit.evidence.find((e) => e.name === 'series')?.value, 'bursts inside long-lived connections');
  assert.ok(hit.score <= 0.7 && hit.score >= BEACON_MIN_SCORE, `score ${hit.score}`);
});
