/** Solaris IPNET, LINKTYPE_IPNET (226): version(1) family(1) htype(2) length(4) ifindex(4) grifindex(4)
 *  zone src(4) zone dst(4), in network byte order, then the IP packet. */
import { truncated, unsupported } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

export function decodeIpnet(p: Packet): Layer {
  const o = p.off;
  if (p.payload_end - o < 24) return truncated(p, Layer.Ipnet);
  const family = p.view.getUint8(o + 1);
  p.off = o + 24;
  if (family === 2) return Layer.Ipv4; // AF_INET
  if (family === 26) return Layer.Ipv6; // Solaris AF_INET6
  return unsupported(p, Layer.Ipnet, family);
}
