// FlowTable mechanics: timeouts, expiry while streaming, out-of-order packets, fragments, ICMP pairing, hooks, uid.
// Expected values are worked out by hand from the options given (Zeek's default timeouts: tcp 300 s, udp/icmp 60 s).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlowHook } from '../../src/app/hook.js';
import type { ConnRecord, FlowView } from '../../src/flow/conn.js';
import { FlowTable, type FlowTableOptions } from '../../src/flow/table.js';
import { hand, type Hand, T0 } from './packets.js';
import { NO_RECORDS } from './run.js';

function table(opts: FlowTableOptions = {}, hooks: FlowHook<unknown>[] = []): { t: FlowTable; out: ConnRecord[] } {
  const out: ConnRecord[] = [];
  return { t: new FlowTable(opts, { conn: (c) => out.push(c) }, hooks, NO_RECORDS), out };
}

const udp = (dir: 'o' | 'r', t: number, extra: Partial<Hand> = {}): Hand => ({ dir, proto: 17, sport: 40000, dport: 53, len: 20, t, ...extra });

test('idle timeout per protocol: a UDP flow is written once 60 s pass without its packets, while input continues', () => {
  const { t, out } = table();
  t.packet(hand(udp('o', 0)));
  t.packet(hand(udp('r', 0.5)));
  // Another flow's packet at 61 s moves the clock: 61 - 0.5 > 60, the first flow is written before the end of input.
  t.packet(hand(udp('o', 61, { sport: 40001 })));
  assert.equal(out.length, 1);
  assert.equal(out[0]!.end_reason, 'idle');
  assert.equal(out[0]!.duration, 0.5);
  assert.equal(t.stats.active, 1);
  t.flush();
  assert.deepEqual(out.map((c) => c.end_reason), ['idle', 'end']);
  assert.deepEqual(t.stats.expired, { idle: 1, active: 0, end: 1, fin: 0 });
});

test('the same tuple after its idle timeout is a new flow (new uid)', () => {
  const { t, out } = table({ udp_idle_s: 10 });
  t.packet(hand(udp('o', 0)));
  t.packet(hand(udp('o', 11)));
  t.flush();
  assert.equal(out.length, 2);
  assert.notEqual(out[0]!.uid, out[1]!.uid);
  assert.equal(out[0]!.community_id, out[1]!.community_id);
});

test('active timeout splits a long flow; 0 turns it off', () => {
  const pkts = [0, 50, 100, 150].map((s) => hand(udp('o', s)));
  const a = table({ active_timeout_s: 120 });
  for (const p of pkts) a.t.packet(p);
  a.t.flush();
  assert.deepEqual(a.out.map((c) => [c.end_reason, c.orig_pkts]), [['active', 3], ['end', 1]]);
  const b = table({ active_timeout_s: 0 });
  for (const p of [0, 50, 100, 150].map((s) => hand(udp('o', s)))) b.t.packet(p);
  b.t.flush();
  assert.deepEqual(b.out.map((c) => [c.end_reason, c.orig_pkts]), [['end', 4]]);
});

test('packets out of time order are counted and do not move the clock back or shorten a flow', () => {
  const { t, out } = table();
  t.packet(hand(udp('o', 10)));
  t.packet(hand(udp('r', 12)));
  t.packet(hand(udp('o', 11)));
  t.flush();
  assert.equal(t.stats.out_of_order, 1);
  assert.equal(out[0]!.orig_pkts, 2);
  assert.equal(out[0]!.last_ts, `${T0 + 12}.000000000`);
  assert.equal(out[0]!.duration, 2);
});

test('ICMP echo request and reply are one flow: orig_p = type 8, resp_p = 0 (Zeek); other types are one-way', () => {
  const { t, out } = table();
  t.packet(hand({ dir: 'o', proto: 1, type: 8, code: 0, len: 56, t: 0 }));
  t.packet(hand({ dir: 'r', proto: 1, type: 0, code: 0, len: 56, t: 0.01 }));
  t.packet(hand({ dir: 'r', proto: 1, type: 3, code: 1, len: 28, t: 0.02 }));
  t.flush();
  const rows = out.map((c) => [c.proto, c.orig_h, c.orig_p, c.resp_h, c.resp_p, c.orig_pkts, c.resp_pkts, c.conn_state, c.history]);
  assert.deepEqual(rows, [
    ['icmp', '10.0.0.1', 8, '10.0.0.2', 0, 1, 1, 'OTH', ''],
    ['icmp', '10.0.0.2', 3, '10.0.0.1', 1, 1, 0, 'OTH', ''],
  ]);
});

