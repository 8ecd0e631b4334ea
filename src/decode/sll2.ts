/** Linux "cooked" capture v2, LINKTYPE_LINUX_SLL2 (276):
 *  protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8). */
import { truncated } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';
import { sllProtocolLayer } from './sll.js';

export function decodeSll2(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 20) return truncated(p, Layer.Sll2);
  p.off = o + 20;
  return sllProtocolLayer(p, p.view.getUint16(o), Layer.Sll2);
}
