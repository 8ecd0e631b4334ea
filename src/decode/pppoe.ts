/** PPPoE session stage (RFC 2516 §4): ver/type(1) code(1) session(2) length(2), then a PPP protocol field. */
import { malformed, truncated } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

export function decodePppoe(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 8) return truncated(p, Layer.Pppoe);
  // version 1, type 1; code 0 is session data (discovery uses ethertype 0x8863)
  if (p.view.getUint8(o) !== 0x11 || p.view.getUint8(o + 1) !== 0) return malformed(p, Layer.Pppoe);
  p.tunnel |= Tunnel.Pppoe;
  p.off = o + 6;
  // The PPPoE length excludes Ethernet padding; an IP header claiming more is bounded by it (see ipv4.ts)
  const end = o + 6 + p.view.getUint16(o + 4);
  if (end < p.payload_end) p.payload_end = end;
  return Layer.Ppp;
}
