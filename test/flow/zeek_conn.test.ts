// conn_state, history, per-direction packets/IP bytes, orig/resp bytes, missed_bytes and duration against Zeek's own
// expected conn.log for every row of the captures in ../shared/captures/zeek-conn (btest baselines of zeek/zeek
// a13de64; README there: rows matched on (proto, id.orig_h, id.orig_p, id.resp_h, id.resp_p), repeated tuples paired
// in order of connection start; ts, uid, service, tunnel_parents not compared). Every difference is listed in KNOWN
// with its reason; the test fails when a listed difference disappears too, so the list stays true.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ConnRecord } from '../../src/flow/conn.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';
import { runCapture } from './run.js';
import { readZeekLog, type ZeekRow } from './zeek_log.js';

const DIR = join(CAPTURES, 'zeek-conn');

const CHECKSUMS = 'Zeek validated checksums here (no -C): bad-checksum packets only add C/c and are not counted; nad does not validate checksums (it runs as Zeek -C does)';
const NO_DECAP = 'inner flows of a tunnel nad does not decapsulate';
const OUTER = 'Zeek also logs the outer tunnel connection; nad writes the inner flow with the tunnel named in its `tunnel` column';

/** Differences from Zeek, by log: `DIFF <tuple>`, `MISSING <tuple>` (Zeek row nad lacks), `EXTRA <tuple>` (nad row Zeek lacks). */
const KNOWN: Record<string, Record<string, string>> = {
  'dns-corrupt.conn-cut.log': { 'DIFF -': CHECKSUMS },
  'syn-bad.conn-cut.log': { 'DIFF -': CHECKSUMS },
  'localhost-bad-chksum.conn.log': {
    'DIFF tcp 192.168.1.28 53246 35.221.46.9 80': CHECKSUMS,
    'MISSING tcp 35.221.46.9 80 192.168.1.28 53246': CHECKSUMS,
  },
  'misordered-ntp.conn.log': {
    'MISSING udp 192.168.1.95 123 17.253.4.253 123': "Zeek's NTP analyzer flips the roles after reading the NTP mode (history D^); nad has no NTP logic and keeps the first sender as originator",
    'EXTRA udp 17.253.4.253 123 192.168.1.95 123': 'the same connection, unflipped (see the MISSING row)',
  },
  'pppoe-over-qinq.conn.log': {
    'DIFF tcp 1.1.1.1 20394 2.2.2.2 443': 'three responder ACKs claim IP total length 46 inside a PPPoE payload length of 42 (tshark: "Possible bad payload length"); Zeek takes 6 payload bytes from the IP header, so one of them is its 10th responder retransmission and the second `t` comes before `Ff` (ShADdtaTTtFf); nad\'s decoder trusts the PPPoE length and sees a pure ACK, so the 10th comes with the FIN retransmissions (ShADdtaTTFft)',
  },
  'gtp2_different_udp_port.conn.log': {
    'MISSING tcp 10.131.17.170 51803 173.199.115.168 80': `${NO_DECAP} (GTP-U)`,
    'DIFF udp 207.233.125.40 2152 167.55.105.244 2152': 'the outer GTP-U flow: Zeek moves the decapsulated packets to the inner connection, nad counts them on the outer UDP flow',
  },
  'Teredo.conn.log': {
    'MISSING udp 192.168.2.16 3797 65.55.158.80 3544': OUTER,
    'MISSING udp 192.168.2.16 3797 65.55.158.81 3544': OUTER,
    'DIFF icmp 2001:0:4137:9e50:8000:f12a:b9c8:2815 128 2001:4860:0:2001::68 129': 'the echo reply arrives over Teredo on a non-3544 port (83.170.1.38:32900), which Zeek detects from the bubble exchange and nad does not decapsulate (its packets stay on that outer UDP flow, whose counts do match)',
    'MISSING tcp 2001:0:4137:9e50:8000:f12a:b9c8:2815 1286 2001:4860:0:2001::68 80': 'carried over the non-3544 Teredo path (see the ICMP row)',
    'EXTRA other fe80::708d:fe83:4114:a512 0 2001:0:4137:9e50:8000:f12a:b9c8:2815 0': 'a Teredo bubble (IPv6 next header 59): Zeek logs only TCP/UDP/ICMP connections, nad writes flows of every IP protocol',
    'DIFF udp 192.168.2.16 1920 192.168.2.1 53': "Zeek's DNS analyzer ends a DNS connection after dns_session_timeout (10 s), giving two rows for this tuple; nad applies the UDP idle timeout (60 s) to all UDP",
    'MISSING udp 192.168.2.16 1920 192.168.2.1 53': 'the second of those two DNS rows',
  },
};

function tuple(proto: string, oh: string, op: string | number, rh: string, rp: string | number): string {
  return `${proto} ${oh} ${op} ${rh} ${rp}`;
}

