/** IP over InfiniBand, LINKTYPE_IPOIB (242): Linux's pseudo-header, destination and source hardware addresses
 *  (20 bytes each), then the RFC 4391 §6 encapsulation header: type(2) reserved(2). */
import { etherTypeLayer } from './ethertype.js';
import { truncated } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

export function decodeIpoib(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 44) return truncated(p, Layer.Ipoib);
  p.off = o + 44;
  return etherTypeLayer(p, p.view.getUint16(o + 40), Layer.Ipoib);
}