test('later IPv4 fragments count to the flow of the first fragment', () => {
  const { t, out } = table();
  t.packet(hand(udp('o', 0, { len: 1472, frag_mf: 1, frag_id: 77 })));
  t.packet(hand(udp('o', 0.001, { sport: 0, dport: 0, len: 1000, frag_off: 1480, frag_id: 77 })));
  t.flush();
  assert.equal(out.length, 1);
  assert.equal(out[0]!.orig_pkts, 2);
  assert.equal(t.stats.fragments_mapped, 1);
});

test('many concurrent flows: lookups stay exact through table growth and deletions', () => {
  const { t, out } = table({ udp_idle_s: 5 });
  for (let i = 0; i < 5000; i++) t.packet(hand(udp('o', i * 0.001, { sport: 1024 + i })));
  for (let i = 0; i < 5000; i++) t.packet(hand(udp('r', 5 + i * 0.001, { sport: 1024 + i })));
  // Clock now ~10 s: the first flows (last packet ~5 s) are still young; flush writes all.
  t.flush();
  assert.equal(out.length, 5000);
  assert.ok(out.every((c) => c.orig_pkts === 1 && c.resp_pkts === 1 && c.conn_state === 'SF'));
  assert.equal(t.stats.flows_created, 5000);
});

test('uid is deterministic and independent of other flows', () => {
  const a = table(), b = table();
  a.t.packet(hand(udp('o', 0)));
  b.t.packet(hand(udp('o', 0, { sport: 1 })));
  b.t.packet(hand(udp('o', 0)));
  a.t.flush(); b.t.flush();
  assert.match(a.out[0]!.uid, /^C[0-9A-Za-z]{17}$/);
  assert.equal(b.out.find((c) => c.orig_p === 40000)!.uid, a.out[0]!.uid);
});

test('hooks: onInit on the first payload packet, onPacket until false, onExpire once with the state', () => {
  const calls: string[] = [];
  const hook: FlowHook<{ n: number }> = {
    name: 'probe',
    onInit(_p, flow: FlowView, is_orig) { calls.push(`init ${flow.orig_p} ${is_orig}`); return { n: 0 }; },
    onPacket(_p, _flow, is_orig, s) { s.n++; calls.push(`pkt ${is_orig} ${s.n}`); return s.n < 2; },
    onExpire(flow, s) { calls.push(`expire ${s.n}`); flow.service = 'probe'; },
  };
  const { t, out } = table({}, [hook as FlowHook<unknown>]);
  t.packet(hand({ dir: 'o', flags: 'S', seq: 1, t: 0 }));
  t.packet(hand({ dir: 'o', flags: 'PA', seq: 2, ack: 1, len: 10, t: 0.1 }));
  t.packet(hand({ dir: 'r', flags: 'PA', seq: 1, ack: 12, len: 10, t: 0.2 }));
  t.packet(hand({ dir: 'o', flags: 'PA', seq: 12, ack: 11, len: 10, t: 0.3 }));
  t.flush();
  assert.deepEqual(calls, ['init 40000 true', 'pkt true 1', 'pkt false 2', 'expire 2']);
  assert.equal(out[0]!.service, 'probe');
});

test('originator payload bursts: a pause over 1 s starts a new burst', () => {
  const { t, out } = table();
  for (const s of [0, 0.5, 3, 3.2, 10]) t.packet(hand(udp('o', s, { len: 100 })));
  t.flush();
  assert.deepEqual(out[0]!.orig_burst_bytes, [200, 200, 100]);
  assert.deepEqual(out[0]!.orig_bursts, [T0, T0 + 3, T0 + 10]);
});

test('at most 256 bursts are kept: the first 256', () => {
  const { t, out } = table({ udp_idle_s: 1000, active_timeout_s: 0 });
  for (let i = 0; i < 300; i++) t.packet(hand(udp('o', i * 2, { len: 10 })));
  t.flush();
  assert.equal(out[0]!.orig_bursts.length, 256);
  assert.equal(out[0]!.orig_bursts[255], T0 + 510);
  assert.ok(out[0]!.orig_burst_bytes.every((b) => b === 10));
});

test('packets without IP are counted, not turned into flows', () => {
  const { t, out } = table();
  const p = hand(udp('o', 0));
  p.ip_version = 0;
  t.packet(p);
  t.flush();
  assert.equal(out.length, 0);
  assert.equal(t.stats.non_ip, 1);
});
