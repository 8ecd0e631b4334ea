/**
 * ARP who-has requests per sender, for ARP sweep detection (ARP never becomes an IP flow, so the flow table cannot
 * see it). Feed every decoded packet to `packet(p)`; it is called per packet, so it keeps numbers, not strings, and
 * allocates only when a sender or target is new. Gratuitous ARP (sender = target) and probes from 0.0.0.0 are skipped.
 *
 * Wiring (the capture sink): `const arp = createArpTally();` … `decodePacket(p); arp.packet(p);` … then
 * `detect({ …, arp: arp.sweeps() })`.
 */
import type { Packet } from '../decode/layer.js';

export interface ArpSweep {
  /** Sender protocol address of the requests. */
  src: string;
  /** Distinct addresses asked for. */
  targets: number;
  requests: number;
  /** Epoch seconds of the first and last request. */
  first_ts: number;
  last_ts: number;
}

interface Sender { targets: Set<number>; requests: number; first: number; last: number }

export interface ArpTally {
  packet(p: Packet): void;
  /** Senders sorted by address text. */
  sweeps(): ArpSweep[];
}

function ipv4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export function createArpTally(): ArpTally {
  const senders = new Map<number, Sender>();
  return {
    packet(p: Packet): void {
      // RFC 826 operation 1 = request; the offsets are 0 unless Ethernet/IPv4 ARP was decoded.
      if (p.arp_op !== 1 || p.arp_spa_off === 0 || p.arp_tpa_off + 4 > p.end) return;
      const spa = p.view.getUint32(p.arp_spa_off);
      const tpa = p.view.getUint32(p.arp_tpa_off);
      if (spa === 0 || spa === tpa) return;
      const t = p.ts_sec + p.ts_nsec / 1e9;
      let s = senders.get(spa);
      if (s === undefined) {
        s = { targets: new Set(), requests: 0, first: t, last: t };
        senders.set(spa, s);
      }
      s.targets.add(tpa);
      s.requests++;
      if (t < s.first) s.first = t;
      if (t > s.last) s.last = t;
    },
    sweeps(): ArpSweep[] {
      return [...senders.entries()]
        .map(([spa, s]) => ({ src: ipv4Text(spa), targets: s.targets.size, requests: s.requests, first_ts: s.first, last_ts: s.last }))
        .sort((a, b) => (a.src < b.src ? -1 : a.src > b.src ? 1 : 0));
    },
  };
}
