/**
 * Which flows of a shard touch its edges, and their packets.
 *
 * A flow of the whole capture can be cut by a shard boundary in two ways: it is still open when the shard ends, or
 * it continues a flow of the previous shard. The first kind is known from end_reason `end`. The second cannot be
 * told from inside the shard, but it can only begin within one idle timeout of the shard's first packet (later, the
 * previous shard's flow would have expired), so every flow of a 5-tuple first seen in that window is an edge flow,
 * with all later flows of the same 5-tuple (their split points depend on the first one).
 *
 * The shard keeps every packet of its edge flows (edge-<linktype>.pcap); `nad merge` reads the edge packets of all
 * shards in time order through the same flow table and hooks, which rebuilds those flows exactly as one run over the
 * whole capture would (history, conn_state, uids, app records). All other flows are final inside their shard.
 */
import { readCaptures } from '../capture/index.js';
import type { PacketSink } from '../capture/types.js';
import { compareTs } from '../capture/time.js';
import type { Packet } from '../decode/layer.js';
import { IpProto } from '../decode/layer.js';
import { decodePacket } from '../decode/packet.js';
import { icmpCounterpart } from '../flow/community_id.js';
import type { ConnRecord } from '../flow/conn.js';
import { buildKey, FlowKey, KEY_WORDS } from '../flow/key.js';
import { ArpPairs, type ArpPairRow } from './arp_pairs.js';
import { EdgePcapWriter } from './pcap_writer.js';

/** Seconds and nanoseconds of a `sec.nnnnnnnnn` timestamp string. */
export function splitTs(ts: string): [number, number] {
  const dot = ts.indexOf('.');
  if (dot < 0) return [Number(ts), 0];
  return [Number(ts.slice(0, dot)), Number(ts.slice(dot + 1).padEnd(9, '0').slice(0, 9))];
}

/** Address text (dotted quad, RFC 5952 IPv6 with an optional dotted tail) as 4 big-endian words, as the key holds it. */
export function addrWords(h: string): [number, number, number, number] {
  if (!h.includes(':')) {
    const b = h.split('.').map(Number);
    return [(((b[0] ?? 0) << 24) | ((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0)) >>> 0, 0, 0, 0];
  }
  let text = h;
  const groups: number[] = [];
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) text = `${text.slice(0, tail.index)}${((Number(tail[1]) << 8) | Number(tail[2])).toString(16)}:${((Number(tail[3]) << 8) | Number(tail[4])).toString(16)}`;
  const [head = '', rest] = text.split('::');
  const hs = head === '' ? [] : head.split(':');
  const rs = rest === undefined || rest === '' ? [] : rest.split(':');
  for (const x of hs) groups.push(parseInt(x, 16));
  if (rest !== undefined) for (let i = hs.length + rs.length; i < 8; i++) groups.push(0);
  for (const x of rs) groups.push(parseInt(x, 16));
  const w = (i: number): number => ((((groups[2 * i] ?? 0) << 16) | (groups[2 * i + 1] ?? 0)) >>> 0);
  return [w(0), w(1), w(2), w(3)];
}

/** The flow key words (key.ts layout: meta, ports, endpoint A, endpoint B) of a conn record. */
export function connKeyWords(c: Pick<ConnRecord, 'orig_h' | 'orig_p' | 'resp_h' | 'resp_p' | 'ip_proto'>): Uint32Array {
  const v = c.orig_h.includes(':') ? 6 : 4;
  const icmp = c.ip_proto === IpProto.Icmp || c.ip_proto === IpProto.Icmp6;
  const oneWay = icmp && icmpCounterpart(c.ip_proto, c.orig_p) < 0;
  const a = addrWords(c.orig_h), b = addrWords(c.resp_h);
  let origFirst = true;
  if (!oneWay) {
    const i = a.findIndex((x, j) => x !== b[j]);
    origFirst = i >= 0 ? a[i]! < b[i]! : c.orig_p <= c.resp_p;
  }
  const w = new Uint32Array(KEY_WORDS);
  w[0] = (v << 8) | c.ip_proto | (oneWay ? 0x10000 : 0);
  const [pa, pb, ea, eb] = origFirst ? [c.orig_p, c.resp_p, a, b] : [c.resp_p, c.orig_p, b, a];
  w[1] = (pa << 16) | pb;
  w.set(ea, 2);
  w.set(eb, 6);
  return w;
}

