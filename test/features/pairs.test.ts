// Pair series and summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupPairs, pairVector, PAIR_FEATURES, summarizePair } from '../../src/features/pairs.js';
import { conn } from '../detect/synth.js';

const T0 = 1_700_000_000;

test('grouping by address and by name, sorted, connections in time order', () => {
  const a = conn({ ts: T0 + 20, resp_h: '198.51.100.2' });
  const b = conn({ ts: T0, resp_h: '198.51.100.1' });
  const c = conn({ ts: T0 + 10, resp_h: '198.51.100.2' });
  const { byIp, byName } = groupPairs([a, b, c], (x) => (x.resp_h === '198.51.100.9' ? '' : 'cdn.example'));
  assert.deepEqual(byIp.map((p) => p.key), ['ip:10.0.0.5>198.51.100.1', 'ip:10.0.0.5>198.51.100.2']);
  assert.deepEqual(byIp[1]!.conns, [c, a]);
  assert.equal(byName.length, 1);
  assert.equal(byName[0]!.dst, ''); // two addresses behind one name
  assert.deepEqual(byName[0]!.conns, [b, c, a]);
});

test('series come in the order of their joined keys, also when one source is a prefix of another', () => {
  // Sources and destinations chosen so that a plain sort by source, then destination, would differ from the order of
  // `SRC>DST` strings: '10.0.0.10>' sorts before '10.0.0.1>' because '0' < '>'. The reference is JavaScript's sort.
  const srcs = ['10.0.0.1', '10.0.0.10', '10.0.0.100', '10.0.0.2', '2001:db8::1', '2001:db8::1a', 'fe80::1'];
  const dsts = ['198.51.100.1', '198.51.100.10', '198.51.100.9', '2001:db8::', '8.8.8.8'];
  const cs = [];
  let t = T0;
  for (const s of [...srcs].reverse()) for (const d of dsts) cs.push(conn({ ts: t++, orig_h: s, resp_h: d }));
  const names = (c: { resp_h: string }): string => (c.resp_h.startsWith('198') ? `n${c.resp_h.length}.example` : '');
  const { byIp, byName } = groupPairs(cs, names);
  const ipKeys = cs.map((c) => `ip:${c.orig_h}>${c.resp_h}`);
  assert.deepEqual(byIp.map((p) => p.key), [...new Set(ipKeys)].sort());
  const nameKeys = cs.filter((c) => names(c) !== '').map((c) => `name:${c.orig_h}>${names(c)}`);
  assert.deepEqual(byName.map((p) => p.key), [...new Set(nameKeys)].sort());
  for (const p of byIp) assert.equal(p.key, `ip:${p.src}>${p.dst}`);
  for (const p of byName) assert.equal(p.key, `name:${p.src}>${p.name}`);
});

test('summary: intervals, failures, conn_state mix', () => {
  // starts 0, 60, 120, 240 → gaps 60, 60, 120: median 60; mean 80, sd 28.28 → cv 0.354
  const cs = [0, 60, 120, 240].map((t, i) => conn({ ts: T0 + t, conn_state: i === 3 ? 'REJ' : 'SF', resp_p: 443 + (i % 2) }));
  const s = summarizePair(cs);
  assert.equal(s.median_interval, 60);
  assert.ok(Math.abs(s.interval_cv - 0.354) < 0.001);
  assert.equal(s.failed_share, 0.25);
  assert.equal(s.distinct_ports, 2);
  assert.deepEqual(s.conn_states, { REJ: 1, SF: 3 });
  assert.equal(pairVector(s).length, PAIR_FEATURES.length);
});
