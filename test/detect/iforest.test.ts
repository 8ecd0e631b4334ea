// Isolation forest against the properties Liu, Ting & Zhou (ICDM 2008) state: §2 (score → 0.5 when all points are
// alike, near 1 for clear anomalies), §3 (anomalies have shorter average path lengths), eq. 1 (c(n)), plus determinism
// per seed and an exact JSON round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cFactor, IsolationForest } from '../../src/detect/iforest.js';
import { rng } from './synth.js';

function gaussRows(n: number, d: number, seed: number): number[][] {
  const r = rng(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: n }, () => Array.from({ length: d }, g));
}

test('c(n) matches the paper: c(2) = 1, c(256) = 2H(255) − 2·255/256 ≈ 10.24', () => {
  assert.equal(cFactor(1), 0);
  assert.equal(cFactor(2), 1);
  // H(255) ≈ ln 255 + 0.5772 = 5.5413 + 0.5772 = 6.1185 → 12.237 − 1.992 = 10.245
  assert.ok(Math.abs(cFactor(256) - 10.245) < 0.01, String(cFactor(256)));
});

test('anomalies are isolated at shorter path lengths and score near 1', () => {
  const rows = gaussRows(2000, 2, 3);
  const f = IsolationForest.fit(rows, { seed: 5 });
  const inlier = f.pathLength([0, 0]);
  const outlier = f.pathLength([8, -8]);
  assert.ok(outlier < inlier / 2, `outlier path ${outlier} vs inlier ${inlier}`);
  // Outside the training range a point follows the extreme rows' branch, so it shares their short paths:
  // E[h] ≈ 4.3 → s = 2^(−4.3/10.24) ≈ 0.75 (the reference probe in ../shared/bench/probes/iforest.mjs gives 0.761 for [8, −8]).
  assert.ok(f.score([20, 20]) > 0.7, `far outlier ${f.score([20, 20])}`);
  assert.ok(f.score([100, 100]) > Math.max(...rows.slice(0, 200).map((p) => f.score(p))) - 0.05);
  assert.ok(f.score([0, 0]) < 0.5, `centre ${f.score([0, 0])}`);
  // Monotone along a ray away from the mass.
  const ray = [0, 2, 4, 8].map((x) => f.score([x, x]));
  for (let i = 1; i < ray.length; i++) assert.ok(ray[i]! >= ray[i - 1]!, ray.join(' '));
  assert.ok(ray[2]! > ray[0]!);
});

test('score tends to 0.5 when every point is alike', () => {
  // Identical rows cannot be split: every tree is one leaf of ψ rows, E[h] = c(ψ), s = 2^−1 = 0.5 (paper §2).
  const same = Array.from({ length: 500 }, () => [1, 2, 3]);
  assert.ok(Math.abs(IsolationForest.fit(same, { seed: 1 }).score([1, 2, 3]) - 0.5) < 1e-12);
  // Uniform data: scores of the points themselves bunch around 0.5 with nothing near 1.
  const r = rng(9);
  const uni = Array.from({ length: 3000 }, () => [r(), r()]);
  const f = IsolationForest.fit(uni, { seed: 2 });
  const scores = uni.slice(0, 500).map((p) => f.score(p));
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.ok(Math.max(...scores) < 0.65, `max ${Math.max(...scores)}`);
});

test('same seed, same scores; another seed, other trees', () => {
  const rows = gaussRows(1000, 4, 7);
  const a = IsolationForest.fit(rows, { seed: 42 });
  const b = IsolationForest.fit(rows, { seed: 42 });
  const c = IsolationForest.fit(rows, { seed: 43 });
  const probe = [[0, 0, 0, 0], [3, 3, 3, 3], [9, -9, 0, 1]];
  assert.deepEqual(probe.map((p) => a.score(p)), probe.map((p) => b.score(p)));
  assert.notDeepEqual(probe.map((p) => a.score(p)), probe.map((p) => c.score(p)));
});

test('JSON round trip gives identical scores', () => {
  const rows = gaussRows(600, 3, 11);
  const f = IsolationForest.fit(rows, { seed: 3, trees: 50 });
  const back = IsolationForest.fromJSON(JSON.parse(JSON.stringify(f)));
  for (const p of [...rows.slice(0, 50), [5, 5, 5], [-7, 0, 2]]) assert.equal(back.score(p), f.score(p));
  assert.equal(f.toJSON().trees.length, 50);
  assert.equal(f.psi, 256);
  // Height limit ⌈log2 256⌉ = 8: no tree is deeper, so at most 2^9 − 1 nodes.
  for (const t of f.toJSON().trees) assert.ok(t.feature.length <= 511);
  assert.throws(() => IsolationForest.fromJSON({ version: 2 }), /not a version 1 forest/);
});