/** A cheap hash of key words: the hot-path filter before any string is made. */
function wordsHash(w: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < KEY_WORDS; i++) h = Math.imul(h ^ w[i]!, 0x01000193) ^ (h >>> 15);
  return h >>> 0;
}

function wordsString(w: Uint32Array): string {
  return Array.from(w).join(',');
}

export interface EdgeSelection {
  /** uids of the edge flows. */
  uids: Set<string>;
  /** Per key: packets at or after this time belong to edge flows ([-Infinity, 0] for every packet of the key). */
  from: Map<string, [number, number]>;
}

/** Edge flows of a shard whose first IP packet is at `first` and whose idle timeouts are at most `window_s`. */
export function selectEdges(conns: readonly ConnRecord[], first: [number, number], window_s: number): EdgeSelection {
  const uids = new Set<string>();
  const from = new Map<string, [number, number]>();
  const limitSec = first[0] + window_s;
  const keyOf = new Map<ConnRecord, string>();
  for (const c of conns) {
    const [sec, nsec] = splitTs(c.ts);
    const key = wordsString(connKeyWords(c));
    keyOf.set(c, key);
    if (compareTs(sec, nsec, limitSec, first[1]) <= 0) from.set(key, [-Infinity, 0]);
  }
  for (const c of conns) {
    const key = keyOf.get(c)!;
    const f = from.get(key);
    if (f !== undefined && f[0] === -Infinity) { uids.add(c.uid); continue; }
    if (c.end_reason !== 'end') continue;
    uids.add(c.uid);
    const [sec, nsec] = splitTs(c.ts);
    if (f === undefined || compareTs(sec, nsec, f[0], f[1]) < 0) from.set(key, [sec, nsec]);
  }
  return { uids, from };
}

/** Time bounds of the IP packets of a shard and what the edge pass wrote. */
export interface EdgePassResult {
  files: { file: string; linktype: number; packets: number }[];
  last_ip: [number, number] | null;
  arp: ArpPairRow[];
}

/** Second pass over the shard's inputs: writes the packets of the selected keys into dir/edge-<linktype>.pcap, and tallies ARP requests by pair. */
export async function writeEdgePackets(paths: readonly string[], sel: EdgeSelection, dir: string): Promise<EdgePassResult> {
  const hashes = new Set<number>();
  for (const key of sel.from.keys()) hashes.add(wordsHash(Uint32Array.from(key.split(',').map(Number))));
  const writer = new EdgePcapWriter(dir);
  const k = new FlowKey();
  const last: [number, number] = [-Infinity, 0];
  const arp = new ArpPairs();
  const sink: PacketSink = {
    packet(p: Packet): void {
      decodePacket(p);
      if (p.ip_version === 0) { arp.packet(p); return; }
      if (compareTs(p.ts_sec, p.ts_nsec, last[0], last[1]) > 0) { last[0] = p.ts_sec; last[1] = p.ts_nsec; }
      buildKey(k, p, p.frag_off > 0);
      if (!hashes.has(wordsHash(k.w))) return;
      const from = sel.from.get(wordsString(k.w));
      if (from === undefined || compareTs(p.ts_sec, p.ts_nsec, from[0], from[1]) < 0) return;
      writer.write(p.linktype, p.buf, p.start, p.end, p.ts_sec, p.ts_nsec, p.wirelen);
    },
  };
  try {
    await readCaptures(paths, sink);
  } catch (err) {
    writer.abort();
    throw err;
  }
  return { files: writer.close(), last_ip: last[0] === -Infinity ? null : last, arp: arp.rows() };
}
