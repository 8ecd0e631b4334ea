/** Per-Packet Information, LINKTYPE_PPI (192): version(1) flags(1) length(2) link type(4), little-endian, then
 *  fields nad skips, then a packet of that link type (usually 802.11). */
import { malformed, truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';
import { firstLayer } from './linktype.js';

export function decodePpi(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 8) return truncated(p, Layer.Ppi);
  const length = p.view.getUint16(o + 2, true);
  const next = p.view.getUint32(o + 4, true);
  if (length < 8) return malformed(p, Layer.Ppi);
  if (p.payload_end - o < length) return truncated(p, Layer.Ppi);
  p.off = o + length;
  if (next === 192) return malformed(p, Layer.Ppi); // PPI in PPI: no such thing, and it would nest forever
  const layer = firstLayer(next);
  return layer === Layer.Unknown ? unsupported(p, Layer.Ppi, next) : layer;
}
