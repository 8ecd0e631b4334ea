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
    // tshark's first_ts/last_ts skip frames without a time (SPBs, custom blocks), as nad's do.
    assert.equal(s.first_ts, o['first_ts'], 'first_ts');
    assert.equal(s.last_ts, o['last_ts'], 'last_ts');
  });
}
