/** What follows an IPv4 or IPv6 header, and the per-IP-header reset both share. */
import { IpProto, Layer, Tunnel } from './layer.js';
import type { Packet } from './layer.js';

/** The transport layer for `proto`. Protocols without ports (ESP, OSPF, SCTP…) end decoding without an issue:
 *  the flow is keyed on addresses and protocol. */
export function ipProtoLayer(p: Packet, proto: number): Layer {
  switch (proto) {
    case IpProto.Tcp:
      return Layer.Tcp;
    case IpProto.Udp:
      return Layer.Udp;
    case IpProto.Icmp:
      return Layer.Icmp;
    case IpProto.Icmp6:
      return Layer.Icmp6;
    case IpProto.Gre:
      return Layer.Gre;
    case 4: // IPv4-in-IP (RFC 2003), 4in6 (RFC 2473)
      p.tunnel |= Tunnel.IpInIp;
      return Layer.Ipv4;
    case 41: // 6in4 (RFC 4213), IPv6-in-IPv6
      p.tunnel |= Tunnel.IpInIp;
      return Layer.Ipv6;
    default:
      return Layer.End;
  }
}

/** A new IP header starts a new innermost flow: forget what an outer transport header (a tunnel's UDP) set. */
export function resetTransport(p: Packet): void {
  p.src_port = 0;
  p.dst_port = 0;
  p.tcp_flags = 0;
  p.tcp_seq = 0;
  p.tcp_ack = 0;
  p.tcp_win = 0;
  p.frag_off = 0;
  p.frag_mf = 0;
  p.frag_id = 0;
}
