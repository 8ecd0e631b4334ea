// Descriptive statistics. Quartile goldens: RITA's beacon tests (montanaflynn/stats Quartile), worked by hand below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cv, mad, median, quartiles, shannonEntropy } from '../../src/features/stats.js';

test('quartiles as montanaflynn/stats computes them', () => {
  // 9 values: the median (90) belongs to neither half; lower [1 2 25 42] → 13.5, upper [299 500 1500 4975] → 1000
  assert.deepEqual(quartiles([1, 2, 25, 42, 90, 299, 500, 1500, 4975]), { q1: 13.5, q2: 90, q3: 1000 });
  // 10 values: halves of 5 → q1 3, q3 8, median 5.5
  assert.deepEqual(quartiles([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), { q1: 3, q2: 5.5, q3: 8 });
});

test('median, MAD and cv', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  // |x − 5.5| = 4.5 3.5 2.5 1.5 0.5 0.5 1.5 2.5 3.5 4.5 → median 2.5
  assert.equal(mad([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 2.5);
  // mean 5, population sd of [2 4 4 4 5 5 7 9] = 2 → cv 0.4
  assert.equal(cv([2, 4, 4, 4, 5, 5, 7, 9]), 0.4);
});

test('Shannon entropy of known strings (bits per character)', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('aabb'), 1); // two symbols, p = ½ each
  assert.equal(shannonEntropy('abcd'), 2); // four symbols, p = ¼ each → log2 4
  assert.equal(shannonEntropy('0123456789abcdef'), 4); // every hex digit once → log2 16
  // 'google': g ×2, o ×2, l, e → −(2·(1/3)·log2(1/3) + 2·(1/6)·log2(1/6)) = 1.0566 + 0.8617 = 1.918
  assert.ok(Math.abs(shannonEntropy('google') - 1.918) < 0.001);
});
