/** Packet filter log, LINKTYPE_PFLOG (117; OpenBSD, FreeBSD, pfSense pflog0): struct pfloghdr, whose first byte
 *  is its length and second the address family, padded to 4 bytes (BPF_WORDALIGN), then the logged IP packet. */
import { malformed, truncated } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';
import { familyLayer } from './null.js';

export function decodePflog(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 4) return truncated(p, Layer.Pflog);
  const length = p.view.getUint8(o);
  if (length < 4) return malformed(p, Layer.Pflog);
  const size = (length + 3) & ~3;
  if (p.payload_end - o < size) return truncated(p, Layer.Pflog);
  p.off = o + size;
  return familyLayer(p, p.view.getUint8(o + 1), Layer.Pflog);
}
