/** IEEE 802.1Q / 802.1ad tags: TCI(2) then the next ethertype. Stacked tags (QinQ, QinQinQ) come back here. */
import { decodeLlc } from './ethernet.js';
import { etherTypeLayer } from './ethertype.js';
import { truncated } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

export function decodeVlan(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 4) return truncated(p, Layer.Vlan);
  if ((p.tunnel & Tunnel.Vlan) === 0) {
    p.tunnel |= Tunnel.Vlan;
    p.vlan = p.view.getUint16(o) & 0x0fff; // the outermost tag names the VLAN
  } else {
    p.tunnel |= Tunnel.QinQ;
  }
  const type = p.view.getUint16(o + 2);
  p.off = o + 4;
  if (type >= 0x0600) return etherTypeLayer(p, type, Layer.Vlan);
  return decodeLlc(p, Layer.Vlan);
}
