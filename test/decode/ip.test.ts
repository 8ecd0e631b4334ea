/**
 * IPv4/IPv6 and transport decoders on real bytes: options, fragments, extension headers, ICMP errors, snaplen
 * cuts. Vectors are records from ../shared/captures (named) with tshark's protocol stack and tcpdump's line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Issue } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { layerName } from '../../src/decode/stats.js';
import { check } from './expect.js';
import type { Expect } from './expect.js';
import { packetFromHex } from './records.js';

interface Case {
  name: string;
  hex: string;
  wirelen?: number;
  expect: Expect;
}

/** app/dns_tcp.pcap #1 (tcpdump), tshark: eth:ethertype:ip:tcp.
 *  tcpdump -nn -v: IP (tos 0x0, ttl 64, id 39720, offset 0, flags [DF], proto TCP (6), length 60)
 *  192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val
 *  2044906138 ecr 0,nop,wscale 7], length 0 */
const SYN = '00112233446600112233445508004500003c9b28400040061376c0a8010bd157f91283f3003523fec80c00000000a002faf0' +
  '0c410000020405b40402080a79e2ca9a0000000001030307';

const cases: Case[] = [
  {
    name: 'TCP SYN with options',
    hex: SYN,
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Tcp'], ip_version: 4, src: '192.168.1.11', dst: '209.87.249.18', ttl: 64,
      ip_len: 60, ip_proto: 6, frag_id: 39720, src_port: 33779, dst_port: 53, tcp_flags: 0x02, tcp_seq: 603899916,
      payload_len: 0, payload_bytes: 0,
    },
  },
  {
    // encap/fragmented-1.pcap #1 (Zeek), tshark (no reassembly): eth:ethertype:ip:udp
    // tcpdump -nn -v: IP (ttl 64, id 242, offset 0, flags [+], proto UDP (17), length 38) 164.1.123.163.123 > 164.1.123.61.137: NTPv0, length 10
    name: 'IPv4 first fragment: ports read, MF set',
    hex: '006097122f580020afba786508004500002600f2200040111af2a4017ba3a4017b3d007b00890012bfe20000000000000000' +
      '00000000000000000000',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Udp'], ip_version: 4, src: '164.1.123.163', dst: '164.1.123.61', frag_off: 0,
      frag_mf: 1, frag_id: 242, src_port: 123, dst_port: 137, payload_len: 10, payload_bytes: 10,
    },
  },
  {
    // encap/fragmented-1.pcap #2 (Zeek), tshark (no reassembly): eth:ethertype:ip:data. Cut here to 38 bytes
    // (wire length 150). tcpdump -nn -v: IP (ttl 64, id 242, offset 48, flags [none], proto UDP (17), length 136)
    //   164.1.123.163 > 164.1.123.61: ip-proto-17
    name: 'IPv4 later fragment: protocol, no ports',
    hex: '006097122f580020afba786508004500008800f2000640113a8aa4017ba3a4017b3d007b0089',
    wirelen: 150,
    expect: {
      layers: ['Ethernet', 'Ipv4'], ip_version: 4, ip_proto: 17, ip_len: 136, frag_off: 48, frag_mf: 0, frag_id: 242,
      src_port: 0, dst_port: 0, payload_len: 116, payload_bytes: 4, issue: Issue.Truncated, issue_layer: 'Ipv4', // 38 - 14 - 20
    },
  },
  {
    // encap/ipv6-hbh-routing0.pcap #1 (Zeek), tshark: eth:ethertype:ipv6:ipv6.hopopts:ipv6.routing:udp:dns
    // tcpdump -nn -v: IP6 (hlim 64, next-header Options (0) payload length: 59) 2001:4f8:4:7:2e0:81ff:fe52:ffff >
    //   2001:4f8:4:7:2e0:81ff:fe52:9a6b: HBH (padn) RT6 (len=4, type=0, segleft=2 …) 53 > 53
    name: 'IPv6 hop-by-hop + routing type 0',
    hex: 'ffffffffffff00000000000086dd60000000003b0040200104f80004000702e081fffe52ffff200104f80004000702e081ff' +
      'fe529a6b2b000104000000001104000200000000200100780001003200000000000000012001007800010032000000000000' +
      '000200350035000b8631585858',
    expect: {
      layers: ['Ethernet', 'Ipv6', 'Udp'], ip_version: 6, src: '2001:4f8:4:7:2e0:81ff:fe52:ffff',
      dst: '2001:4f8:4:7:2e0:81ff:fe52:9a6b', ip_len: 99, ip_proto: 17, src_port: 53, dst_port: 53, payload_len: 3,
    },
  },
  {
    // encap/ipv6-fragmented-dns.pcap #6 (Zeek), tshark (no reassembly): fragment offset 0, more 1, id 2, then UDP
    // 53 > 51851 length 3238. Cut here to 100 bytes (wire length 1494). tcpdump -nn -v: IP6 (hlim 53, next-header
    //   Fragment (44) payload length: 1440) 2607:f740:b::f93 > 2001:470:1f11:81f:d138:5f55:6d4:1fe2: frag (0x00000002:0|1432) 53 > 51851
    name: 'IPv6 first fragment: ports read',
    hex: 'c42c033b6caad8306248c5b586dd6000000005a02c352607f740000b00000000000000000f93200104701f11081fd1385f5506' +
      'd41fe211000001000000020035ca8b0ca6688f9f91850000010001000100020f74787470616464696e675f33323330026e',
    wirelen: 1494,
    expect: {
      layers: ['Ethernet', 'Ipv6', 'Udp'], ip_version: 6, src: '2607:f740:b::f93', ttl: 53, ip_len: 1480,
      ip_proto: 17, frag_off: 0, frag_mf: 1, frag_id: 2, src_port: 53, dst_port: 51851, payload_len: 3230,
      payload_bytes: 30, issue: Issue.Truncated, issue_layer: 'Ipv6', // 100 - 14 - 40 - 8 (fragment header) - 8 (UDP)
    },
  },
  {
    // encap/ipv6-fragmented-dns.pcap #8 (Zeek): the last fragment, cut here to 68 bytes (wire length 436).
    // tcpdump -nn -v: IP6 (hlim 53, next-header Fragment (44) payload length: 382) … frag (0x00000002:2864|374)
    name: 'IPv6 last fragment: protocol from the fragment header, no ports',
    hex: 'c42c033b6caad8306248c5b586dd60000000017e2c352607f740000b00000000000000000f93200104701f11081fd1385f5506' +
      'd41fe211000b3000000002585858585858',
    wirelen: 436,
    expect: {
      layers: ['Ethernet', 'Ipv6'], ip_version: 6, ip_proto: 17, frag_off: 2864, frag_mf: 0, frag_id: 2,
      src_port: 0, dst_port: 0, payload_len: 374, payload_bytes: 6, issue: Issue.Truncated, issue_layer: 'Ipv6', // 68 - 14 - 40 - 8
    },
  },
  {
    // encap/icmp-destunreach-udp.pcap #1 (Zeek), tshark: eth:ethertype:ip:icmp:ip:udp:dns. Cut here to 68 bytes.
    // tcpdump -nn -v: IP (ttl 128, id 10270, proto ICMP (1), length 176) 192.168.1.102 > 192.168.1.1: ICMP
    //   192.168.1.102 udp port 59207 unreachable, length 156
    name: 'ICMP error: the ICMP message is the flow, the quoted UDP is not decoded',
    hex: '0019e3e75d23000bdb6358a60800450000b0281e000080018e77c0a80166c0a80101030303bb00000000450000a337110000' +
      '4011bf81c0a80101c0a801660035e747008f',
    wirelen: 190,
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Icmp'], ip_version: 4, src: '192.168.1.102', dst: '192.168.1.1', ip_proto: 1,
      src_port: 3, dst_port: 3, payload_len: 148, payload_bytes: 26, issue: Issue.Truncated, issue_layer: 'Ipv4', // 68 - 14 - 20 - 8
    },
  },
];

