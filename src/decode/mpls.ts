/** MPLS label stack (RFC 3032), over Ethernet, PPP or UDP 6635 (RFC 7510). */
import { truncated, unsupported } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

/** Skips label entries up to bottom-of-stack; MPLS does not name its payload, so the first nibble guesses it. */
export function decodeMpls(p: Packet): Layer {
  let o = p.off;
  p.tunnel |= Tunnel.Mpls;
  // Each entry is 4 bytes, so a hostile stack without a bottom ends at the record's end.
  for (;;) {
    if (p.payload_end - o < 4) return truncated(p, Layer.Mpls);
    const bottom = p.view.getUint8(o + 2) & 1;
    o += 4;
    if (bottom === 1) break;
  }
  if (p.payload_end - o < 1) return truncated(p, Layer.Mpls);
  const nibble = p.view.getUint8(o) >> 4;
  p.off = o;
  switch (nibble) {
    case 4:
      return Layer.Ipv4;
    case 6:
      return Layer.Ipv6;
    case 0:
      // RFC 4385 pseudowire control word (first nibble 0), then the emulated Ethernet frame (Wireshark's guess too)
      if (p.payload_end - o < 4) return truncated(p, Layer.Mpls);
      p.off = o + 4;
      return Layer.Ethernet;
    default:
      return unsupported(p, Layer.Mpls, nibble);
  }
}

/**
 * Whether the UDP payload at p.off looks like MPLS over UDP (RFC 7510): a label stack whose bottom is followed by
 * an IP header filling the rest of the datagram exactly. Port 6635 is inside common ephemeral port ranges, so
 * a DNS reply to a client that happened to pick it must stay a plain UDP flow.
 */
export function looksLikeMplsOverUdp(p: Packet): boolean {
  const v = p.view;
  const end = p.payload_end;
  let x = p.off;
  for (;;) {
    if (end - x < 4) return false;
    const bottom = v.getUint8(x + 2) & 1;
    x += 4;
    if (bottom === 1) break;
  }
  if (end - x < 20) return false;
  const nibble = v.getUint8(x) >> 4;
  if (nibble === 4) return v.getUint16(x + 2) === end - x;
  if (nibble === 6) return end - x >= 40 && v.getUint16(x + 4) + 40 === end - x;
  return false;
}
