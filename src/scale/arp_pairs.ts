/**
 * ARP who-has requests per (sender, target) pair, the shard form of features/arp.ts: distinct targets per sender
 * cannot be added up across shards, pairs can (arp.parquet; merge runs COUNT(DISTINCT target) per sender).
 * Same filter as features/arp.ts: requests only (RFC 826 op 1), no gratuitous ARP, no probes from 0.0.0.0.
 */
import type { Packet } from '../decode/layer.js';
import type { TableColumn } from './schema.js';

export interface ArpPairRow {
  /** Sender protocol address. */
  src: string;
  /** Address asked for. */
  target: string;
  requests: number;
  /** Epoch seconds (double) of the first and last request of the pair. */
  first_ts: number;
  last_ts: number;
}

export const ARP_TABLE: readonly TableColumn[] = [
  { name: 'src', type: 'STRING' }, { name: 'target', type: 'STRING' }, { name: 'requests', type: 'INT64' },
  { name: 'first_ts', type: 'DOUBLE' }, { name: 'last_ts', type: 'DOUBLE' },
];

function ipv4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export class ArpPairs {
  /** Key: sender * 2^32 + target (exact in a double). */
  private readonly pairs = new Map<number, { requests: number; first: number; last: number }>();

  packet(p: Packet): void {
    if (p.arp_op !== 1 || p.arp_spa_off === 0 || p.arp_tpa_off + 4 > p.end) return;
    const spa = p.view.getUint32(p.arp_spa_off);
    const tpa = p.view.getUint32(p.arp_tpa_off);
    if (spa === 0 || spa === tpa) return;
    const t = p.ts_sec + p.ts_nsec / 1e9;
    const key = spa * 4294967296 + tpa;
    const s = this.pairs.get(key);
    if (s === undefined) { this.pairs.set(key, { requests: 1, first: t, last: t }); return; }
    s.requests++;
    if (t < s.first) s.first = t;
    if (t > s.last) s.last = t;
  }

  rows(): ArpPairRow[] {
    return [...this.pairs.entries()].map(([key, s]) => ({
      src: ipv4Text(Math.floor(key / 4294967296)), target: ipv4Text(key % 4294967296), requests: s.requests, first_ts: s.first, last_ts: s.last,
    }));
  }
}
