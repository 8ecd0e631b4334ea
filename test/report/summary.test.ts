// Aggregates behind the report, checked by hand arithmetic shown beside each case.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInTimes, intervals, scanSummary, tunnelSample } from '../../src/report/details.js';
import { firstInOrder, severityCounts, topCounts, trafficBuckets } from '../../src/report/summary.js';
import { renderTerminal } from '../../src/report/terminal.js';
import { epochSeconds, formatBytes, formatDuration, printable, shannonEntropy, shortTime } from '../../src/report/text.js';
import { conn } from '../detect/synth.js';
import { fixture } from './fixture.js';

test('shannonEntropy: -Σ p·log2 p per character', () => {
  assert.equal(shannonEntropy(''), 0);
  assert.equal(shannonEntropy('aaaa'), 0); // one symbol, p = 1
  assert.equal(shannonEntropy('aabb'), 1); // 2 × (-0.5·log2 0.5) = 1
  assert.equal(shannonEntropy('abcd'), 2); // 4 × (-0.25·log2 0.25) = 2
  assert.equal(shannonEntropy('aaab'), 0.811); // -(0.75·log2 0.75 + 0.25·log2 0.25) = 0.311 + 0.5 = 0.811
});

test('printable: controls, DEL, C1 and bidi overrides become visible escapes; other text is untouched', () => {
  assert.equal(printable('a\u0000b\u001b[1m\u007f\u0085\u202eZ'), 'a\\x00b\\x1b[1m\\x7f\\x85\\u{202e}Z');
  assert.equal(printable('<b>ünïcödé 日本 ✓</b>'), '<b>ünïcödé 日本 ✓</b>');
});

test('times: sec.nnnnnnnnn and ISO both parse; short form to the second', () => {
  assert.equal(epochSeconds('1772000000.500000000'), 1772000000.5);
  assert.equal(epochSeconds('2026-02-25T06:13:20.500Z'), 1772000000.5);
  assert.ok(Number.isNaN(epochSeconds('not a time')));
  assert.equal(shortTime('1772000000.999999999'), '2026-02-25 06:13:20Z');
  assert.equal(formatBytes(999), '999 B');
  assert.equal(formatBytes(1_500_000), '1.50 MB');
});

test('beacon detail: check-in times and intervals', () => {
  const d = fixture({ hostile: false, geo: null });
  const beacon = d.conns.filter((c) => c.resp_h === '45.33.32.156');
  const times = checkInTimes(beacon);
  assert.equal(times.length, 240);
  // fixture: start + 30 + 60·i + (i mod 3) - 1 → gaps 60+1, 60+1, 60-2 repeating
  assert.deepEqual(intervals(times).slice(0, 3), [61, 61, 58]);
  const burstConn = { ...(beacon[0] as (typeof beacon)[number]), orig_bursts: [10, 40, 70, 100] };
  assert.deepEqual(intervals(checkInTimes([burstConn])), [30, 30, 30], 'one long flow: its payload bursts are the check-ins');
});

test('tunnel detail: queries under the domain, distinct names, entropy of the subdomain part', () => {
  const mk = (query: string) => ({ query }) as Parameters<typeof tunnelSample>[0][number];
  const t = tunnelSample([mk('abcd.t.evil.xyz'), mk('abcd.t.evil.xyz'), mk('aabb.t.evil.xyz'), mk('www.good.com'), mk('notevil.xyz')], 'evil.xyz', 5);
  assert.equal(t.queries, 3);
  assert.equal(t.distinct, 2);
  // labels 'abcd.t' → 'abcdt' (5 distinct: log2 5 = 2.322) and 'aabb.t' → 'aabbt' (0.4,0.4,0.2: 1.522); mean 1.922
  assert.deepEqual(t.sample.map((s) => s.entropy), [2.322, 1.522]);
  assert.equal(t.mean_entropy, 1.922);
});

test('scan detail, severity counts, top counts, traffic buckets', () => {
  const d = fixture({ hostile: false, geo: null });
  const scan = scanSummary(d.conns.filter((c) => c.orig_h === '10.0.0.66'));
  assert.equal(scan.ports.length, 200);
  assert.equal(scan.hosts, 3);
  assert.deepEqual(scan.states, [{ key: 'REJ', count: 180 }, { key: 'SF', count: 20 }]);
  assert.deepEqual(severityCounts(d.findings), { high: 2, medium: 1, low: 1, total: 4 });
  assert.deepEqual(topCounts(['b', 'a', 'b', '', 'c', 'a'], (x) => x, 2), [{ key: 'a', count: 2 }, { key: 'b', count: 2 }]);
  const buckets = trafficBuckets(d.conns, 10);
  assert.equal(buckets.length, 10);
  assert.equal(buckets.reduce((n, b) => n + b.bytes, 0), d.conns.reduce((n, c) => n + c.orig_bytes + c.resp_bytes, 0), 'every byte in one bucket');
});

test('firstInOrder: the same as a stable sort and slice, ties in input order', () => {
  // Oracle: Array.prototype.sort (stable since ES2019) over the whole list.
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 6;
  const items = Array.from({ length: 300 }, (_, i) => ({ v: rnd(), i }));
  const order = (a: { v: number }, b: { v: number }): number => b.v - a.v;
  for (const n of [0, 1, 5, 10, 299, 300, 1000, Infinity]) {
    assert.deepEqual(firstInOrder(items, order, n), [...items].sort(order).slice(0, n), `n = ${n}`);
  }
});

test('traffic buckets of a capture shorter than a second cover its span, and the terminal says how long one is', () => {
  // A 0.3 s live run: 60 buckets are 5 ms each (0.3 / 60), not the one second that left 59 of 60 empty before.
  const t0 = 1_700_000_000;
  const conns = [conn({ ts: t0, last: t0 + 0.01, orig_bytes: 100, resp_bytes: 0 }), conn({ ts: t0 + 0.2, last: t0 + 0.3, orig_bytes: 50, resp_bytes: 0 })];
  const buckets = trafficBuckets(conns, 60);
  assert.equal(buckets.length, 60);
  assert.equal(buckets[0]!.bytes, 100);
  assert.equal(buckets[40]!.bytes, 50, 'the flow starting at 0.2 s falls in bucket 0.2 / 0.005 = 40');
  assert.ok(Math.abs(buckets[59]!.t - (t0 + 59 * 0.005) * 1000) < 1e-3, 'the last bucket starts inside the span');
  assert.equal(formatDuration(0.005), '5 ms');
  assert.equal(formatDuration(0.0001), '< 1 ms');
  assert.equal(formatDuration(0.3), '0.3 s');
  // The terminal's sparkline (60 cells at 90 columns): the width of one cell is the span over the cells.
  const out = renderTerminal({ ...fixture({ hostile: false, geo: null }), conns, findings: [] }, { color: false, width: 90 });
  assert.match(out, /peak 100 B per 5 ms$/m);
});
