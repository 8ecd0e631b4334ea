/**
 * ARCNET, LINKTYPE_ARCNET_BSD (7) and LINKTYPE_ARCNET_LINUX (129), as tcpdump's print-arcnet.c reads them:
 *   BSD:   src(1) dst(1) type(1)            3 bytes; RFC 1201 types add flag(1) seqid(2): 6; an exception packet
 *                                           (flag 0xff) then repeats type, flag and seqid: 10
 *   Linux: src(1) dst(1) offset(2) type(1)  5 bytes; RFC 1201 types add flag(1) seqid(2): 8 (Linux hands over
 *                                           reassembled packets, never exception frames)
 * The RFC 1051 types (0xf0 IP, 0xf1 ARP) and diagnostics (0x80) have no flag or seqid. On BSD, an even non-zero
 * split flag marks a later fragment of a split packet (RFC 1201 §3: the first has an odd flag), which carries no
 * inner header: nad does not reassemble ARCNET fragments and counts those as unsupported, as tcpdump prints them raw.
 */
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

const IP = 0xd4; // RFC 1201
const ARP = 0xd5; // RFC 1201
const INET6 = 0xc4;
const IP_OLD = 0xf0; // RFC 1051
const ARP_OLD = 0xf1; // RFC 1051
const DIAGNOSE = 0x80;

/** `unsupported` detail of a later fragment (above any protocol type byte). */
export const ARCNET_FRAGMENT = 0x100;

export function decodeArcnetBsd(p: Packet): Layer {
  const o = p.off;
  const avail = p.payload_end - o;
  if (avail < 3) return truncated(p, Layer.Arcnet);
  const type = p.view.getUint8(o + 2);
  if (!hasPhds(type)) return inner(p, o + 3, type);
  if (avail < 6) return truncated(p, Layer.Arcnet);
  let flag = p.view.getUint8(o + 3);
  let size = 6;
  if (flag === 0xff) {
    if (avail < 10) return truncated(p, Layer.Arcnet);
    flag = p.view.getUint8(o + 7);
    size = 10;
  }
  if (flag !== 0 && (flag & 1) === 0) return unsupported(p, Layer.Arcnet, ARCNET_FRAGMENT);
  return inner(p, o + size, type);
}

export function decodeArcnetLinux(p: Packet): Layer {
  const o = p.off;
  const avail = p.payload_end - o;
  if (avail < 5) return truncated(p, Layer.ArcnetLinux);
  const type = p.view.getUint8(o + 4);
  if (!hasPhds(type)) return inner(p, o + 5, type, Layer.ArcnetLinux);
  if (avail < 8) return truncated(p, Layer.ArcnetLinux);
  return inner(p, o + 8, type, Layer.ArcnetLinux);
}

/** RFC 1201 types carry the split flag and sequence id; RFC 1051 types and diagnostics do not. */
function hasPhds(type: number): boolean {
  return type !== IP_OLD && type !== ARP_OLD && type !== DIAGNOSE;
}

function inner(p: Packet, off: number, type: number, from: Layer = Layer.Arcnet): Layer {
  switch (type) {
    case IP:
    case IP_OLD:
      p.off = off;
      return Layer.Ipv4;
    case INET6:
      p.off = off;
      return Layer.Ipv6;
    case ARP:
    case ARP_OLD:
      p.off = off;
      return Layer.Arp;
    default:
      return unsupported(p, from, type);
  }
}
