/** Geneve (RFC 8926 §3.4), UDP 6081: ver/opt len(1) flags(1) protocol(2) VNI(3) reserved(1) options(opt len × 4). */
import { etherTypeLayer } from './ethertype.js';
import { truncated } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

export function decodeGeneve(p: Packet): Layer {
  const o = p.off;
  const end = p.payload_end;
  if (end - o < 8) return truncated(p, Layer.Geneve);
  const first = p.view.getUint8(o);
  const protocol = p.view.getUint16(o + 2);
  // Port 6081 alone does not make Geneve: only version 0 exists, and nad follows only Ethernet, IPv4 and IPv6
  // payloads. Anything else stays the outer UDP flow, with no issue (random payloads on that port are not damage).
  if (first >> 6 !== 0 || (protocol !== 0x6558 && protocol !== 0x0800 && protocol !== 0x86dd)) return Layer.End;
  const size = 8 + (first & 0x3f) * 4;
  if (end - o < size) return truncated(p, Layer.Geneve);
  p.tunnel |= Tunnel.Geneve;
  p.off = o + size;
  return etherTypeLayer(p, protocol, Layer.Geneve); // 0x6558: Ethernet
}
