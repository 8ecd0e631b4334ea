/** ARP (RFC 826): htype(2) ptype(2) hlen(1) plen(1) oper(2) sha spa tha tpa. No IP flow; addresses for scan detection. */
import { truncated } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

export function decodeArp(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  if (p.payload_end - o < 8) return truncated(p, Layer.Arp);
  const ptype = v.getUint16(o + 2);
  const hlen = v.getUint8(o + 4);
  const plen = v.getUint8(o + 5);
  p.arp_op = v.getUint16(o + 6);
  const size = 8 + 2 * hlen + 2 * plen;
  if (p.payload_end - o < size) return truncated(p, Layer.Arp);
  if (ptype === 0x0800 && plen === 4) {
    p.arp_spa_off = o + 8 + hlen;
    p.arp_tpa_off = o + 8 + 2 * hlen + 4;
  }
  p.off = o + size;
  return Layer.End;
}
