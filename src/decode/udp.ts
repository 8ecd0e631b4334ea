/** UDP (RFC 768): ports(4) length(2) checksum(2). Well-known tunnel ports lead to the inner packet. */
import { malformed, truncated } from './issue.js';
import { Layer } from './layer.js';
import type { Packet } from './layer.js';
import { looksLikeMplsOverUdp } from './mpls.js';
import { teredoIpv6Offset } from './teredo.js';

/** Tunnel ports (IANA): the tunnel decoders check their own header before descending. */
export const UdpPort = { Vxlan: 4789, VxlanGpe: 4790, Geneve: 6081, Teredo: 3544, MplsOverUdp: 6635 } as const;

export function decodeUdp(p: Packet): Layer {
  const o = p.off;
  const v = p.view;
  const ipEnd = p.payload_end;
  if (ipEnd - o < 4) return truncated(p, Layer.Udp);
  p.src_port = v.getUint16(o);
  p.dst_port = v.getUint16(o + 2);
  if (ipEnd - o < 8) return truncated(p, Layer.Udp);
  const length = v.getUint16(o + 4);
  if (length !== 0 && length < 8) return malformed(p, Layer.Udp);
  // 0 is an IPv6 jumbogram (RFC 2675). A length past the IP payload is a first fragment's (the datagram's length)
  // or a snaplen cut, which the IP layer has already marked.
  let end = length === 0 ? ipEnd : o + length;
  if (end > ipEnd) end = ipEnd;
  p.payload_len = length === 0 ? p.payload_len - 8 : length - 8;
  p.off = o + 8;
  p.payload_off = o + 8;
  p.payload_end = end;
  // A first fragment holds only part of a tunnelled packet: keep it as the outer UDP flow.
  if (p.frag_mf !== 0) return Layer.End;
  // Tunnels by destination port only: their source port is a hash of the inner flow, for ECMP (RFC 7348 §5,
  // RFC 8926 §3.3), so a source port says nothing.
  switch (p.dst_port) {
    case UdpPort.Vxlan:
    case UdpPort.VxlanGpe:
      return Layer.Vxlan;
    case UdpPort.Geneve:
      return Layer.Geneve;
    case UdpPort.MplsOverUdp:
      return looksLikeMplsOverUdp(p) ? Layer.Mpls : Layer.End;
  }
  if ((p.dst_port === UdpPort.Teredo || p.src_port === UdpPort.Teredo) && teredoIpv6Offset(p) >= 0) return Layer.Teredo;
  return Layer.End;
}
