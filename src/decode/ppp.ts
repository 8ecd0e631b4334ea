/** PPP (RFC 1661) with or without HDLC-like framing (RFC 1662), and Cisco HDLC under LINKTYPE_PPP_HDLC / C_HDLC. */
import { etherTypeLayer } from './ethertype.js';
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

/** [ff 03] protocol(1 or 2). Used for LINKTYPE_PPP, PPPoE payloads and PPTP's GRE payloads. */
export function decodePpp(p: Packet): Layer {
  let o = p.off;
  const v = p.view;
  if (p.payload_end - o < 2) return truncated(p, Layer.Ppp);
  // 0xff03 cannot be a protocol (its high byte is odd), so address/control may be present or not (RFC 1662 §3.2)
  if (v.getUint8(o) === 0xff && v.getUint8(o + 1) === 0x03) {
    o += 2;
    if (p.payload_end - o < 1) return truncated(p, Layer.Ppp);
  }
  let proto = v.getUint8(o);
  if ((proto & 1) === 0) {
    if (p.payload_end - o < 2) return truncated(p, Layer.Ppp);
    proto = v.getUint16(o);
    o += 2;
  } else {
    o += 1; // protocol field compression (RFC 1661 §6.5)
  }
  p.off = o;
  switch (proto) {
    case 0x0021:
      return Layer.Ipv4;
    case 0x0057:
      return Layer.Ipv6;
    case 0x0281:
    case 0x0283:
      return Layer.Mpls;
    default:
      // LCP, IPCP, PAP, CHAP…: PPP's own control traffic, no IP flow in it
      return unsupported(p, Layer.Ppp, proto);
  }
}

/** LINKTYPE_PPP_HDLC (50) and LINKTYPE_C_HDLC (104): Cisco HDLC starts 0x0f/0x8f and carries an ethertype. */
export function decodePppHdlc(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 4) return truncated(p, Layer.PppHdlc);
  const address = p.view.getUint8(o);
  if (address === 0x0f || address === 0x8f) {
    const type = p.view.getUint16(o + 2);
    p.off = o + 4;
    // In Cisco HDLC 0x8035 is SLARP (serial line keepalives), not RARP
    return type === 0x8035 ? unsupported(p, Layer.PppHdlc, type) : etherTypeLayer(p, type, Layer.PppHdlc);
  }
  return Layer.Ppp;
}
