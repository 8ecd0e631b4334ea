/**
 * Link-layer decoders on real bytes. Each vector is a whole record from ../shared/captures (named), with the
 * tshark protocol stack and tcpdump line that describe it; the expected values are read off those lines.
 */
import { test } from 'node:test';
import { Issue } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { check } from './expect.js';
import type { Expect } from './expect.js';
import { packetFromHex } from './records.js';

interface Case {
  name: string;
  linktype: number;
  hex: string;
  wirelen?: number;
  expect: Expect;
}

const cases: Case[] = [
  {
    // linktypes/test_loopback.pcap #1 (gopacket), tshark: null:ipv6:tcp:http. Record cut here to its first 80 bytes
    // (wire length 580), as an 80-byte snaplen would.
    // tcpdump -nn -v: IP6 (hlim 64, next-header TCP (6) payload length: 516) ::1.58799 > ::1.8080: Flags [P.],
    //   seq 144119398:144119882, ack 174417647, win 10473
    name: 'NULL, AF 30 little-endian (macOS), IPv6, snaplen cut',
    linktype: 0,
    wirelen: 580,
    hex:
      '1e00000060000000020406400000000000000000000000000000000100000000000000000000000000000001e5af1f900897' +
      '16660a6566ef801828e9020c00000101080a05c08cfc05c0388c47455420',
    expect: {
      layers: ['Null', 'Ipv6', 'Tcp'], ip_version: 6, src: '::1', dst: '::1', ip_proto: 6, ip_len: 556, ttl: 64,
      src_port: 58799, dst_port: 8080, tcp_flags: 0x18, tcp_seq: 144119398, payload_len: 484, payload_bytes: 4,
      issue: Issue.Truncated, issue_layer: 'Ipv6',
    },
  },
  {
    // linktypes/derived-loop-from-null.pcap #1: the same record relabelled LOOP (108), AF in network byte order
    name: 'LOOP, AF 30 big-endian',
    linktype: 108,
    hex: '0000001e60000000020406400000000000000000000000000000000100000000000000000000000000000001e5af1f900897' +
      '16660a6566ef801828e9020c00000101080a05c08cfc05c0388c',
    wirelen: 580,
    expect: {
      layers: ['Loop', 'Ipv6', 'Tcp'], ip_version: 6, src: '::1', dst: '::1', src_port: 58799, dst_port: 8080,
      payload_bytes: 0, payload_len: 484, issue: Issue.Truncated, issue_layer: 'Ipv6',
    },
  },
  {
    // linktypes/linuxsll-arp.pcap #1 (Zeek), tshark: sll:ethertype:arp
    // tcpdump -nn -v: ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 192.168.22.160 tell 192.168.22.1, length 46
    name: 'Linux SLL, ARP request',
    linktype: 113,
    hex: '000100010006cc2de0261999000008060001080006040001cc2de0261999c0a81601000000000000c0a816a0000000000000' +
      '000000000000000000000000',
    expect: { layers: ['Sll', 'Arp'], ip_version: 0, arp_op: 1, arp_tpa: '192.168.22.160' },
  },
  {
    // linktypes/linux_dlt_sll2.pcap #1 (Zeek), tshark: sll:ethertype:ip:icmp:data
    // tcpdump -nn -v: lo In IP (ttl 64, id 44940, proto ICMP (1), length 84) 192.0.2.1 > 192.0.2.1: ICMP echo request, id 8, seq 1, length 64
    name: 'Linux SLL2, ICMP echo request',
    linktype: 276,
    hex: '080000000000000103040006000000000000000045000054af8c40004001071ac0000201c0000201080066b400080001e9bd' +
      'f96200000000e24e0d0000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233' +
      '34353637',
    expect: {
      layers: ['Sll2', 'Ipv4', 'Icmp'], ip_version: 4, src: '192.0.2.1', dst: '192.0.2.1', ip_proto: 1, ip_len: 84,
      src_port: 8, dst_port: 0, payload_len: 56, payload_bytes: 56,
    },
  },
  {
    // linktypes/nflog.pcap #1 (tcpdump), tshark: nflog:ip:udp:dns. TLVs little-endian; NFULA_PAYLOAD (9) at byte 132.
    // tcpdump -nn -v: IP (ttl 55, id 0, flags [DF], proto UDP (17), length 73) 74.82.42.42.53 > 10.0.0.20.42585: 17265 1/0/0 example.com. A 93.184.216.119 (45)
    name: 'NFLOG, IPv4 UDP',
    linktype: 239,
    hex: '02000014080001000800012705000a00000000000800040000000002100008000006ffffb8a386b9c3d6000006000f000001' +
      '000006001100000e0000120010000811961c10c8b8a386b9c3d6080000001400030000000000522a1f9e00000000000960fc' +
      '4d00090045000049000040003711c5144a522a2a0a0000140035a65900356ddf437181800001000100000000076578616d70' +
      '6c6503636f6d0000010001c00c0001000100002f9600045db8d877000000',
    expect: {
      layers: ['Nflog', 'Ipv4', 'Udp'], ip_version: 4, src: '74.82.42.42', dst: '10.0.0.20', ttl: 55, ip_len: 73,
      src_port: 53, dst_port: 42585, payload_len: 45, payload_bytes: 45,
    },
  },
  {
    // linktypes/quic-go-handshake-ppp.pcap #1 (Zeek), tshark: ppp:ipv6:icmpv6 (protocol field 0x0057, no ff03)
    // tcpdump -nn -v: IP6 (flowlabel 0x00001, hlim 255, next-header ICMPv6 (58) payload length: 32) :: > ff02::1:ff00:4: ICMP6, neighbor solicitation
    name: 'PPP, IPv6 neighbour solicitation',
    linktype: 9,
    hex: '00576000000100203aff00000000000000000000000000000000ff0200000000000000000001ff00000487007a1200000000' +
      'fe80000000000000020000fffe0000040101000000000004',
    expect: {
      layers: ['Ppp', 'Ipv6', 'Icmp6'], ip_version: 6, src: '::', dst: 'ff02::1:ff00:4', ttl: 255, ip_proto: 58,
      src_port: 135, dst_port: 0, payload_len: 24,
    },
  },
  {
    // linktypes/ppp_ip_udp_dns.pcap #1 (tcpdump), tshark: ppp:data. tcpdump: "unknown PPP protocol (0x7e08)";
    // cut to its first 16 bytes here. ff 5f is not ff 03, so 0xff is a compressed protocol field nad does not know.
    name: 'PPP_HDLC, unknown protocol',
    linktype: 50,
    hex: 'ff5f7e08004500c12100010000401145',
    expect: { layers: ['PppHdlc', 'Ppp'], ip_version: 0, issue: Issue.Unsupported, issue_layer: 'Ppp', issue_detail: 0xff },
  },
  {
    // linktypes/LINKTYPE_RAW_ipv4.pcap #1 (tcpdump), tshark: raw:ip:udp:dns
    // tcpdump -nn -v: IP (ttl 64, id 1, proto UDP (17), length 57) 192.168.1.100.12345 > 9.9.9.9.53: 4660+ A? example.com. (29)
    name: 'RAW, IPv4',
    linktype: 101,
    hex: '45000039000100004011a695c0a80164090909093039003500251976123401000001000000000000076578616d706c650363' +
      '6f6d0000010001',
    expect: {
      layers: ['Raw', 'Ipv4', 'Udp'], ip_version: 4, src: '192.168.1.100', dst: '9.9.9.9', src_port: 12345,
      dst_port: 53, payload_len: 29, frag_id: 1,
    },
  },
  {
    // linktypes/LINKTYPE_IPV6.pcap #1 (tcpdump), tshark: ipv6:udp:dns
    // tcpdump -nn -v: IP6 (hlim 64, next-header UDP (17) payload length: 37) 2001:db8::1.12345 > 2620:fe::9.53: 4660+ A? example.com. (29)
    name: 'LINKTYPE_IPV6',
    linktype: 229,
    hex: '600000000025114020010db8000000000000000000000001262000fe00000000000000000000000930390035002598b31234' +
      '01000001000000000000076578616d706c6503636f6d0000010001',
    expect: {
      layers: ['Raw', 'Ipv6', 'Udp'], ip_version: 6, src: '2001:db8::1', dst: '2620:fe::9', ip_len: 77,
      src_port: 12345, dst_port: 53, payload_len: 29,
    },
  },
  {
    // The same IPv6 bytes under LINKTYPE_IPV4 (228), as in tcpdump's LINKTYPE_IPV4_invalid.pcap: decoded, and marked
    name: 'LINKTYPE_IPV4 carrying IPv6',
    linktype: 228,
    hex: '600000000025114020010db8000000000000000000000001262000fe00000000000000000000000930390035002598b31234' +
      '01000001000000000000076578616d706c6503636f6d0000010001',
    expect: {
      layers: ['Raw', 'Ipv6', 'Udp'], ip_version: 6, src_port: 12345, dst_port: 53,
      issue: Issue.Malformed, issue_layer: 'Raw', issue_detail: 228,
    },
  },
  {
    // linktypes/LINKTYPE_PKTAP.pcap #1 (tcpdump), tshark: pktap:pcap_pktdata:eth:ethertype:ip:udp:dns
    // (PKTAP header length 0x6c, next link type 1)
    // tcpdump -nn -v: IP (ttl 255, id 11779, proto UDP (17), length 60) 10.32.4.27.63538 > 10.32.100.15.53: 17153+ A? in.m.yahoo.com. (32)
    name: 'PKTAP, Ethernet inside',
    linktype: 258,
    hex: '6c0000000100000001000000656e3000000000000000000000000000000000000000000002000000020000000e0000000000' +
      '00000002000000000000000000000000000000000000000000000000000000000000ffffffff000000000000000000000000' +
      '0000000000000000001e491ff2c47073cb0b262a08004500003c2e030000ff1111440a20041b0a20640ff832003500284814' +
      '43010100000100000000000002696e016d057961686f6f03636f6d0000010001',
    expect: {
      layers: ['Pktap', 'Ethernet', 'Ipv4', 'Udp'], ip_version: 4, src: '10.32.4.27', dst: '10.32.100.15',
      src_port: 63538, dst_port: 53, payload_len: 32,
    },
  },
  {
    // linktypes/e1000g.pcap #1 (tcpdump, Solaris), tshark: ipnet:ip:icmp:data
    // tcpdump -nn -v: IP (ttl 249, id 58766, proto ICMP (1), length 84) 129.146.106.55 > 10.5.233.117: ICMP echo request, id 6901, seq 0, length 64
    name: 'IPNET, ICMP echo request',
    linktype: 226,
    hex: '01020000000000540000000200000000ffffffff0000000045000054e58e0000f901fcd581926a370a05e975080032e21af5' +
      '0000ed760d4bb9630b0008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f' +
      '3031323334353637',
    expect: {
      layers: ['Ipnet', 'Ipv4', 'Icmp'], ip_version: 4, src: '129.146.106.55', dst: '10.5.233.117', ttl: 249,
      src_port: 8, dst_port: 0,
    },
  },
  {
    // linktypes/radiotap.pcap #1 (Zeek), tshark: radiotap:wlan_radio:wlan:llc:ip:udp:dns. Radiotap length 48,
    // TSFT + Flags present, Flags 0x10: the frame ends with a 4-byte FCS. QoS data frame (0x88), LLC/SNAP.
    // tcpdump -nn -v: … IP (ttl 64, id 54925, proto UDP (17), length 63) 172.17.156.76.61738 > 208.67.220.220.53
    name: 'Radiotap with FCS, 802.11 QoS data, IPv4',
    linktype: 127,
    hex: '000030006b081c00e1615656000000001000a4154001b6a3014e349740010100a4156c221f01070001000000000000008801' +
      '2c008a15149b5ae090724097b6f5442b03aaab8d10000600aaaa0300000008004500003fd68d00004011aea2ac119c4cd043' +
      'dcdcf12a0035002bc5dfa72f010000010000000000000763617074697665056170706c6503636f6d00000100010312c6a7',
    expect: {
      layers: ['Radiotap', 'Ieee80211', 'Ipv4', 'Udp'], ip_version: 4, src: '172.17.156.76', dst: '208.67.220.220',
      ip_len: 63, src_port: 61738, dst_port: 53, payload_len: 35, payload_bytes: 35,
    },
  },
  {
    // linktypes/wlanmon.pcap #3 (Zeek), tshark: wlan:llc:ipv6:udp:mdns (data frame 0x08, FromDS). Cut here to 100 bytes.
    // tcpdump -nn -v: IP6 (hlim 255, next-header UDP (17) payload length: 288) fe80::a667:6ff:fef7:ec54.5353 > ff02::fb.5353
    name: '802.11 data frame, IPv6 mDNS',
    linktype: 105,
    wirelen: 360,
    hex: '080200003333000000fb8a15149b5ae0a46706f7ec54b0adaaaa0300000086dd60000000012011fffe80000000000000a667' +
      '06fffef7ec54ff0200000000000000000000000000fb14e914e90120f7040000840000000004000000040134013501430145',
    expect: {
      layers: ['Ieee80211', 'Ipv6', 'Udp'], ip_version: 6, src: 'fe80::a667:6ff:fef7:ec54', dst: 'ff02::fb', ttl: 255,
      src_port: 5353, dst_port: 5353, payload_len: 280, payload_bytes: 20, // 100 - 24 - 8 (LLC/SNAP) - 40 - 8
      issue: Issue.Truncated, issue_layer: 'Ipv6',
    },
  },
  {
    // linktypes/http_PPI.pcap #2 (libpcap), tshark: ppi:wlan_radio:wlan. tcpdump: Acknowledgment RA:00:14:a5:cb:6e:1a
    name: 'PPI, 802.11 ACK (control frame 0x1d): counted, not decoded',
    linktype: 192,
    hex: '000020006900000002001400967ecdf300000000010030007609c0000000bfa0d40000000014a5cb6e1ac25943c1',
    expect: { layers: ['Ppi', 'Ieee80211'], ip_version: 0, issue: Issue.Unsupported, issue_layer: 'Ieee80211', issue_detail: 0x1001d },
  },
  {
    // linktypes/dns-inverse-query.pcap #1 (Zeek), tshark: fddi:llc:ip:tcp (frame control 0x50, LLC/SNAP)
    // tcpdump -nn -v: IP (ttl 51, id 58230, proto TCP (6), length 44) 212.180.42.100.25000 > 131.243.64.3.53: Flags [S], seq 3104430141, win 512
    name: 'FDDI, LLC/SNAP, TCP SYN',
    linktype: 10,
    hex: '50aa00040083a7aa00040082a7aaaa0300000008004500002ce37600003306e146d4b42a6483f3400361a80035b909d83d00' +
      '00000060020200dff20000020405b4',
    expect: {
      layers: ['Fddi', 'Ipv4', 'Tcp'], ip_version: 4, src: '212.180.42.100', dst: '131.243.64.3', ttl: 51,
      src_port: 25000, dst_port: 53, tcp_flags: 0x02, tcp_seq: 3104430141, payload_len: 0,
    },
  },
  {
    // linktypes/ipoib.pcap #1 (tcpdump), tshark: ipoib:ip:icmp:data. Cut here to 64 bytes (wire length 128).
    // tcpdump -nn -v: IP (ttl 255, id 44798, proto ICMP (1), length 84) 192.168.56.10 > 192.168.56.24: ICMP echo request, id 6495, seq 0, length 64
    name: 'IP over InfiniBand, ICMP echo request',
    linktype: 242,
    wirelen: 128,
    hex: '000000000000000000000000000000002fa3000a80000550fe800000000000000010e000664ab4510800000045000054aefe' +
      '0000ff011b37c0a8380ac0a83818',
    expect: {
      layers: ['Ipoib', 'Ipv4', 'Icmp'], ip_version: 4, src: '192.168.56.10', dst: '192.168.56.24', ttl: 255, ip_len: 84,
      ip_proto: 1, payload_len: 64, issue: Issue.Truncated, issue_layer: 'Ipv4',
    },
  },
  {
    // HAND-MADE (no pflog capture in the corpus): struct pfloghdr length 61 padded to 64, AF_INET, action 1,
    // ifname em0, rule 5, then a TCP SYN. Checked with tshark 4.0.17 after `text2pcap -l 117`: pflog:ip:tcp,
    // pflog.length 61, pflog.af 2, pflog.ifname em0, pflog.rulenr 5, 10.1.1.5.51000 > 93.184.216.34.443, flags 0x0002.
    name: 'PFLOG, IPv4 TCP SYN',
    linktype: 117,
    hex: '3d020100656d30000000000000000000000000000000000000000000000000000000000000000005ffffffffffffffff0000' +
      '00000000000000000000020000004500002800010000400600000a0101055db8d822c73801bb000003e8000000005002ffff' +
      '00000000',
    expect: {
      layers: ['Pflog', 'Ipv4', 'Tcp'], ip_version: 4, src: '10.1.1.5', dst: '93.184.216.34', src_port: 51000,
      dst_port: 443, tcp_flags: 0x02, tcp_seq: 1000, payload_len: 0,
    },
  },
  // HAND-MADE ARCNET records around one IPv4/UDP header (10.0.0.1.1234 > 10.0.0.2.53), each written with
  // `text2pcap -l 7|129` and read by tshark 4.0.17 (frame.protocols arcnet:ip:udp, arcnet.protID as below) and
  // tcpdump 4.99 -e (whose print-arcnet.c sets the header lengths: BSD 3/6/10, Linux 5/8). The linktypes corpus has
  // only a Linux capture (arcnet-rfc1201-arp-icmp-http.pcap, checked frame by frame in frames.test.ts).
  {
    // tcpdump: "01 02 ip seqid 0001 34: 10.0.0.1.1234 > 10.0.0.2.53"; tshark arcnet.protID 0xd4, split_flag 0
    name: 'ARCNET BSD (7), RFC 1201 IP: type, split flag, sequence id',
    linktype: 7,
    hex: '0102d40000014500001c00010000401100000a0000010a00000204d2003500080000',
    expect: { layers: ['Arcnet', 'Ipv4', 'Udp'], ip_version: 4, src: '10.0.0.1', dst: '10.0.0.2', src_port: 1234, dst_port: 53, payload_len: 0 },
  },
  {
    // tcpdump: "01 02 ip seqid 0001 38: …"; tshark arcnet.protID 0xd4,0xd4, exception_flag 0xff
    name: 'ARCNET BSD (7), RFC 1201 exception packet: type, flag and sequence id repeated',
    linktype: 7,
    hex: '0102d4ff0001d40000014500001c00010000401100000a0000010a00000204d2003500080000',
    expect: { layers: ['Arcnet', 'Ipv4', 'Udp'], ip_version: 4, src: '10.0.0.1', dst_port: 53 },
  },
  {
    // tcpdump: "01 02 ip seqid 0001 (fragment 2) 34:" and no IP: an even split flag is a later fragment (RFC 1201 §3),
    // whose bytes continue the packet and hold no header. tshark dissects whatever follows; nad follows tcpdump.
    name: 'ARCNET BSD (7), later fragment (split flag 2): counted, not decoded',
    linktype: 7,
    hex: '0102d40200014500001c00010000401100000a0000010a00000204d2003500080000',
    expect: { layers: ['Arcnet'], ip_version: 0, issue: Issue.Unsupported, issue_layer: 'Arcnet', issue_detail: 0x100 },
  },
  {
    // tcpdump: "01 02 oldip 31: …"; tshark arcnet.protID 0xf0 (RFC 1051: no split flag, no sequence id)
    name: 'ARCNET BSD (7), RFC 1051 IP: three-byte header',
    linktype: 7,
    hex: '0102f04500001c00010000401100000a0000010a00000204d2003500080000',
    expect: { layers: ['Arcnet', 'Ipv4', 'Udp'], ip_version: 4, src: '10.0.0.1', dst_port: 53 },
  },
  {
    // tcpdump: "01 02 00 33: …"; tshark arcnet.protID 0xf0 (Linux: offset field, then the type)
    name: 'ARCNET Linux (129), RFC 1051 IP: five-byte header',
    linktype: 129,
    hex: '01020000f04500001c00010000401100000a0000010a00000204d2003500080000',
    expect: { layers: ['ArcnetLinux', 'Ipv4', 'Udp'], ip_version: 4, src: '10.0.0.1', dst_port: 53 },
  },
  {
    name: 'ARCNET Linux (129), header cut short: truncated, not thrown',
    linktype: 129,
    hex: '01020000d400',
    expect: { layers: ['ArcnetLinux'], ip_version: 0, issue: Issue.Truncated, issue_layer: 'ArcnetLinux' },
  },
  {
    // linktypes/unsupported-link-type-160.pcap #1 (tcpdump), tshark: user_dlt:data. tcpdump: UNSUPPORTED
    name: 'LINKTYPE_USER13 (160): counted and named, not decoded',
    linktype: 160,
    hex: '490c6209692334e8efd3a7bf4ec0fd3b43e00b2b2b2b2b',
    expect: { layers: ['Unknown'], ip_version: 0, issue: Issue.Unsupported, issue_layer: 'Unknown', issue_detail: 160 },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const p = packetFromHex(c.hex, c.linktype, c.wirelen);
    decodePacket(p);
    check(p, c.expect, c.name);
  });
}
