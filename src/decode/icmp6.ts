/** ICMPv6 (RFC 4443): type and code as the flow's ports; errors' quoted packets are not decoded (see icmp.ts). */
import { decodeIcmpHeader } from './icmp.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';

export function decodeIcmp6(p: Packet): Layer {
  return decodeIcmpHeader(p, Layer.Icmp6);
}
