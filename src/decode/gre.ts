/** GRE (RFC 2784/2890, RFC 1701 routing) and PPTP's enhanced GRE (RFC 2637 §4.1). */
import { etherTypeLayer } from './ethertype.js';
import { malformed, truncated } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

const C = 0x8000; // checksum present
const R = 0x4000; // routing present (RFC 1701)
const K = 0x2000; // key present
const S = 0x1000; // sequence number present
const A = 0x0080; // acknowledgment present (version 1)

/** flags/version(2) protocol(2) [checksum(2) offset(2)] [key(4)] [seq(4)] [ack(4)] [routing…]. */
export function decodeGre(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  const end = p.payload_end;
  if (end - o < 4) return truncated(p, Layer.Gre);
  const flags = v.getUint16(o);
  const protocol = v.getUint16(o + 2);
  let x = o + 4;
  const version = flags & 7;
  if (version === 0) {
    if ((flags & (C | R)) !== 0) x += 4;
    if ((flags & K) !== 0) x += 4;
    if ((flags & S) !== 0) x += 4;
    if ((flags & R) !== 0) {
      // Source route entries: af(2) offset(1) length(1) data, ended by a length of 0. Each is ≥ 4 bytes.
      for (;;) {
        if (end - x < 4) return truncated(p, Layer.Gre);
        const length = v.getUint8(x + 3);
        x += 4 + length;
        if (length === 0) break;
      }
    }
  } else if (version === 1) {
    x += 4; // payload length(2) call id(2): the key field, always present
    if ((flags & S) !== 0) x += 4;
    if ((flags & A) !== 0) x += 4;
  } else {
    return malformed(p, Layer.Gre);
  }
  if (x > end) return truncated(p, Layer.Gre);
  p.tunnel |= Tunnel.Gre;
  p.off = x;
  switch (protocol) {
    case 0x88be:
      // ERSPAN type II has a sequence number (S set); type I has no ERSPAN header at all
      if ((flags & S) !== 0) return Layer.Erspan;
      p.tunnel |= Tunnel.Erspan;
      return Layer.Ethernet;
    case 0x22eb: // ERSPAN type III
      return Layer.Erspan;
    case 0x880b: // PPP (PPTP)
      return Layer.Ppp;
    default:
      return etherTypeLayer(p, protocol, Layer.Gre);
  }
}
