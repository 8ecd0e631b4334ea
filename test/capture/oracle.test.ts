/**
 * Every capture of ../shared/captures/{format,linktypes,encap,app} that has a tshark oracle: packet count, first_ts
 * and last_ts equal tshark 4.0.17's strings (oracles/<rel>.json, made by make-oracles.sh), captured bytes equal its
 * total_cap_len. Where nad and tshark rightly differ, the case below says why.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CAPTURES, HAVE_SHARED, SKIP_NO_SHARED, oracle } from '../shared.js';
import { readAll } from './read.js';

const DIRS = ['format', 'linktypes', 'encap', 'app'] as const;

/**
 * tshark 4.0 cannot open these link types (oracle: 0 packets, rc 2); the counts are tcpdump 4.99.3's
 * (`tcpdump -r FILE | wc -l`), an independent reader.
 */
const TCPDUMP_COUNTS: Readonly<Record<string, number>> = {
  'linktypes/edsa.pcap': 10,
  'linktypes/hoobr_juniper3.pcap': 1,
};

/**
 * tcpdump's timestamp_invalid_*.pcap: record 1 is valid, records 2 and 3 (offsets 116 and 208, MANIFEST) have a
 * sub-second field ≥ 1e6 µs / 1e9 ns. tshark prints garbage for them; nad flags both and uses no time from them
 * (src/capture/time.ts), so first_ts = last_ts = record 1's time, which is tshark's first_ts.
 */
const INVALID_SUBSECOND = new Set(['format/timestamp_invalid_micro.pcap', 'format/timestamp_invalid_nano.pcap']);

/**
 * tshark's file encapsulation name (capinfos "File encapsulation") → the LINKTYPE_* numbers Wireshark's
 * pcap-common.c maps to it (tcpdump.org/linktypes.html). 'per-packet' files are checked against per_packet names.
 */
const ENCAP_LINKTYPES: Readonly<Record<string, readonly number[]>> = {
  ether: [1],
  null: [0],
  loop: [108],
  'linux-sll': [113],
  'linux-sll2': [276],
  ppp: [9, 50],
  rawip: [101, 12, 14],
  rawip4: [228],
  rawip6: [229],
  'ieee-802-11': [105],
  'ieee-802-11-radiotap': [127],
  nflog: [239],
  vsock: [271],
  erf: [197],
  'fddi-swapped': [10],
  pktap: [258],
  dbus: [231],
  chdlc: [104],
  user13: [160],
  ppi: [192],
  arcnet_linux: [129],
  slip: [8],
  ipnet: [226],
  'wpan-nofcs': [230],
  'ip-ib': [242],
};
const PER_PACKET_NAMES: Readonly<Record<string, number>> = { Ethernet: 1, 'NULL/Loopback': 0 };

function rels(): string[] {
  if (!HAVE_SHARED) return [];
  return DIRS.flatMap((d) => readdirSync(join(CAPTURES, d)).map((name) => `${d}/${name}`)).filter((rel) => oracle(rel) !== null);
}

test('shared captures present', { skip: SKIP_NO_SHARED }, () => {
  assert.ok(rels().length > 100, 'expected more than 100 captures with oracles');
});

for (const rel of rels()) {
  test(rel, async () => {
    const o = oracle(rel) ?? {};
    const { summaries, seen } = await readAll([join(CAPTURES, rel)]);
    const s = summaries[0];
    assert.ok(s !== undefined);
    assert.equal(s.packets, seen.length, 'summary count = packets delivered');
    assert.equal(s.stopped, null, 'a valid capture reads to its end');
    assert.equal(s.lost_bytes, 0);

    const tcpdump = TCPDUMP_COUNTS[rel];
    if (tcpdump !== undefined) {
      assert.equal(o['tshark_rc'], 2, 'tshark cannot open it');
      assert.equal(s.packets, tcpdump);
      return;
    }
    assert.equal(o['tshark_rc'], 0);

    // tshark turns pcapng Custom Blocks (CB 0xBAD, DCB 0x40000BAD) into "data" frames; nad skips and counts them.
    // Its per-interface histogram counts only the real packets (SPBs on interface 0).
    const custom = (s.skipped_blocks['CB'] ?? 0) + (s.skipped_blocks['DCB'] ?? 0);
    assert.equal(s.packets + custom, o['packets'], 'packets (+ custom blocks) = tshark frames');
    const perIf = o['packets_per_interface_id'] as Record<string, number> | null | undefined;
    if (s.format === 'pcapng') {
      const sum = perIf ? Object.values(perIf).reduce((a, b) => a + b, 0) : 0;
      assert.equal(s.packets, sum, 'packets = sum of tshark frame.interface_id histogram');
    }
    if (custom === 0) assert.equal(s.bytes, o['total_cap_len'], 'captured bytes = tshark total_cap_len');

    if (INVALID_SUBSECOND.has(rel)) {
      assert.equal(s.first_ts, o['first_ts']);
      assert.equal(s.last_ts, o['first_ts'], 'records 2 and 3 give no time');
      assert.deepEqual(
        { count: s.warnings['invalid_subsecond']?.count, first_offset: s.warnings['invalid_subsecond']?.first_offset },
        { count: 2, first_offset: 116 },
      );
      return;
    }
    const encap = (o['link_types'] as { file_encapsulation?: string | null; per_packet?: string[] } | undefined) ?? {};
    if (encap.file_encapsulation === 'per-packet') {
      const names = (encap.per_packet ?? []).map((x) => x.replace(/ \(\d+\)$/, ''));
      assert.deepEqual([...s.link_types].sort(), names.map((n) => PER_PACKET_NAMES[n]).sort(), 'per-packet link types');
    } else if (s.packets > 0 && encap.file_encapsulation) {
      const allowed = ENCAP_LINKTYPES[encap.file_encapsulation];
      assert.ok(allowed !== undefined, `no LINKTYPE for tshark encapsulation ${encap.file_encapsulation}`);
      assert.equal(s.link_types.length, 1, `one link type: ${s.link_types.join(',')}`);
      assert.ok(allowed.includes(s.link_types[0] ?? -1), `link type ${s.link_types[0]} is not tshark's ${encap.file_encapsulation}`);
    }
    // A pcap file with no packet still names its header's link type; otherwise: the packets' link types, in order.
    if (s.packets > 0) assert.deepEqual(s.link_types, [...new Set(seen.map((p) => p.linktype))], 'link_types = those of the packets');

    // tshark's first_ts/last_ts skip frames without a time (SPBs, custom blocks), as nad's do.
    assert.equal(s.first_ts, o['first_ts'], 'first_ts');
    assert.equal(s.last_ts, o['last_ts'], 'last_ts');
  });
}
