/**
 * The per-packet contract of the decoders (gopacket's DecodingLayer, in TypeScript).
 *
 * One `Packet` exists per reader and is overwritten for every record. Its fields are offsets into the
 * reader's current chunk, never copies, so they are valid only until the sink returns.
 * Numbers live in `as const` objects, not enums: the same under tsc, tsx/esbuild and Node type stripping.
 */

export const Layer = {
  End: 0,
  Ethernet: 1,
  Vlan: 2,
  Mpls: 3,
  Ipv4: 4,
  Ipv6: 5,
  Tcp: 6,
  Udp: 7,
  Gre: 8,
  Vxlan: 9,
  Geneve: 10,
  Sll: 11,
  Sll2: 12,
  Null: 13,
  Loop: 14,
  Raw: 15,
  Ppp: 16,
  PppHdlc: 17,
  Pppoe: 18,
  Nflog: 19,
  Icmp: 20,
  Icmp6: 21,
  Arp: 22,
  Erspan: 23,
  Teredo: 24,
  /** A link type or ethertype nad does not decode: counted and named in warnings. */
  Unknown: 25,
  /** Cisco MetaData (ethertype 0x8909, e.g. in GRE): an SGT tag before the real ethertype. */
  CiscoMeta: 26,
  /** Apple PKTAP (LINKTYPE_PKTAP 258): a metadata header naming the link type of what follows. */
  Pktap: 27,
  /** Solaris IPNET (LINKTYPE_IPNET 226): a 24-byte header before IPv4/IPv6. */
  Ipnet: 28,
  /** IEEE 802.11 data frames (LINKTYPE_IEEE802_11 105), LLC/SNAP payload. */
  Ieee80211: 29,
  /** Radiotap (LINKTYPE_IEEE802_11_RADIOTAP 127) before an 802.11 frame. */
  Radiotap: 30,
  /** Per-Packet Information (LINKTYPE_PPI 192) before a packet of the link type it names. */
  Ppi: 31,
  /** FDDI (LINKTYPE_FDDI 10): frame control and addresses, then LLC/SNAP. */
  Fddi: 32,
  /** IP over InfiniBand (LINKTYPE_IPOIB 242): Linux's 44-byte pseudo-header with an ethertype. */
  Ipoib: 33,
  /** OpenBSD/FreeBSD/pfSense packet filter log (LINKTYPE_PFLOG 117): rule metadata, then IPv4/IPv6. */
  Pflog: 34,
  /** ARCNET (LINKTYPE_ARCNET_BSD 7, LINKTYPE_ARCNET_LINUX 129): addresses and a protocol type, then IP or ARP. */
  Arcnet: 35,
  /** ARCNET as Linux captures it (LINKTYPE_ARCNET_LINUX 129): a 2-byte offset field before the protocol type. */
  ArcnetLinux: 36,
} as const;
export type Layer = (typeof Layer)[keyof typeof Layer];

/** What went wrong while decoding, tallied by name (the idea behind Zeek's weird.log). */
export const Issue = { None: 0, Truncated: 1, Malformed: 2, Unsupported: 3, LayerLimit: 4 } as const;
export type Issue = (typeof Issue)[keyof typeof Issue];

/** Bits of `Packet.tunnel`: every encapsulation crossed on the way to the inner IP header. */
export const Tunnel = {
  Vlan: 1,
  QinQ: 2,
  Mpls: 4,
  Pppoe: 8,
  Gre: 16,
  Vxlan: 32,
  Geneve: 64,
  IpInIp: 128,
  Teredo: 256,
  Erspan: 512,
} as const;
export type Tunnel = (typeof Tunnel)[keyof typeof Tunnel];

/** IP protocol numbers used across stages. */
export const IpProto = { Icmp: 1, Tcp: 6, Udp: 17, Icmp6: 58, Gre: 47, Sctp: 132 } as const;

/** TCP flag bits as on the wire (RFC 9293 §3.1). */
export const TcpFlag = { Fin: 0x01, Syn: 0x02, Rst: 0x04, Psh: 0x08, Ack: 0x10, Urg: 0x20 } as const;

