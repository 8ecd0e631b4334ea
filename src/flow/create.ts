/**
 * Making a flow from its first packet: who is the originator, and the addresses in numeric form (their strings,
 * community_id and uid are made on first use, see flow.ts).
 */
import type { Packet } from '../decode/layer.js';
import { IpProto, TcpFlag } from '../decode/layer.js';
import { tunnelString } from './conn.js';
import { Flow } from './flow.js';
import type { FlowKey } from './key.js';
import { TcpConn } from './tcp_endpoint.js';

/** Port bitmaps (65536 entries, 1 = likely a server port), as Zeek's `likely_server_ports`. */
export interface LikelyServerPorts {
  tcp: Uint8Array;
  udp: Uint8Array;
}

/**
 * Server ports of the analyzers Zeek loads by default (each protocol script adds its ports to likely_server_ports),
 * plus common services nad reports on. Only used for flows whose first packet does not show who opened them.
 */
export const DEFAULT_TCP_SERVER_PORTS: readonly number[] = [
  21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 135, 139, 143, 179, 389, 443, 445, 465, 502, 587, 631, 636, 989, 990,
  992, 993, 995, 1080, 1433, 1521, 1723, 1883, 2049, 2375, 2376, 3128, 3268, 3306, 3389, 5060, 5061, 5222, 5269,
  5432, 5672, 5900, 5985, 5986, 6379, 6443, 6667, 6668, 6669, 8000, 8080, 8081, 8443, 8888, 9200, 11211, 20000, 27017,
];
export const DEFAULT_UDP_SERVER_PORTS: readonly number[] = [
  53, 67, 69, 88, 123, 137, 138, 161, 162, 389, 443, 500, 514, 520, 1812, 1813, 1900, 2152, 3478, 3544, 4500, 4789,
  5060, 5353, 5355, 6081,
];

export function likelyServerPorts(
  tcp: readonly number[] = DEFAULT_TCP_SERVER_PORTS, udp: readonly number[] = DEFAULT_UDP_SERVER_PORTS,
): LikelyServerPorts {
  const t = new Uint8Array(65536), u = new Uint8Array(65536);
  for (const x of tcp) t[x & 0xffff] = 1;
  for (const x of udp) u[x & 0xffff] = 1;
  return { tcp: t, udp: u };
}

/** IPv4 limited broadcast or multicast, IPv6 multicast. */
function isGroupAddress(p: Packet): boolean {
  const o = p.dst_ip_off;
  const b0 = p.view.getUint8(o);
  if (p.ip_version === 6) return b0 === 0xff;
  return (b0 >= 224 && b0 <= 239) || p.view.getUint32(o) === 0xffffffff;
}

/**
 * Whether the packet's receiver is the originator (Zeek flips the roles, history `^`): TCP — a first packet that is a
 * SYN-ACK, or a mid-stream packet from a likely server port to a port that is not one (TCPAnalyzer::WantConnection);
 * UDP — from a likely server port to one that is not, unless sent to a broadcast or multicast address.
 */
function shouldFlip(p: Packet, likely: LikelyServerPorts, sport: number, dport: number): boolean {
  if (p.ip_proto === IpProto.Tcp) {
    const syn = (p.tcp_flags & TcpFlag.Syn) !== 0, ack = (p.tcp_flags & TcpFlag.Ack) !== 0;
    if (syn && !ack) return false;
    if (syn) return true;
    if (likely.tcp[sport] !== 1) return false;
    // Both plausible: favour the lower port as the server.
    return likely.tcp[dport] === 1 ? sport < dport : true;
  }
  if (p.ip_proto === IpProto.Udp) return likely.udp[sport] === 1 && likely.udp[dport] !== 1 && !isGroupAddress(p);
  return false;
}

function protoName(ip_proto: number): Flow['proto'] {
  if (ip_proto === IpProto.Tcp) return 'tcp';
  if (ip_proto === IpProto.Udp) return 'udp';
  if (ip_proto === IpProto.Icmp || ip_proto === IpProto.Icmp6) return 'icmp';
  return 'other';
}

/** A new flow from its first packet `p` (at table time t_ms), whose key is `k` (`later`: p is a later fragment with no ports). */
export function createFlow(p: Packet, k: FlowKey, likely: LikelyServerPorts, later: boolean, t_ms: number): Flow {
  const f = new Flow();
  const v = p.ip_version === 6 ? 6 : 4;
  const flip = !later && shouldFlip(p, likely, k.sport, k.dport);
  f.ip_version = v;
  f.ip_proto = p.ip_proto;
  f.proto = protoName(p.ip_proto);
  f.orig_is_b = k.src_is_b !== flip;
  const so = flip ? p.dst_ip_off : p.src_ip_off, ro = flip ? p.src_ip_off : p.dst_ip_off;
  const dv = p.view;
  f.o0 = dv.getInt32(so); f.r0 = dv.getInt32(ro);
  if (v === 6) {
    f.o1 = dv.getInt32(so + 4); f.o2 = dv.getInt32(so + 8); f.o3 = dv.getInt32(so + 12);
    f.r1 = dv.getInt32(ro + 4); f.r2 = dv.getInt32(ro + 8); f.r3 = dv.getInt32(ro + 12);
  }
  f.orig_p = flip ? k.dport : k.sport;
  f.resp_p = flip ? k.sport : k.dport;
  f.first_sec = f.last_sec = p.ts_sec;
  f.first_nsec = f.last_nsec = p.ts_nsec;
  f.first_ms = f.last_ms = t_ms;
  f.tunnel = tunnelString(p.tunnel, p.vlan);
  if (f.proto === 'tcp') f.tcp = new TcpConn();
  if (flip) f.history = '^';
  return f;
}
