// conn_state and history for hand-made TCP/UDP sequences. Expected values follow the conn_state table and the
// history letters documented in Zeek's base/protocols/conn/main.zeek (conn_state / history field comments) and the
// TCP endpoint states of Zeek's TCP analyzer; the RST cases mirror the btest conn_state-RST-behavior traces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnRecord } from '../../src/flow/conn.js';
import { FlowTable } from '../../src/flow/table.js';
import { hand, type Hand } from './packets.js';
import { NO_RECORDS } from './run.js';

function run(pkts: readonly Hand[]): ConnRecord[] {
  const out: ConnRecord[] = [];
  const table = new FlowTable({}, { conn: (c) => out.push(c) }, [], NO_RECORDS);
  for (const h of pkts) table.packet(hand(h));
  table.flush();
  return out;
}

// Client ISN 1000, server ISN 5000. `o` = client → server, `r` = server → client.
const SYN: Hand = { dir: 'o', flags: 'S', seq: 1000, t: 0 };
const SYNACK: Hand = { dir: 'r', flags: 'SA', seq: 5000, ack: 1001, t: 0.1 };
const ACK: Hand = { dir: 'o', flags: 'A', seq: 1001, ack: 5001, t: 0.2 };
const DATA: Hand = { dir: 'o', flags: 'PA', seq: 1001, ack: 5001, len: 100, t: 0.3 };
const RDATA: Hand = { dir: 'r', flags: 'PA', seq: 5001, ack: 1101, len: 200, t: 0.4 };
const FIN: Hand = { dir: 'o', flags: 'FA', seq: 1101, ack: 5201, t: 0.5 };
const RFIN: Hand = { dir: 'r', flags: 'FA', seq: 5201, ack: 1102, t: 0.6 };
const LASTACK: Hand = { dir: 'o', flags: 'A', seq: 1102, ack: 5202, t: 0.7 };

const CASES: { name: string; pkts: Hand[]; conn_state: string; history: string; orig_bytes?: number; resp_bytes?: number }[] = [
  { name: 'SYN only', pkts: [SYN], conn_state: 'S0', history: 'S' },
  { name: 'handshake, no close', pkts: [SYN, SYNACK, ACK], conn_state: 'S1', history: 'ShA' },
  { name: 'full exchange and close', pkts: [SYN, SYNACK, ACK, DATA, RDATA, FIN, RFIN, LASTACK], conn_state: 'SF', history: 'ShADdFf', orig_bytes: 100, resp_bytes: 200 },
  { name: 'rejected: SYN answered by RST', pkts: [SYN, { dir: 'r', flags: 'RA', seq: 0, ack: 1001, t: 0.1 }], conn_state: 'REJ', history: 'Sr' },
  { name: 'originator closes only', pkts: [SYN, SYNACK, ACK, { ...FIN, seq: 1001, ack: 5001 }], conn_state: 'S2', history: 'ShAF' },
  { name: 'responder closes only', pkts: [SYN, SYNACK, ACK, { ...RFIN, ack: 1001 }], conn_state: 'S3', history: 'ShAf' },
  { name: 'established, originator RST', pkts: [SYN, SYNACK, ACK, { dir: 'o', flags: 'R', seq: 1001, t: 0.5 }], conn_state: 'RSTO', history: 'ShAR' },
  { name: 'established, responder RST', pkts: [SYN, SYNACK, ACK, { dir: 'r', flags: 'R', seq: 5001, t: 0.5 }], conn_state: 'RSTR', history: 'ShAr' },
  { name: 'SYN then originator RST (syn-then-rst)', pkts: [SYN, { dir: 'o', flags: 'R', seq: 1001, t: 0.1 }], conn_state: 'RSTOS0', history: 'SR' },
  { name: 'SYN, bare responder ACK, RST (syn-then-ack-then-rst)', pkts: [SYN, { dir: 'r', flags: 'A', seq: 5000, ack: 1001, t: 0.1 }, { dir: 'o', flags: 'R', seq: 1001, t: 0.2 }], conn_state: 'RSTOS0', history: 'SaR' },
  { name: 'SYN, ack, FIN, RST (syn-then-stuff-then-rst): F breaks RSTOS0', pkts: [SYN, { dir: 'r', flags: 'A', seq: 5000, ack: 1001, t: 0.1 }, { dir: 'o', flags: 'F', seq: 1001, t: 0.2 }, { dir: 'o', flags: 'R', seq: 1002, t: 0.3 }], conn_state: 'OTH', history: 'SaFR' },
  { name: 'lone RST (single-rst)', pkts: [{ dir: 'o', flags: 'R', seq: 1000, t: 0 }], conn_state: 'OTH', history: 'R' },
  { name: 'SYN then FIN, no answer', pkts: [SYN, { dir: 'o', flags: 'F', seq: 1001, t: 0.1 }], conn_state: 'SH', history: 'SF' },
  { name: 'SYN-ACK seen first: roles flipped', pkts: [SYNACK], conn_state: 'OTH', history: '^h' },
  { name: 'SYN-ACK first, then responder FIN only', pkts: [SYNACK, { dir: 'r', flags: 'FA', seq: 5001, ack: 1001, t: 0.2 }], conn_state: 'SHR', history: '^hf' },
  { name: 'SYN missed: SYN-ACK, ACK, data (missing-syn)', pkts: [SYNACK, ACK, DATA], conn_state: 'S1', history: '^hAD' },
  { name: 'mid-stream data, responder RST', pkts: [DATA, { dir: 'r', flags: 'R', seq: 5001, t: 0.5 }], conn_state: 'RSTRH', history: 'Dr' },
  { name: 'mid-stream data both ways', pkts: [DATA, RDATA], conn_state: 'OTH', history: 'Dd' },
  { name: 'retransmitted SYN (same seq) adds no letter', pkts: [SYN, { ...SYN, t: 1 }], conn_state: 'S0', history: 'S' },
  { name: 'new SYN seq repeats S', pkts: [SYN, { ...SYN, seq: 1000, t: 1 }, { ...SYN, flags: 'S', seq: 1000, t: 2 }], conn_state: 'S0', history: 'S' },
];

