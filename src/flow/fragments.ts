/**
 * Later IPv4/IPv6 fragments carry no ports. The first fragment's flow is remembered here under
 * (src, dst, id, proto) so later fragments count to that flow. A small fixed table: a colliding entry is simply
 * overwritten, entries older than FRAG_TTL_MS are ignored, so memory is bounded whatever the input.
 */
import type { Packet } from '../decode/layer.js';
import type { Flow } from './flow.js';

const SIZE = 4096; // power of two
/** Fragments of one datagram arrive within this many ms of table time (Linux ipfrag_time is 30 s). */
export const FRAG_TTL_MS = 30000;

export class FragmentMap {
  private readonly src = new Uint32Array(SIZE);
  private readonly dst = new Uint32Array(SIZE);
  private readonly ident = new Uint32Array(SIZE);
  private readonly proto = new Uint8Array(SIZE);
  private readonly orig = new Uint8Array(SIZE);
  private readonly ts = new Float64Array(SIZE);
  private readonly flows: (Flow | null)[] = new Array<Flow | null>(SIZE).fill(null);
  /** Direction of the last hit (set by lookup). */
  is_orig = false;

  private slot(s: number, d: number, id: number, proto: number): number {
    let h = Math.imul(s ^ 0x9e3779b9, 0x85ebca6b) ^ d;
    h = Math.imul(h ^ (h >>> 15), 0xcc9e2d51) ^ id ^ (proto << 24);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return (h ^ (h >>> 16)) & (SIZE - 1);
  }

  /** Addresses are folded to one word each (IPv6: xor of the four); id and proto disambiguate further. */
  private static word(p: Packet, off: number): number {
    const v = p.view;
    if (p.ip_version === 4) return v.getUint32(off);
    return (v.getUint32(off) ^ v.getUint32(off + 4) ^ v.getUint32(off + 8) ^ v.getUint32(off + 12)) >>> 0;
  }

  /** First fragment (offset 0, more fragments set) of a datagram of flow f. */
  add(p: Packet, f: Flow, is_orig: boolean, now: number): void {
    const s = FragmentMap.word(p, p.src_ip_off), d = FragmentMap.word(p, p.dst_ip_off);
    const i = this.slot(s, d, p.frag_id, p.ip_proto);
    this.src[i] = s; this.dst[i] = d; this.ident[i] = p.frag_id; this.proto[i] = p.ip_proto;
    this.orig[i] = is_orig ? 1 : 0; this.ts[i] = now; this.flows[i] = f;
  }

  /** The flow of a later fragment, or null (then it forms a port-less flow of its own). */
  lookup(p: Packet, now: number): Flow | null {
    const s = FragmentMap.word(p, p.src_ip_off), d = FragmentMap.word(p, p.dst_ip_off);
    const i = this.slot(s, d, p.frag_id, p.ip_proto);
    const f = this.flows[i];
    if (f === null || f === undefined || f.id < 0) return null;
    if (this.src[i] !== s || this.dst[i] !== d || this.ident[i] !== p.frag_id >>> 0 || this.proto[i] !== p.ip_proto) return null;
    if (now - (this.ts[i] ?? 0) > FRAG_TTL_MS) return null;
    this.is_orig = this.orig[i] === 1;
    return f;
  }
}
