/** BSD loopback: LINKTYPE_NULL (0, address family in the capturing host's byte order) and LINKTYPE_LOOP (108,
 *  network byte order). */
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

export function decodeNull(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 4) return truncated(p, Layer.Null);
  let family = p.view.getUint32(o, true);
  // Families are small numbers: a value above 0xffff means the file was written on a big-endian host.
  if (family > 0xffff) family = p.view.getUint32(o, false);
  p.off = o + 4;
  return familyLayer(p, family, Layer.Null);
}

export function decodeLoop(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 4) return truncated(p, Layer.Loop);
  p.off = o + 4;
  return familyLayer(p, p.view.getUint32(o, false), Layer.Loop);
}

/** The IP version of a BSD address family value (also used by PFLOG); others are recorded as unsupported. */
export function familyLayer(p: Packet, family: number, from: Layer): Layer {
  switch (family) {
    case 2: // AF_INET everywhere
      return Layer.Ipv4;
    case 10: // AF_INET6: Linux
    case 24: // NetBSD, OpenBSD, BSD/OS
    case 28: // FreeBSD, DragonFly BSD
    case 30: // macOS, iOS
      return Layer.Ipv6;
    default:
      return unsupported(p, from, family);
  }
}