for (const c of cases) {
  test(c.name, () => {
    const p = packetFromHex(c.hex, 1, c.wirelen);
    decodePacket(p);
    check(p, c.expect, c.name);
  });
}

test('the SYN cut at every length: decoded as far as the bytes go, marked truncated where the cut shows', () => {
  // 14 Ethernet + 20 IPv4 + 40 TCP (20 + 20 options) = 74 bytes. IPv4 claims 60 bytes, so any cut after the
  // Ethernet header is noticed by IPv4 (its header cut, or its total length past the captured bytes).
  const full = SYN.length / 2;
  for (let n = 0; n < full; n++) {
    const p = packetFromHex(SYN.slice(0, 2 * n), 1, full);
    decodePacket(p);
    const what = `cut at ${n}`;
    assert.equal(p.issue, Issue.Truncated, what);
    assert.equal(layerName(p.issue_layer), n < 14 ? 'Ethernet' : 'Ipv4', what);
    assert.equal(p.ip_version, n >= 34 ? 4 : 0, what);
    const ports = n >= 34 + 4 ? [33779, 53] : [0, 0]; // ports as soon as the first 4 TCP bytes are there
    assert.deepEqual([p.src_port, p.dst_port], ports, what);
    assert.equal(p.tcp_seq, n >= 34 + 20 ? 603899916 : 0, what);
  }
});
