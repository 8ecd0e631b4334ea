/**
 * Encapsulations and tunnels on real bytes: the flow is the innermost 5-tuple, the tunnel is recorded in bits.
 * Each vector is a record from ../shared/captures (named), with tshark's protocol stack and tcpdump's line.
 */
import { test } from 'node:test';
import { Issue, Tunnel } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { check } from './expect.js';
import type { Expect } from './expect.js';
import { packetFromHex } from './records.js';

interface Case {
  name: string;
  hex: string;
  wirelen?: number;
  expect: Expect;
}

const cases: Case[] = [
  {
    // encap/vlan-qinqinq.pcap #1 (Zeek), tshark: eth:ethertype:vlan:ethertype:vlan:ethertype:vlan:ethertype:ip:tcp
    // (tags 30, 20, 10). tcpdump -nn -v: IP (ttl 64, id 57230, flags [DF], proto TCP (6), length 64)
    //   141.142.228.5.59856 > 192.150.187.43.80: Flags [S], seq 4263588410, win 65535
    name: 'QinQinQ: outermost VLAN id, QinQ bit',
    hex: '0010db88d2efc8bcc896d2a08100001e810000148100000a080045000040df8e400040066dd38d8ee405c096bb2be9d00050' +
      'fe21323a00000000b002ffff3bc00000020405b4010303040101080a164add200000000004020000',
    expect: {
      layers: ['Ethernet', 'Vlan', 'Vlan', 'Vlan', 'Ipv4', 'Tcp'], tunnel: Tunnel.Vlan | Tunnel.QinQ, vlan: 30,
      ip_version: 4, src: '141.142.228.5', dst: '192.150.187.43', src_port: 59856, dst_port: 80, tcp_flags: 0x02,
      tcp_seq: 4263588410, payload_len: 0,
    },
  },
  {
    // encap/mpls-in-vlan.pcap #2 (Zeek), tshark: eth:ethertype:vlan:ethertype:mpls:ip:tcp. Cut here to its first 80
    // bytes (wire length 1518). tcpdump -nn -v: MPLS (label 16106, tc 0, [S], ttl 44) IP (ttl 48, id 14704,
    //   flags [DF], proto TCP (6), length 1500) 65.65.65.65.80 > 65.65.65.65.32828: Flags [.]
    name: 'MPLS in 802.1Q (VLAN 0), snaplen cut inside the payload',
    hex: '0008e34141410008e341414181000000884703eea12c450005dc397040003006504441414141414141410050803c185ca49e' +
      'a030c48f80100036368500000101080a2f8facbb1f106e24',
    wirelen: 1518,
    expect: {
      layers: ['Ethernet', 'Vlan', 'Mpls', 'Ipv4', 'Tcp'], tunnel: Tunnel.Vlan | Tunnel.Mpls, vlan: 0, ip_version: 4,
      src: '65.65.65.65', dst: '65.65.65.65', ip_len: 1500, src_port: 80, dst_port: 32828, tcp_flags: 0x10,
      payload_len: 1448, payload_bytes: 0, issue: Issue.Truncated, issue_layer: 'Ipv4',
    },
  },
  {
    // encap/pppoe-over-qinq.pcap #1 (Zeek), tshark: eth:ethertype:vlan:ethertype:vlan:ethertype:pppoes:ppp:ip:tcp
    // tcpdump -nn -v: PPPoE [ses 0xf07] IP (ttl 63, id 0, flags [DF], proto TCP (6), length 64) 1.1.1.1.20394 > 2.2.2.2.443: Flags [S], seq 3618128213
    name: 'PPPoE session over QinQ',
    hex: '00000000000100000000000081000e78810009aa886411000f070042002145000040000040003f0635b30101010102020202' +
      '4faa01bbd7a8415500000000b002ffffeced0000020405a0010303060101080a012dd88c0000000004020000',
    expect: {
      layers: ['Ethernet', 'Vlan', 'Vlan', 'Pppoe', 'Ppp', 'Ipv4', 'Tcp'],
      tunnel: Tunnel.Vlan | Tunnel.QinQ | Tunnel.Pppoe, vlan: 0xe78, ip_version: 4, src: '1.1.1.1', dst: '2.2.2.2',
      ttl: 63, src_port: 20394, dst_port: 443, tcp_seq: 3618128213, tcp_flags: 0x02,
    },
  },
  {
    // encap/gre-sample.pcap #1 (Zeek), tshark: eth:ethertype:ip:gre:ip:icmp:data
    // tcpdump -nn -v: IP (ttl 255, proto GRE (47), length 108) 172.27.1.66 > 66.59.109.137: GREv0, length 88
    //   IP (ttl 64, proto ICMP (1), length 84) 66.59.111.190 > 172.28.2.3: ICMP echo request
    name: 'GRE: the inner IPv4 is the flow',
    hex: '00c0ca14b05200022d564afd08004500006c00004000ff2f1e41ac1b0142423b6d890000080045000054000040004001da90' +
      '423b6fbeac1c0203080046c9cb6801007072e63e97190c0008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021' +
      '22232425262728292a2b2c2d2e2f3031323334353637',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Gre', 'Ipv4', 'Icmp'], tunnel: Tunnel.Gre, ip_version: 4, src: '66.59.111.190',
      dst: '172.28.2.3', ttl: 64, ip_proto: 1, src_port: 8, dst_port: 0,
    },
  },
  {
    // encap/gre-erspan3-dot1q.pcap #1 (Zeek), tshark: eth:ethertype:ip:gre:erspan:eth:ethertype:vlan:ethertype:ip:icmp:data
    // tcpdump -nn -v: IP (ttl 64, proto GRE (47), length 146) 172.31.1.23 > 172.31.1.135: GREv0, gre-proto-0x22eb
    //   (inner: VLAN 10, 172.31.10.31 > 172.31.10.2 ICMP echo request, tshark)
    name: 'GRE ERSPAN type III with platform sub-header, inner 802.1Q',
    hex: '0242ac1f018700aecd0007c708004500009200000000402f1f61ac1f0117ac1f0187000022eb200a000070507e5500000007' +
      '0c00000315f742e80050568b6dc700aecd000cf18100000a080045000054bae6400040011363ac1f0a1fac1f0a02080006ba' +
      '002b000440b9575e00000000982c020000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d' +
      '2e2f3031323334353637',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Gre', 'Erspan', 'Ethernet', 'Vlan', 'Ipv4', 'Icmp'],
      tunnel: Tunnel.Gre | Tunnel.Erspan | Tunnel.Vlan, vlan: 10, ip_version: 4, src: '172.31.10.31',
      dst: '172.31.10.2', src_port: 8, dst_port: 0,
    },
  },
  {
    // encap/various_gre.pcap #11 (tcpdump), tshark: eth:ethertype:vlan:ethertype:ip:gre:cmd:ip:gre
    // tcpdump -nn -v: IP (tos 0xc0, ttl 255, id 164, proto GRE (47), length 64) 10.172.64.7 > 10.172.64.6: GREv0,
    //   Flags [key present], key=0x28, length 44 gre-proto-0x8909. The inner GRE is a keepalive (protocol 0).
    name: 'GRE with key, Cisco MetaData, inner GRE keepalive',
    hex: 'aabbcc000100aabbcc000200810004bd080045c0004000a40000ff2f24c60aac40070aac4006200089090000002808000101' +
      '0001000045c0001c00a30000ff2f24eb0aac40060aac40072000000000000028',
    expect: {
      layers: ['Ethernet', 'Vlan', 'Ipv4', 'Gre', 'CiscoMeta', 'Ipv4', 'Gre'], tunnel: Tunnel.Vlan | Tunnel.Gre,
      vlan: 1213, ip_version: 4, src: '10.172.64.6', dst: '10.172.64.7', ip_proto: 47, issue: Issue.Unsupported,
      issue_layer: 'Gre', issue_detail: 0,
    },
  },
  {
    // HAND-MADE (no real ERSPAN type II capture in the corpus), checked with tshark 4.0.17 after `text2pcap`:
    // eth:ethertype:ip:gre:erspan:eth:ethertype:ip:udp:dns, erspan.version 1 (type II), erspan.vlan 100,
    // gre.sequence_number 42; inner 192.168.1.1.5353 > 192.168.1.2.53, UDP length 12.
    name: 'GRE with sequence number, ERSPAN type II, inner UDP',
    hex: '00000000000200000000000108004500005200010000402f00000a0000010a000002100088be0000002a1064000100000000' +
      '0200000000020200000000010800450000200007000021110000c0a80101c0a8010214e90035000c000061626364',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Gre', 'Erspan', 'Ethernet', 'Ipv4', 'Udp'], tunnel: Tunnel.Gre | Tunnel.Erspan,
      ip_version: 4, src: '192.168.1.1', dst: '192.168.1.2', ttl: 33, src_port: 5353, dst_port: 53, payload_len: 4,
    },
  },
  {
    // HAND-MADE, checked with tshark 4.0.17 after `text2pcap`: eth:ethertype:ip:gre:eth:ethertype:ip:udp:dns,
    // GRE flags 0xb000 (checksum, key 0x00001234, sequence 9), protocol 0x6558 (transparent Ethernet bridging).
    name: 'GRE with checksum, key and sequence, transparent Ethernet bridging',
    hex: '00000000000200000000000108004500005200010000402f00000a0000010a000002b00065580000000000001234000000' +
      '090200000000020200000000010800450000200007000021110000c0a80101c0a8010214e90035000c000061626364',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Gre', 'Ethernet', 'Ipv4', 'Udp'], tunnel: Tunnel.Gre, ip_version: 4,
      src: '192.168.1.1', dst: '192.168.1.2', src_port: 5353, dst_port: 53, payload_len: 4,
    },
  },
  {
    // encap/vxlan.pcap #1 (Zeek), tshark: eth:ethertype:ip:udp:vxlan:eth:ethertype:arp
    // tcpdump -nn -v: IP (ttl 64, proto UDP (17), length 78) 192.168.56.11.39924 > 192.168.56.12.4789: VXLAN, flags [I]
    //   (0x08), vni 123 ARP, Request who-has 10.0.0.2 tell 10.0.0.1
    name: 'VXLAN carrying ARP: the outer UDP stays the flow, ARP fields set',
    hex: '080027f21d8c080027ae4d6208004500004ed998400040116f9ec0a8380bc0a8380c9bf412b5003a00000800000000007b00' +
      'ffffffffffffba092b6ef8be08060001080006040001ba092b6ef8be0a0000010000000000000a000002',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Udp', 'Vxlan', 'Ethernet', 'Arp'], tunnel: Tunnel.Vxlan, ip_version: 4,
      src: '192.168.56.11', dst: '192.168.56.12', src_port: 39924, dst_port: 4789, arp_op: 1, arp_tpa: '10.0.0.2',
    },
  },
  {
    // tls/gre-erspan-vxlan.pcap #4 (Arkime), tshark: eth:ethertype:ip:gre:erspan:eth:ethertype:ip:udp:vxlan:eth:ethertype:ip:tcp:http
    // (tshark: ip.src 100.20.9.2,172.16.27.131,10.16.27.12; tcp 65174 → 80, flags 0x0018, 30 bytes: GET /Hello).
    // The VXLAN datagram runs from 4789 to 4790 (VXLAN-GPE's port) with GPE flags I|P and next protocol 3 (Ethernet).
    name: 'VXLAN-GPE from port 4789 to 4790 inside GRE/ERSPAN: three tunnels, the innermost TCP is the flow',
    hex: 'bbbbbbbbbbb1aaaaaaaaaaa10800450000aa00010000402f9ff96414090264140901100088be000000001000001400000001' +
      'ffddfffffff1eeeeeeeeeee1080045000078000100004011eb57ac101b83ac101b7912b512b60064a3990c00000300000000' +
      'ddddddddddd1aabbccddccc108004500004600010000400630030a101b0c0a101b83fe96005000000001000000015018200034' +
      '390000474554202f48656c6c6f2041726b696d6520485454502f312e300d0a0d0a',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Gre', 'Erspan', 'Ethernet', 'Ipv4', 'Udp', 'Vxlan', 'Ethernet', 'Ipv4', 'Tcp'],
      tunnel: Tunnel.Gre | Tunnel.Erspan | Tunnel.Vxlan, ip_version: 4, src: '10.16.27.12', dst: '10.16.27.131',
      ttl: 64, src_port: 65174, dst_port: 80, tcp_flags: 0x18, payload_len: 30, payload_bytes: 30,
    },
  },
  {
    // HAND-MADE, checked with tshark 4.0.17 after `text2pcap`: eth:ethertype:ip:udp:ip:udp:dns, vxlan.next_proto 1
    // (VXLAN-GPE, flags I|P, VNI 42, straight into IPv4); inner 192.168.1.1.5353 > 192.168.1.2.53, ttl 33.
    name: 'VXLAN-GPE to 4790 with next protocol IPv4 (no inner Ethernet)',
    hex: '00000000000200000000000108004500004400070000401166a00a0000010a0000029c4012b6003000000c00000100002a00' +
      '450000200007000021111673c0a80101c0a8010214e90035000c000061626364',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Udp', 'Vxlan', 'Ipv4', 'Udp'], tunnel: Tunnel.Vxlan, ip_version: 4,
      src: '192.168.1.1', dst: '192.168.1.2', ttl: 33, src_port: 5353, dst_port: 53, payload_len: 4,
    },
  },
  {
    // encap/geneve.pcap #1 (Zeek), tshark: eth:ethertype:ip:udp:geneve:eth:ethertype:ip:icmp:data (one 8-byte option)
    // tcpdump -nn -v: IP (proto UDP (17), length 142) 20.0.0.1.50901 > 20.0.0.2.6081: Geneve, Flags [none], vni 0x0,
    //   options [class Standard (0x0) type 0x0 len 8] IP 30.0.0.1 > 30.0.0.2: ICMP echo request
    name: 'Geneve with an option, inner ICMP',
    hex: '001b213cac30001b213cab6408004500008ec473400040114de91400000114000002c6d517c1007a00000200655800000000' +
      '000000010000000a76b5d50aa641b21a43d5fa4c080045000054000040004001fea61e0000011e0000020800c62b41b0001c' +
      'c7989b5300000000c648080000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031' +
      '323334353637',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Udp', 'Geneve', 'Ethernet', 'Ipv4', 'Icmp'], tunnel: Tunnel.Geneve, ip_version: 4,
      src: '30.0.0.1', dst: '30.0.0.2', src_port: 8, dst_port: 0,
    },
  },
  {
    // encap/Teredo.pcap #6 (Zeek), tshark: eth:ethertype:ip:udp:teredo:ipv6:icmpv6 (authentication header, 13 bytes)
    // tcpdump -nn -v: IP (ttl 128, proto UDP (17), length 105) 192.168.2.16.3797 > 65.55.158.80.3544: UDP, length 77
    //   (tshark: fe80::8000:ffff:ffff:fffd > ff02::2, ICMPv6 router solicitation)
    name: 'Teredo with authentication indicator: inner IPv6',
    hex: '001d5adccff10016cf419c2008004500006987c3000080111081c0a8021041379e500ed50dd80055597900010000cd566940' +
      '0b22df88006000000000183afffe800000000000008000fffffffffffdff0200000000000000000000000000028500a91d00' +
      '00000001020000000000008000f12ab9c82815',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Udp', 'Teredo', 'Ipv6', 'Icmp6'], tunnel: Tunnel.Teredo, ip_version: 6,
      src: 'fe80::8000:ffff:ffff:fffd', dst: 'ff02::2', ttl: 255, src_port: 133, dst_port: 0,
    },
  },
  {
    // encap/mpls-over-udp.pcap #1 (tcpdump), tshark: eth:ethertype:ip:udp:mpls:ip:icmp:data
    // tcpdump -nn -v: IP (proto UDP (17), length 116) 10.100.12.170.58699 > 10.100.13.157.6635: MPLS (label 21, tc 0,
    //   [S], ttl 63) IP (ttl 63, proto ICMP (1), length 84) 10.3.0.10 > 10.1.0.10: ICMP echo request
    name: 'MPLS over UDP',
    hex: '529a00c84f88529a00825c62080045000074676f00004011e3fb0a640caa0a640d9de54b19eb006000000001513f45000054' +
      '676f40003f01c0220a03000a0a01000a08007643a6eb001094073f5e00000000458803000000000010111213141516171819' +
      '1a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Udp', 'Mpls', 'Ipv4', 'Icmp'], tunnel: Tunnel.Mpls, ip_version: 4,
      src: '10.3.0.10', dst: '10.1.0.10', ttl: 63, src_port: 8, dst_port: 0,
    },
  },
  {
    // encap/4in6.pcap #1 (Zeek), tshark: eth:ethertype:ipv6:ip:tcp
    // (tshark: outer 2002:4637:d5d3::4637:d5d3 > 2001:4860:0:2001::68; inner 70.55.213.211.31337 > 192.88.99.1.80 [S])
    name: 'IPv4 in IPv6',
    hex: '00901a4165410016cf419c2086dd600000000028044020024637d5d30000000000004637d5d320014860000020010000' +
      '000000000068450000280001000040063b6b4637d5d3c05863017a690050000000000000000050022000d5c40000',
    expect: {
      layers: ['Ethernet', 'Ipv6', 'Ipv4', 'Tcp'], tunnel: Tunnel.IpInIp, ip_version: 4, src: '70.55.213.211',
      dst: '192.88.99.1', src_port: 31337, dst_port: 80, tcp_flags: 0x02,
    },
  },
  {
    // encap/6in4.pcap #1 (Zeek), tshark: eth:ethertype:ip:ipv6:udp:data
    // tcpdump -nn -v: IP (ttl 64, proto IPv6 (41), length 72) 1.2.3.4 > 5.6.7.8: IP6 (hlim 64, next-header UDP (17)
    //   payload length: 12) dead::beef.30000 > cafe::babe.13000: UDP, length 4
    name: 'IPv6 in IPv4',
    hex: '0010db88d2efc8bcc896d2a00800450000480001000040296a79010203040506070860000000000c1140dead000000000000' +
      '000000000000beefcafe000000000000000000000000babe753032c8000c83d258585858',
    expect: {
      layers: ['Ethernet', 'Ipv4', 'Ipv6', 'Udp'], tunnel: Tunnel.IpInIp, ip_version: 6, src: 'dead::beef',
      dst: 'cafe::babe', ip_len: 52, src_port: 30000, dst_port: 13000, payload_len: 4, payload_bytes: 4,
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

test('UDP to 6635 that is not MPLS (a DNS reply to an ephemeral port) stays a plain UDP flow', () => {
  // app/dns_udp.pcap #2 (tcpdump), tshark: eth:ethertype:ip:udp:dns, with ONE edit: destination port 43966 (abbe)
  // rewritten to 6635 (19eb) at byte 36. tcpdump -nn -v: IP (ttl 128, id 45, proto UDP (17), length 252)
  //   209.87.249.18.53 > 192.168.1.11.43966: 22836*- 2/2/5 www.tcpdump.org. A 192.139.46.66, … (224)
  const p = packetFromHex(
    '0011223344550011223344660800450000fc002d00008011ada6d157f912c0a8010b003519eb00e8c4545934850000010002' +
      '00020005037777770774637064756d70036f72670000010001c00c000100010000003c0004c08b2e42c00c00010001000000' +
      '3c0004c6c75868c0100002000100015180001203736e7308636f6f7065726978036e657400c0100002000100015180001203' +
      '6e69630973616e64656c6d616e02636100c06b000100010000012c0004d157f912c06b001c00010000012c00102607f0b000' +
      '0f000000000000babef00dc04d0001000100001c200004616b850fc04d001c000100001c20001026003c0300000000f03c91' +
      'fffe96e8ef0000291000000000000000',
    1,
  );
  decodePacket(p);
  check(p, {
    layers: ['Ethernet', 'Ipv4', 'Udp'], ip_version: 4, src: '209.87.249.18', dst: '192.168.1.11', ttl: 128,
    src_port: 53, dst_port: 6635, payload_len: 224, payload_bytes: 224,
  }, 'dns to 6635');
});

test('UDP from port 4789 to another port is not taken for VXLAN (its source port is a hash, RFC 7348 §5)', () => {
  // The vector above with its GRE/ERSPAN outer layers cut off and the destination port rewritten to 50000: a flow
  // merely sent from 4789, once with a payload that would pass VXLAN's header checks (I flag, inner IPv4 ethertype).
  const eth = 'ddddddddddd1aabbccddccc10800';
  const ip = (len: number): string => `4500${len.toString(16).padStart(4, '0')}00010000401100000a101b0c0a101b83`;
  const udp = (payload: string): string => `12b5c350${(8 + payload.length / 2).toString(16).padStart(4, '0')}0000${payload}`;
  for (const payload of ['0800000000000000aabbccdd', '08000000000000000000000000000000000000000800450000']) {
    const p = packetFromHex(eth + ip(20 + 8 + payload.length / 2) + udp(payload), 1);
    decodePacket(p);
    check(p, {
      layers: ['Ethernet', 'Ipv4', 'Udp'], ip_version: 4, src: '10.16.27.12', dst: '10.16.27.131', src_port: 4789,
      dst_port: 50000, payload_len: payload.length / 2, payload_bytes: payload.length / 2,
    }, payload);
  }
});
