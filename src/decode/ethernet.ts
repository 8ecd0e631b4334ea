/** Ethernet II and IEEE 802.3 with LLC/SNAP (IEEE 802.3 §3.2, RFC 1042). */
import { etherTypeLayer } from './ethertype.js';
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

/** dst(6) src(6) type-or-length(2). */
export function decodeEthernet(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 14) return truncated(p, Layer.Ethernet);
  const type = p.view.getUint16(o + 12);
  p.off = o + 14;
  if (type >= 0x0600) return etherTypeLayer(p, type, Layer.Ethernet);
  return decodeLlc(p, Layer.Ethernet);
}

/**
 * The payload of an 802.3 frame (a length, not an ethertype, before it). Only SNAP with OUI 0 (RFC 1042) carries
 * an ethertype; everything else (STP, CDP, NetBIOS…) is LLC nad does not decode, recorded with detail 0.
 */
export function decodeLlc(p: Packet, from: Layer): Layer {
  const o = p.off;
  const v = p.view;
  if (p.payload_end - o >= 8 && v.getUint16(o) === 0xaaaa && v.getUint8(o + 2) === 0x03 && v.getUint16(o + 3) === 0 && v.getUint8(o + 5) === 0) {
    p.off = o + 8;
    return etherTypeLayer(p, v.getUint16(o + 6), from);
  }
  return unsupported(p, from, 0);
}