test('TCP conn_state and history transitions (table)', () => {
  for (const c of CASES) {
    const out = run(c.pkts);
    assert.equal(out.length, 1, `${c.name}: one flow`);
    const r = out[0]!;
    assert.deepEqual({ conn_state: r.conn_state, history: r.history }, { conn_state: c.conn_state, history: c.history }, c.name);
    if (c.orig_bytes !== undefined) assert.equal(r.orig_bytes, c.orig_bytes, `${c.name}: orig_bytes`);
    if (c.resp_bytes !== undefined) assert.equal(r.resp_bytes, c.resp_bytes, `${c.name}: resp_bytes`);
  }
});

test('retransmissions are logarithmic: T at the 1st and 10th, t for the responder', () => {
  const pkts: Hand[] = [SYN, SYNACK, ACK, DATA];
  // 10 retransmissions of DATA: letters at the 1st and the 10th (1 + 10 = 2 letters), none at the 11th.
  for (let i = 0; i < 11; i++) pkts.push({ ...DATA, t: 1 + i });
  pkts.push(RDATA, { ...RDATA, t: 20 });
  const [r] = run(pkts);
  assert.equal(r!.history, 'ShADTTdt');
});

test('a new SYN with another ISN after a reject starts a new connection (pop3 REJ ×3)', () => {
  const rst: Hand = { dir: 'r', flags: 'RA', seq: 0, ack: 1001, t: 0.1 };
  const out = run([SYN, rst, { ...SYN, seq: 7000, t: 0.5 }, { ...rst, ack: 7001, t: 0.6 }]);
  assert.deepEqual(out.map((c) => [c.conn_state, c.history, c.orig_pkts, c.resp_pkts]), [['REJ', 'Sr', 1, 1], ['REJ', 'Sr', 1, 1]]);
});

test('an unanswered SYN is given up after tcp_attempt_delay (5 s): later packets open a new connection', () => {
  const out = run([SYN, ACK, { ...DATA, t: 3 }, { ...FIN, t: 5.5 }]);
  assert.deepEqual(out.map((c) => [c.conn_state, c.history]), [['S0', 'SAD'], ['SH', 'F']]);
});

test('UDP: S0 one way, SF both ways, SHR flipped from a server port', () => {
  const q: Hand = { dir: 'o', proto: 17, sport: 33333, dport: 53, len: 30, t: 0 };
  assert.deepEqual(run([q]).map((c) => [c.conn_state, c.history]), [['S0', 'D']]);
  assert.deepEqual(run([q, { ...q, dir: 'r', t: 0.01 }]).map((c) => [c.conn_state, c.history, c.orig_bytes, c.resp_bytes]), [['SF', 'Dd', 30, 30]]);
  // A lone answer from port 53: Zeek flips (53 is a likely server port, 33333 is not) → ^d, SHR.
  assert.deepEqual(run([{ ...q, dir: 'r' }]).map((c) => [c.conn_state, c.history, c.orig_h, c.orig_p]), [['SHR', '^d', '10.0.0.1', 33333]]);
});
