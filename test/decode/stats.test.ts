/** Issue tallies and their summary.json warnings; link type names (tcpdump.org/linktypes.html). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDecodeStats, decodePacket, decodeWarnings, linkTypeName, tallyDecode } from '../../src/decode/packet.js';
import { packetFromHex } from './records.js';

test('link type names: the registry name, FCS bits named apart, unknown numbers said so', () => {
  assert.equal(linkTypeName(1), 'ETHERNET');
  assert.equal(linkTypeName(160), 'USER13');
  assert.equal(linkTypeName(276), 'LINUX_SLL2');
  assert.equal(linkTypeName(0x30000084), 'JUNIPER_ES with FCS bits 0x3000');
  assert.equal(linkTypeName(9999), 'unknown');
});

test('tallies count by kind with the first offset; warnings are named and counted', () => {
  const stats = createDecodeStats();
  const feed = (hex: string, linktype: number, offset: number, times: number): void => {
    for (let i = 0; i < times; i++) {
      const p = packetFromHex(hex, linktype);
      p.file_offset = offset + i * 100;
      decodePacket(p);
      tallyDecode(stats, p);
    }
  };
  // linktypes/unsupported-link-type-160.pcap #1 (tcpdump: UNSUPPORTED), three times, first at byte 24
  feed('490c6209692334e8efd3a7bf4ec0fd3b43e00b2b2b2b2b', 160, 24, 3);
  // An LLDP frame's Ethernet header (ethertype 0x88cc), twice, first at byte 1000
  feed('0180c200000e001122334455' + '88cc' + '0207046c3b6b0e0001', 1, 1000, 2);
  // A 10-byte Ethernet header cut: truncated, once
  feed('0180c200000e00112233', 1, 5000, 1);
  // A clean packet (RAW IPv4 UDP from linktypes/LINKTYPE_RAW_ipv4.pcap): no issue
  feed('45000039000100004011a695c0a80164090909093039003500251976123401000001000000000000076578616d706c650363' +
    '6f6d0000010001', 101, 6000, 1);
  assert.equal(stats.packets, 7);
  assert.equal(stats.packets_with_issue, 6);
  assert.deepEqual(decodeWarnings(stats), {
    unsupported_linktype_160: { count: 3, first_offset: 24, message: 'linktype 160 (USER13) not decoded: 3 packets' },
    unsupported_ethernet_0x88cc: { count: 2, first_offset: 1000, message: 'Ethernet: ethertype 0x88cc (LLDP) not decoded: 2 packets' },
    truncated_ethernet: {
      count: 1, first_offset: 5000, message: 'Ethernet: cut short (snaplen or damage), decoded as far as the bytes go: 1 packet',
    },
  });
});