export interface Packet {
  /** The chunk the record lies in. */
  buf: Buffer;
  /** One view per chunk, made with buf's own byteOffset. */
  view: DataView;
  /** The record is buf[start, end); off is where the next layer starts. */
  start: number;
  end: number;
  off: number;
  /** Full precision, whatever the file's resolution: seconds since the epoch and nanoseconds (0..999999999). */
  ts_sec: number;
  ts_nsec: number;
  caplen: number;
  wirelen: number;
  /** LINKTYPE_* of the interface the packet came from. */
  linktype: number;
  /** Byte offset of the record in its (decompressed) input, for messages. */
  file_offset: number;
  /** Which input (index into the run's inputs) the packet came from. */
  input: number;

  /** Layers seen, in order; n_layers of them are valid. */
  layers: Uint8Array;
  n_layers: number;
  /** Tunnel bits (Tunnel.*) crossed before the innermost IP header. */
  tunnel: number;
  /** Outermost 802.1Q VLAN id, 0 when none. */
  vlan: number;

  /** Innermost IP header. 0 when the packet carries no IP. */
  ip_version: 0 | 4 | 6;
  ip_off: number;
  /** Offsets of the innermost source and destination addresses (4 or 16 bytes) in buf. */
  src_ip_off: number;
  dst_ip_off: number;
  /** Total IP length (header + payload) from the header: IPv4 total length, IPv6 40 + payload length. */
  ip_len: number;
  ttl: number;
  /** Transport protocol after extension headers (6, 17, 1, 58, …). */
  ip_proto: number;
  /** IPv4/IPv6 fragment: offset in bytes, more-fragments flag (0/1), identification. frag_off 0 and mf 0: not a fragment. */
  frag_off: number;
  frag_mf: number;
  frag_id: number;

  /** Ports, or for ICMP/ICMPv6 the type in src_port and the code in dst_port (Zeek's convention). */
  src_port: number;
  dst_port: number;
  tcp_flags: number;
  tcp_seq: number;
  tcp_ack: number;
  tcp_win: number;
  /** Transport payload: buf[payload_off, payload_end). Equal when there is none. While decoding, payload_end is
   *  also the bound of the current layer (the record's end, narrowed by PPPoE, IP and UDP lengths), so padding
   *  after a datagram is never read as payload. */
  payload_off: number;
  payload_end: number;
  /** Payload length the headers claim (may exceed payload_end - payload_off when the capture was cut). */
  payload_len: number;

  /** Errors are data: Issue.* and the layer it happened in. */
  issue: number;
  issue_layer: number;
  /** What the issue is about, when a number says it: the unsupported link type, ethertype, PPP protocol or
   *  address family; 0 otherwise. */
  issue_detail: number;

  /** ARP (RFC 826): operation (1 request, 2 reply), 0 when the packet is not ARP. */
  arp_op: number;
  /** Offsets of the ARP sender and target IPv4 addresses in buf (0 unless an Ethernet/IPv4 ARP). */
  arp_spa_off: number;
  arp_tpa_off: number;
}

export const MAX_LAYERS = 16;

/** Makes the one Packet a reader overwrites. Called once per reader, never per packet. */
export function createPacket(): Packet {
  const empty = Buffer.alloc(0);
  return {
    buf: empty,
    view: new DataView(empty.buffer, empty.byteOffset, 0),
    start: 0,
    end: 0,
    off: 0,
    ts_sec: 0,
    ts_nsec: 0,
    caplen: 0,
    wirelen: 0,
    linktype: 0,
    file_offset: 0,
    input: 0,
    layers: new Uint8Array(MAX_LAYERS),
    n_layers: 0,
    tunnel: 0,
    vlan: 0,
    ip_version: 0,
    ip_off: 0,
    src_ip_off: 0,
    dst_ip_off: 0,
    ip_len: 0,
    ttl: 0,
    ip_proto: 0,
    frag_off: 0,
    frag_mf: 0,
    frag_id: 0,
    src_port: 0,
    dst_port: 0,
    tcp_flags: 0,
    tcp_seq: 0,
    tcp_ack: 0,
    tcp_win: 0,
    payload_off: 0,
    payload_end: 0,
    payload_len: 0,
    issue: 0,
    issue_layer: 0,
    issue_detail: 0,
    arp_op: 0,
    arp_spa_off: 0,
    arp_tpa_off: 0,
  };
}

/** Reads the header at p.off, fills its fields, moves p.off to the payload, returns the next layer.
 *  Never throws, never allocates: short or bad input sets p.issue and returns Layer.End. */
export type DecodeFn = (p: Packet) => Layer;
