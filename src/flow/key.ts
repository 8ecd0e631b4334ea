/**
 * The numeric flow key, built for every packet without allocating: addresses are read straight from the packet's
 * chunk (4 or 16 bytes at p.src_ip_off / p.dst_ip_off) into a reused Uint32Array, the two endpoints are put in a
 * canonical order (lower address, then lower port, first) so both directions give the same key and hash, and the
 * table compares stored key words, never strings.
 *
 * VLAN ids are not part of the key: Zeek ignores them by default (its `ConnKey` is the 5-tuple only), and a trunk
 * capture that shows one flow on two VLANs would otherwise split it. Tunnels: the key is the innermost 5-tuple.
 */
import type { Packet } from '../decode/layer.js';
import { IpProto } from '../decode/layer.js';
import { icmpCounterpart } from './community_id.js';

/** Words per stored key: meta, ports, 4 address words of endpoint A, 4 of endpoint B. */
export const KEY_WORDS = 10;

/**
 * The key of the current packet. `w` holds [meta, ports, a0..a3, b0..b3] where A is the canonical first endpoint;
 * meta = ip_version << 8 | ip_proto (| 1 << 16 for one-way ICMP, which Zeek keys by direction).
 */
export class FlowKey {
  readonly w = new Uint32Array(KEY_WORDS);
  hash = 0;
  /** True when the packet's source is endpoint B (the packet runs B → A). */
  src_is_b = false;
  /** Ports (or ICMP type / counterpart-or-code) as the packet carries them, source first. */
  sport = 0;
  dport = 0;
}

/** Zeek-style port equivalents for ICMP: sport = type, dport = the counterpart type, or the code when one-way. */
function icmpPorts(k: FlowKey, p: Packet): boolean {
  const peer = icmpCounterpart(p.ip_proto, p.src_port);
  k.sport = p.src_port;
  if (peer < 0) { k.dport = p.dst_port; return true; }
  k.dport = peer;
  return false;
}

/**
 * Fills `k` from an IP packet (`noPorts`: a later fragment). The caller has checked p.ip_version !== 0; offsets are inside the record because
 * the decoder only sets them after its own bounds check.
 */
export function buildKey(k: FlowKey, p: Packet, noPorts: boolean): void {
  const w = k.w;
  const v = p.view;
  const proto = p.ip_proto;
  let oneWay = false;
  // A later fragment has no transport header: its (unmapped) flow is keyed without ports.
  if (noPorts) { k.sport = 0; k.dport = 0; }
  else if (proto === IpProto.Icmp || proto === IpProto.Icmp6) oneWay = icmpPorts(k, p);
  else if (proto === IpProto.Tcp || proto === IpProto.Udp) { k.sport = p.src_port; k.dport = p.dst_port; }
  else if (proto === IpProto.Sctp) {
    // The decoder keys SCTP on addresses only, but Community ID (and Zeek's conn key) include its ports:
    // the common header starts with them (RFC 9260 §3.1), at p.off where decoding stopped.
    if (p.src_port === 0 && p.dst_port === 0 && p.end - p.off >= 4) { k.sport = v.getUint16(p.off); k.dport = v.getUint16(p.off + 2); }
    else { k.sport = p.src_port; k.dport = p.dst_port; }
  }
  else { k.sport = 0; k.dport = 0; }
  const sp = k.sport, dp = k.dport;
  let s0: number, s1 = 0, s2 = 0, s3 = 0, d0: number, d1 = 0, d2 = 0, d3 = 0;
  const so = p.src_ip_off, d = p.dst_ip_off;
  if (p.ip_version === 4) {
    s0 = v.getUint32(so); d0 = v.getUint32(d);
  } else {
    s0 = v.getUint32(so); s1 = v.getUint32(so + 4); s2 = v.getUint32(so + 8); s3 = v.getUint32(so + 12);
    d0 = v.getUint32(d); d1 = v.getUint32(d + 4); d2 = v.getUint32(d + 8); d3 = v.getUint32(d + 12);
  }
  // Canonical order: (src addr, sport) < (dst addr, dport) keeps the packet's order. One-way ICMP keeps it always.
  let srcFirst: boolean;
  if (oneWay) srcFirst = true;
  else if (s0 !== d0) srcFirst = s0 < d0;
  else if (s1 !== d1) srcFirst = s1 < d1;
  else if (s2 !== d2) srcFirst = s2 < d2;
  else if (s3 !== d3) srcFirst = s3 < d3;
  else srcFirst = sp <= dp;
  const meta = (p.ip_version << 8) | proto | (oneWay ? 0x10000 : 0);
  w[0] = meta;
  let h: number;
  if (srcFirst) {
    w[1] = (sp << 16) | dp;
    w[2] = s0; w[3] = s1; w[4] = s2; w[5] = s3; w[6] = d0; w[7] = d1; w[8] = d2; w[9] = d3;
    k.src_is_b = false;
  } else {
    w[1] = (dp << 16) | sp;
    w[2] = d0; w[3] = d1; w[4] = d2; w[5] = d3; w[6] = s0; w[7] = s1; w[8] = s2; w[9] = s3;
    k.src_is_b = true;
  }
  // Multiply-xorshift mix over the canonical words (murmur3's fmix constants): cheap, no strings, spreads v4 /24s.
  h = Math.imul(meta ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ w[1]!, 0xcc9e2d51); h ^= h >>> 15;
  h = Math.imul(h ^ w[2]!, 0x85ebca6b); h ^= h >>> 13;
  h = Math.imul(h ^ w[6]!, 0xc2b2ae35); h ^= h >>> 16;
  if (p.ip_version === 6) {
    h = Math.imul(h ^ w[3]! ^ w[7]!, 0x85ebca6b); h ^= h >>> 13;
    h = Math.imul(h ^ w[4]! ^ w[8]!, 0xcc9e2d51); h ^= h >>> 15;
    h = Math.imul(h ^ w[5]! ^ w[9]!, 0xc2b2ae35); h ^= h >>> 16;
  }
  k.hash = h >>> 0;
}

/** Dotted quad, or RFC 5952 text (lower case, longest zero run of ≥2 groups compressed) as Zeek prints addresses. */
/** Scratch for a dotted quad: written as ASCII, read out as one flat string (a template literal made 7 pieces). */
const DOTTED = Buffer.alloc(15);

function dotted(buf: Buffer, off: number): string {
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const b = buf[off + i] ?? 0;
    if (i > 0) DOTTED[n++] = 0x2e;
    if (b >= 100) DOTTED[n++] = 0x30 + ((b / 100) | 0);
    if (b >= 10) DOTTED[n++] = 0x30 + (((b / 10) | 0) % 10);
    DOTTED[n++] = 0x30 + (b % 10);
  }
  return DOTTED.toString('latin1', 0, n);
}

export function addrToString(buf: Buffer, off: number, version: 4 | 6): string {
  if (version === 4) return dotted(buf, off);
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(((buf[off + 2 * i] ?? 0) << 8) | (buf[off + 2 * i + 1] ?? 0));
  // IPv4-mapped (::ffff:a.b.c.d) is printed with a dotted tail, as inet_ntop does.
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${buf[off + 12] ?? 0}.${buf[off + 13] ?? 0}.${buf[off + 14] ?? 0}.${buf[off + 15] ?? 0}`;
  }
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number, b: number): string => g.slice(a, b).map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}
