/** The dispatch loop: the only place that knows every decoder. */
import { decodeArp } from './arp.js';
import { decodeCiscoMeta } from './cmd.js';
import { decodeErspan } from './erspan.js';
import { decodeEthernet } from './ethernet.js';
import { decodeArcnetBsd, decodeArcnetLinux } from './arcnet.js';
import { decodeFddi } from './fddi.js';
import { decodeGeneve } from './geneve.js';
import { decodeGre } from './gre.js';
import { decodeIcmp } from './icmp.js';
import { decodeIcmp6 } from './icmp6.js';
import { decodeIeee80211 } from './ieee80211.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpnet } from './ipnet.js';
import { decodeIpoib } from './ipoib.js';
import { decodeIpv6 } from './ipv6.js';
import { markIssue, unsupported } from './issue.js';
import { Issue, Layer, MAX_LAYERS } from './layer.js';
import type { Packet } from './layer.js';
import { firstLayer } from './linktype.js';
import { decodeMpls } from './mpls.js';
import { decodeNflog } from './nflog.js';
import { decodeLoop, decodeNull } from './null.js';
import { decodePflog } from './pflog.js';
import { decodePktap } from './pktap.js';
import { decodePpi } from './ppi.js';
import { decodePpp, decodePppHdlc } from './ppp.js';
import { decodePppoe } from './pppoe.js';
import { decodeRadiotap } from './radiotap.js';
import { decodeRaw } from './raw.js';
import { decodeSll } from './sll.js';
import { decodeSll2 } from './sll2.js';
import { decodeTcp } from './tcp.js';
import { decodeTeredo } from './teredo.js';
import { decodeUdp } from './udp.js';
import { decodeVlan } from './vlan.js';
import { decodeVxlan } from './vxlan.js';

export { createDecodeStats, decodeWarnings, tallyDecode } from './stats.js';
export type { DecodeStats, IssueTally } from './stats.js';
export { linkTypeName } from './linktype.js';

/**
 * Decodes the record buf[p.start, p.end) of link type p.linktype in place: resets every per-packet field, then
 * runs one decoder per layer. Never throws, never allocates; damage and cuts are recorded in p.issue.
 */
export function decodePacket(p: Packet): void {
  p.off = p.start;
  p.n_layers = 0;
  p.tunnel = 0;
  p.vlan = 0;
  p.ip_version = 0;
  p.ip_off = 0;
  p.src_ip_off = 0;
  p.dst_ip_off = 0;
  p.ip_len = 0;
  p.ttl = 0;
  p.ip_proto = 0;
  p.frag_off = 0;
  p.frag_mf = 0;
  p.frag_id = 0;
  p.src_port = 0;
  p.dst_port = 0;
  p.tcp_flags = 0;
  p.tcp_seq = 0;
  p.tcp_ack = 0;
  p.tcp_win = 0;
  p.payload_off = p.end;
  p.payload_end = p.end;
  p.payload_len = 0;
  p.issue = Issue.None;
  p.issue_layer = 0;
  p.issue_detail = 0;
  p.arp_op = 0;
  p.arp_spa_off = 0;
  p.arp_tpa_off = 0;

  let layer: Layer = firstLayer(p.linktype);
  let n = 0;
  // Bounded: GRE-in-GRE or nested tunnels in a hostile file must not loop forever.
  while (layer !== Layer.End && n < MAX_LAYERS) {
    p.layers[n++] = layer;
    // The four commonest layers called directly, the rest through the switch: 93 → 81 ns/packet median CPU, 6 of 6
    // interleaved pairs faster (`node --import tsx test/decode/bench.ts /tmp/nad-bench/big.pcap hot`, shared machine)
    if (layer === Layer.Ipv4) layer = decodeIpv4(p);
    else if (layer === Layer.Tcp) layer = decodeTcp(p);
    else if (layer === Layer.Ethernet) layer = decodeEthernet(p);
    else if (layer === Layer.Udp) layer = decodeUdp(p);
    else layer = decodeLayer(p, layer);
  }
  p.n_layers = n;
  if (p.payload_off > p.payload_end) p.payload_off = p.payload_end; // no IP: an empty payload, not a negative one
  if (layer !== Layer.End) markIssue(p, Issue.LayerLimit, layer, 0);
  // A cut that no header noticed (inside a payload nad does not parse) still counts.
  if (p.caplen < p.wirelen && n > 0) markIssue(p, Issue.Truncated, p.layers[n - 1] as Layer, 0);
}

/** Every other layer. A switch, not a table of functions: each call site stays monomorphic. */
function decodeLayer(p: Packet, layer: Layer): Layer {
  switch (layer) {
    case Layer.Ethernet: return decodeEthernet(p);
    case Layer.Vlan: return decodeVlan(p);
    case Layer.Ipv4: return decodeIpv4(p);
    case Layer.Ipv6: return decodeIpv6(p);
    case Layer.Tcp: return decodeTcp(p);
    case Layer.Udp: return decodeUdp(p);
    case Layer.Icmp: return decodeIcmp(p);
    case Layer.Icmp6: return decodeIcmp6(p);
    case Layer.Mpls: return decodeMpls(p);
    case Layer.Pppoe: return decodePppoe(p);
    case Layer.Ppp: return decodePpp(p);
    case Layer.PppHdlc: return decodePppHdlc(p);
    case Layer.Arp: return decodeArp(p);
    case Layer.Gre: return decodeGre(p);
    case Layer.Erspan: return decodeErspan(p);
    case Layer.Vxlan: return decodeVxlan(p);
    case Layer.Geneve: return decodeGeneve(p);
    case Layer.Teredo: return decodeTeredo(p);
    case Layer.Sll: return decodeSll(p);
    case Layer.Sll2: return decodeSll2(p);
    case Layer.Null: return decodeNull(p);
    case Layer.Loop: return decodeLoop(p);
    case Layer.Raw: return decodeRaw(p);
    case Layer.Nflog: return decodeNflog(p);
    case Layer.CiscoMeta: return decodeCiscoMeta(p);
    case Layer.Pktap: return decodePktap(p);
    case Layer.Ipnet: return decodeIpnet(p);
    case Layer.Ieee80211: return decodeIeee80211(p);
    case Layer.Radiotap: return decodeRadiotap(p);
    case Layer.Ppi: return decodePpi(p);
    case Layer.Fddi: return decodeFddi(p);
    case Layer.Ipoib: return decodeIpoib(p);
    case Layer.Pflog: return decodePflog(p);
    case Layer.Arcnet: return decodeArcnetBsd(p);
    case Layer.ArcnetLinux: return decodeArcnetLinux(p);
    default: return unsupported(p, Layer.Unknown, p.linktype); // Layer.Unknown: a link type nad does not decode
  }
}
