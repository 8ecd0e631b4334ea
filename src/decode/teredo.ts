/** Teredo (RFC 4380): IPv6 in UDP 3544, possibly after an authentication and an origin indication header. */
import { Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

/**
 * Where the IPv6 header starts in the UDP payload at p.off, or -1 when the payload does not look like Teredo:
 * the header must say version 6 and its payload length must fill the UDP datagram exactly. Port 3544 alone is
 * not enough (other software uses it).
 */
export function teredoIpv6Offset(p: Packet): number {
  const v = p.view;
  const end = p.payload_end;
  const claimedEnd = p.off + p.payload_len;
  let x = p.off;
  // Authentication indicator 0x0001 (§5.1.1): id-len(1) au-len(1), client id, authentication value, nonce(8), confirmation(1)
  if (end - x >= 4 && v.getUint16(x) === 0x0001) x += 4 + v.getUint8(x + 2) + v.getUint8(x + 3) + 9;
  // Origin indication 0x0000 (§5.1.1): port(2) address(4)
  if (end - x >= 8 && v.getUint16(x) === 0x0000) x += 8;
  if (end - x < 40) return -1;
  if (v.getUint8(x) >> 4 !== 6) return -1;
  if (x + 40 + v.getUint16(x + 4) !== claimedEnd) return -1;
  return x;
}

export function decodeTeredo(p: Packet): Layer {
  const x = teredoIpv6Offset(p);
  if (x < 0) return Layer.End;
  p.tunnel |= Tunnel.Teredo;
  p.off = x;
  return Layer.Ipv6;
}
