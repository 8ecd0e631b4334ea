/**
 * Damage never throws and never loops: real records from ../shared/captures, cut at random lengths, with random
 * bytes flipped and under random link types. Each mutated record sits at the very end of its own buffer, so a
 * read past p.end would throw a RangeError from the DataView instead of silently reading the next record.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createPacket, MAX_LAYERS } from '../../src/decode/layer.js';
import type { Packet } from '../../src/decode/layer.js';
import { createDecodeStats, decodePacket, decodeWarnings, tallyDecode } from '../../src/decode/packet.js';
import { CAPTURES, HAVE_SHARED, SKIP_NO_SHARED } from '../shared.js';
import { readCapture } from './records.js';

/** xorshift32: deterministic, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const LINKTYPES = [0, 1, 9, 10, 50, 101, 104, 105, 108, 113, 117, 127, 192, 226, 228, 229, 239, 242, 258, 276, 160];

function invariants(p: Packet, what: string): void {
  assert.ok(p.n_layers >= 1 && p.n_layers <= MAX_LAYERS, `${what}: n_layers ${p.n_layers}`);
  assert.ok(p.payload_off <= p.payload_end, `${what}: payload_off ${p.payload_off} > payload_end ${p.payload_end}`);
  assert.ok(p.payload_end <= p.end, `${what}: payload_end past the record`);
  assert.ok(p.payload_off >= p.start, `${what}: payload_off before the record`);
  if (p.ip_version !== 0) {
    const len = p.ip_version === 4 ? 4 : 16;
    assert.ok(p.src_ip_off >= p.start && p.src_ip_off + len <= p.end, `${what}: src address outside the record`);
    assert.ok(p.dst_ip_off >= p.start && p.dst_ip_off + len <= p.end, `${what}: dst address outside the record`);
  }
  if (p.arp_tpa_off !== 0) assert.ok(p.arp_tpa_off + 4 <= p.end, `${what}: ARP target outside the record`);
  assert.ok(p.src_port >= 0 && p.src_port <= 0xffff && p.dst_port >= 0 && p.dst_port <= 0xffff, `${what}: ports`);
}

test('random cuts, byte flips and link types never throw, loop or reach past the record', { skip: SKIP_NO_SHARED, timeout: 60_000 }, () => {
  const files = HAVE_SHARED
    ? ['encap', 'linktypes'].flatMap((d) => readdirSync(join(CAPTURES, d)).filter((f) => f.endsWith('.pcap')).map((f) => join(CAPTURES, d, f)))
    : [];
  const next = rng(20261125);
  const p = createPacket();
  const stats = createDecodeStats();
  let cases = 0;
  for (const file of files) {
    const cap = readCapture(file);
    for (const [i, r] of cap.records.entries()) {
      for (let k = 0; k < 12; k++) {
        const len = k === 0 ? r.caplen : Math.floor(next() * (r.caplen + 1));
        const bytes = Buffer.from(cap.buf.subarray(r.start, r.start + len)); // exactly the record: nothing after it
        const flips = k < 4 ? 0 : 1 + Math.floor(next() * 4);
        for (let f = 0; f < flips && len > 0; f++) bytes[Math.floor(next() * len)] = Math.floor(next() * 256);
        p.buf = bytes;
        p.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        p.start = 0;
        p.end = len;
        p.caplen = len;
        p.wirelen = r.wirelen;
        p.linktype = k % 3 === 2 ? (LINKTYPES[Math.floor(next() * LINKTYPES.length)] as number) : r.linktype;
        const what = `${file} record ${i + 1} case ${k} (len ${len}, linktype ${p.linktype})`;
        decodePacket(p);
        invariants(p, what);
        tallyDecode(stats, p);
        cases++;
      }
    }
  }
  assert.ok(cases > 5000, `${cases} cases`);
  // The tallies turn into summary.json warnings without throwing either.
  assert.ok(Object.keys(decodeWarnings(stats)).length > 0);
});

test('nested tunnels stop at MAX_LAYERS with a LayerLimit issue', () => {
  // Hand-made: Ethernet, then 802.1Q tags whose ethertype is again 802.1Q, more than MAX_LAYERS of them.
  const tags = '81000001'.repeat(MAX_LAYERS + 4);
  const hex = `ffffffffffff000000000001${tags}0800`;
  const bytes = Buffer.from(hex, 'hex');
  const p = createPacket();
  p.buf = bytes;
  p.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  p.end = p.caplen = p.wirelen = bytes.length;
  p.linktype = 1;
  decodePacket(p);
  assert.equal(p.n_layers, MAX_LAYERS);
  assert.equal(p.issue, 4); // Issue.LayerLimit
});