/** Compares one Zeek row with nad's record; returns the differing columns. */
function compare(z: ZeekRow, c: ConnRecord): string[] {
  const diffs: string[] = [];
  const cv = c as unknown as Record<string, unknown>;
  for (const k of ['proto', 'conn_state', 'history', 'orig_pkts', 'resp_pkts', 'orig_ip_bytes', 'resp_ip_bytes', 'missed_bytes']) {
    const zv = z[k];
    if (zv === undefined) continue;
    const want = k === 'history' && zv === '-' ? '' : zv;
    if (want !== String(cv[k])) diffs.push(`${k}: zeek ${zv}, nad ${String(cv[k])}`);
  }
  // Zeek sets duration, orig_bytes and resp_bytes only when the duration is > 0 (set_conn in main.zeek): '-' then.
  if (z['duration'] !== undefined) {
    if (z['duration'] === '-') { if (c.duration !== 0) diffs.push(`duration: zeek -, nad ${c.duration}`); }
    else {
      if (Math.abs(Number(z['duration']) - c.duration) > 1e-6) diffs.push(`duration: zeek ${z['duration']}, nad ${c.duration}`);
      for (const k of ['orig_bytes', 'resp_bytes'] as const) if (z[k] !== undefined && z[k] !== String(c[k])) diffs.push(`${k}: zeek ${z[k]}, nad ${c[k]}`);
    }
  }
  return diffs;
}

/** Pairs Zeek rows with nad's records and lists every difference by key. */
function differences(zeek: ZeekRow[], ours: ConnRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<number>();
  // Repeated tuples: pair in order of connection start (conn.log is in removal order, nad's ts orders ours).
  const order = ours.map((_c, i) => i).sort((a, b) => Number(ours[a]!.ts) - Number(ours[b]!.ts));
  for (const z of zeek) {
    const hasTuple = z['id.orig_h'] !== undefined;
    const key = hasTuple ? tuple(z['proto'] ?? ours[0]?.proto ?? '', z['id.orig_h'] ?? '', z['id.orig_p'] ?? '', z['id.resp_h'] ?? '', z['id.resp_p'] ?? '') : '-';
    const matches = order.filter((i) => !used.has(i) && (!hasTuple || tuple(z['proto'] ?? ours[i]!.proto, ours[i]!.orig_h, ours[i]!.orig_p, ours[i]!.resp_h, ours[i]!.resp_p) === key));
    // Among repeated tuples prefer the one whose columns agree (removal order is not start order).
    const pick = matches.find((i) => compare(z, ours[i]!).length === 0) ?? matches[0];
    if (pick === undefined) { out.set(`MISSING ${key}`, `${z['conn_state'] ?? ''} ${z['history'] ?? ''}`); continue; }
    used.add(pick);
    const d = compare(z, ours[pick]!);
    if (d.length > 0) out.set(`DIFF ${key}`, d.join('; '));
  }
  ours.forEach((c, i) => { if (!used.has(i)) out.set(`EXTRA ${tuple(c.proto, c.orig_h, c.orig_p, c.resp_h, c.resp_p)}`, `${c.conn_state} ${c.history}`); });
  return out;
}

const LOGS = SKIP_NO_SHARED === false ? readdirSync(DIR).filter((f) => f.endsWith('.log')).sort() : [];

for (const log of LOGS) {
  const base = log.replace(/(\.ignore-nets)?\.conn(-cut)?\.log$/, '');
  const capture = readdirSync(DIR).find((f) => f === `${base}.pcap` || f === `${base}.pcapng`) ?? `${base}.pcap`;
  test(`zeek-conn ${log} (${capture})`, { skip: SKIP_NO_SHARED }, async () => {
    const zeek = readZeekLog(join(DIR, log));
    const { conns } = await runCapture(join(DIR, capture));
    const got = differences(zeek, conns);
    const known = KNOWN[log] ?? {};
    const unexpected = [...got].filter(([k]) => !(k in known)).map(([k, v]) => `${k}: ${v}`);
    const vanished = Object.keys(known).filter((k) => !got.has(k));
    assert.deepEqual(unexpected, [], `differences from Zeek not listed in KNOWN:\n${unexpected.join('\n')}`);
    assert.deepEqual(vanished, [], `KNOWN differences that no longer occur (remove them):\n${vanished.join('\n')}`);
  });
}

// conn_state-RST-behavior (zeek -b -C, prints `history, conn_state` per trace, in this order).
const RST_CASES = [
  { trace: 'single-rst.pcap', history: 'R', conn_state: 'OTH' },
  { trace: 'syn-then-rst.pcap', history: 'SR', conn_state: 'RSTOS0' },
  { trace: 'syn-then-ack-then-rst.pcap', history: 'SaR', conn_state: 'RSTOS0' },
  { trace: 'syn-then-stuff-then-rst.pcap', history: 'SaFR', conn_state: 'OTH' },
] as const;

test('conn_state-RST-behavior traces', { skip: SKIP_NO_SHARED }, async () => {
  for (const c of RST_CASES) {
    const { conns } = await runCapture(join(DIR, c.trace));
    assert.equal(conns.length, 1, c.trace);
    assert.deepEqual({ history: conns[0]!.history, conn_state: conns[0]!.conn_state }, { history: c.history, conn_state: c.conn_state }, c.trace);
  }
});
