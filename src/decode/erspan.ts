/** Cisco ERSPAN type II (8-byte header) and type III (12 bytes, +8 for the platform sub-header), then the mirrored
 *  Ethernet frame (draft-foschiano-erspan-03). */
import { truncated, unsupported } from './issue.js';
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

export function decodeErspan(p: Packet): Layer {
  const o = p.off;
  const end = p.payload_end;
  if (end - o < 8) return truncated(p, Layer.Erspan);
  const version = p.view.getUint8(o) >> 4;
  let size: number;
  if (version === 1) {
    size = 8;
  } else if (version === 2) {
    if (end - o < 12) return truncated(p, Layer.Erspan);
    // O flag (last bit of the third word): an 8-byte platform-specific sub-header follows
    size = (p.view.getUint8(o + 11) & 1) !== 0 ? 20 : 12;
    if (end - o < size) return truncated(p, Layer.Erspan);
  } else {
    return unsupported(p, Layer.Erspan, version);
  }
  p.tunnel |= Tunnel.Erspan;
  p.off = o + size;
  return Layer.Ethernet;
}
