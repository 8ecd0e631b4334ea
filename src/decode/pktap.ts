/** Apple PKTAP, LINKTYPE_PKTAP (258; macOS `tcpdump -k`): length(4) next link type(4) …metadata, both in host
 *  byte order (little-endian on every Apple platform that writes it), then a packet of that link type. */
import { malformed, truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';
import { firstLayer } from './linktype.js';

export function decodePktap(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 8) return truncated(p, Layer.Pktap);
  const length = p.view.getUint32(o, true);
  const next = p.view.getUint32(o + 4, true);
  if (length < 8) return malformed(p, Layer.Pktap);
  if (p.payload_end - o < length) return truncated(p, Layer.Pktap);
  p.off = o + length;
  if (next === 258) return malformed(p, Layer.Pktap); // PKTAP in PKTAP: no such thing, and it would nest forever
  const layer = firstLayer(next);
  return layer === Layer.Unknown ? unsupported(p, Layer.Pktap, next) : layer;
}
