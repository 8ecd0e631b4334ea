/**
 * Every capture under ../shared/captures/{linktypes,encap,app,format} with a tshark oracle: packets per class
 * (innermost IP version / transport, see stack_class.ts) equal the oracle's protocol_stacks histogram,
 * tshark 4.0.17's `frame.protocols` per frame. Differences are listed below with their reasons.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPacket, Issue, Layer } from '../../src/decode/layer.js';
import { createDecodeStats, decodePacket, decodeWarnings, tallyDecode } from '../../src/decode/packet.js';
import { CAPTURES, HAVE_SHARED, oracle, SKIP_NO_SHARED } from '../shared.js';
import { packetFor, readCapture } from './records.js';
import { nadClass, tsharkClass } from './stack_class.js';

/** Link types nad does not decode (tshark does): every packet must be counted as unsupported, named by number. */
const UNDECODED_LINKTYPES: Record<string, number> = {
  'linktypes/edsa.pcap': 285, // tshark 4.0 cannot open it at all (0 packets in the oracle)
  'linktypes/hoobr_juniper3.pcap': 0x30000084, // tshark refuses the FCS bits; so does nad, loudly
  'linktypes/ieee80211.15.4.pcap': 230,
  'linktypes/slip-bad-direction.pcap': 8,
  'linktypes/unsupported-link-type-160.pcap': 160,
  'linktypes/unsupported-link-type-dbus.pcap': 231,
  'format/vsock-1.pcapng': 271,
};

/** Captures whose class histogram differs from tshark's for a stated reason: the classes that differ. */
const KNOWN: Record<string, { reason: string; classes: string[] }> = {
  'encap/fragmented-1.pcap': {
    reason: 'the second datagram is only a first fragment: nad reads its UDP ports, tshark waits for the rest ' +
      '(and shows "ip:data") because reassembly never completes',
    classes: ['ip/none', 'ip/udp'],
  },
  'encap/fragmented-3.pcap': {
    reason: 'the datagram lacks its last fragment: nad reads the TCP ports of the first fragment, tshark never reassembles',
    classes: ['ip/none', 'ip/tcp'],
  },
  'encap/ipv6-mobility-dst-opts.pcap': {
    reason: 'frame 1 has a Home Address option overrunning its destination-options header: tshark stops there, ' +
      'nad skips the header by its length field and decodes the UDP header behind it',
    classes: ['ipv6/none', 'ipv6/udp'],
  },
};

/** tshark counts pcapng Custom Blocks as frames; they carry no packet, so only the "other" class differs. */
const CUSTOM_BLOCKS = new Set([
  'format/pcapng-tg-be-test202.pcapng', 'format/pcapng-tg-le-test017.pcapng', 'format/pcapng-tg-le-test018.pcapng',
  'format/pcapng-tg-le-test102.pcapng', 'format/pcapng-tg-le-test202.pcapng',
]);

function histogram(entries: Iterable<[string, number]>): Map<string, number> {
  const h = new Map<string, number>();
  for (const [k, n] of entries) h.set(k, (h.get(k) ?? 0) + n);
  return h;
}

const rels = HAVE_SHARED
  ? ['linktypes', 'encap', 'app', 'format'].flatMap((d) => readdirSync(join(CAPTURES, d)).sort().map((f) => `${d}/${f}`))
  : [];

test('packet classes equal tshark protocol_stacks for every capture with an oracle', { skip: SKIP_NO_SHARED }, () => {
  const problems: string[] = [];
  let checked = 0;
  for (const rel of rels) {
    const o = oracle(rel);
    if (o === null || UNDECODED_LINKTYPES[rel] !== undefined) continue;
    const stacks = (o['protocol_stacks'] ?? {}) as Record<string, number>;
    const want = histogram(Object.entries(stacks).map(([s, n]) => [tsharkClass(s), n]));
    const cap = readCapture(join(CAPTURES, rel));
    const p = createPacket();
    const got = histogram(cap.records.map((r) => (decodePacket(packetFor(cap, r, p)), [nadClass(p), 1] as [string, number])));
    const differ = [...new Set([...want.keys(), ...got.keys()])]
      .filter((k) => (want.get(k) ?? 0) !== (got.get(k) ?? 0))
      .filter((k) => !(CUSTOM_BLOCKS.has(rel) && k === 'other'))
      .sort();
    const known = KNOWN[rel];
    if (known !== undefined) assert.deepEqual(differ, known.classes, `${rel}: ${known.reason}`);
    else if (differ.length > 0) {
      problems.push(`${rel}: ${differ.map((k) => `${k} tshark ${want.get(k) ?? 0} nad ${got.get(k) ?? 0}`).join(', ')}`);
    }
    checked++;
  }
  assert.deepEqual(problems, []);
  assert.ok(checked > 100, `checked ${checked} captures`);
});

test('link types nad does not decode are counted and named, never silently dropped', { skip: SKIP_NO_SHARED }, () => {
  for (const [rel, linktype] of Object.entries(UNDECODED_LINKTYPES)) {
    const cap = readCapture(join(CAPTURES, rel));
    const p = createPacket();
    const stats = createDecodeStats();
    for (const r of cap.records) {
      decodePacket(packetFor(cap, r, p));
      assert.equal(p.issue, Issue.Unsupported, rel);
      assert.equal(p.issue_layer, Layer.Unknown, rel);
      tallyDecode(stats, p);
    }
    const warnings = decodeWarnings(stats);
    const w = warnings[`unsupported_linktype_${linktype}`];
    assert.ok(w, `${rel}: warning for linktype ${linktype} in ${JSON.stringify(warnings)}`);
    assert.equal(w.count, cap.records.length, rel);
    assert.match(w.message, new RegExp(`^linktype ${linktype} \\(`), rel);
  }
});
