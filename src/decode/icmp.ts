/** ICMP (RFC 792): type(1) code(1) checksum(2) rest(4). Type and code become the flow's ports, as in Zeek. */
import { truncated } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

/**
 * Errors (destination unreachable, time exceeded…) quote the offending packet; nad does not descend into it,
 * because Zeek's flow for an ICMP error is the ICMP message itself, between its own addresses.
 */
export function decodeIcmp(p: Packet): Layer {
  return decodeIcmpHeader(p, Layer.Icmp);
}

/** ICMP and ICMPv6 (RFC 4443 §2.1) share the first 8 bytes' layout. */
export function decodeIcmpHeader(p: Packet, layer: Layer): Layer {
  const o = p.off;
  const end = p.payload_end;
  if (end - o < 2) return truncated(p, layer);
  p.src_port = p.view.getUint8(o);
  p.dst_port = p.view.getUint8(o + 1);
  if (end - o < 8) return truncated(p, layer);
  const claimed = p.payload_len - 8;
  p.payload_len = claimed > 0 ? claimed : 0;
  p.off = o + 8;
  p.payload_off = o + 8;
  return Layer.End;
}
