/**
 * Every file of ../shared/captures/corrupt behaves as its MANIFEST row ("what a correct reader must do") says:
 * either InputError naming the byte offset (the CLI's exit 2), or the packets before the damage kept and the damage
 * recorded in the summary (stopped/lost_bytes/warnings). Packet counts are checked against the oracles'
 * packets_read_before_error (tshark 4.0.17); offsets come from the MANIFEST's edit list, or are computed from the
 * oracle as 24 (file header) + packets·16 (record headers) + total_cap_len when the MANIFEST names none.
 * Never a hang: every read here ends (node:test's timeout would fail it).
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../../src/capture/types.js';
import { CAPTURES, HAVE_SHARED, SKIP_NO_SHARED, oracle } from '../shared.js';
import { readCatching } from './read.js';

/** Byte offset of the record after n packets of a classic pcap file, from the oracle's total_cap_len. */
function pcapOffsetAfter(rel: string, n: number): number {
  const o = oracle(`corrupt/${rel}`) ?? {};
  return 24 + n * 16 + Number(o['total_cap_len']);
}

interface Fatal {
  kind: 'throw';
  offset: number;
  /** A phrase the one-line message must contain. */
  says: string;
}
interface Damaged {
  kind: 'kept';
  packets: number;
  /** Where reading stopped, or null when it read to the end. */
  stopped: number | null;
  lost_bytes?: number;
  warning?: { kind: string; count: number; first_offset?: number };
  /** Why nad's count differs from tshark's packets_read_before_error, when it does. */
  differs?: string;
}

const EXPECT: Readonly<Record<string, Fatal | Damaged>> = {
  'derived-bad-magic.pcap': { kind: 'throw', offset: 0, says: 'magic 0xdeadbeef' },
  // tshark treats a 0-byte file as an empty capture (rc 0); the MANIFEST asks for exit 2.
  'derived-empty-file.pcap': { kind: 'throw', offset: 0, says: 'empty file' },
  // record 3 at 208 = 24 + 2·16 + 152 (oracle total_cap_len of the 2 packets before it)
  'derived-pcap-caplen-absurd.pcap': { kind: 'kept', packets: 2, stopped: 208, lost_bytes: 6335 - 208 },
  'derived-pcap-caplen-gt-origlen.pcap': { kind: 'kept', packets: 14, stopped: null, warning: { kind: 'caplen_gt_origlen', count: 1, first_offset: 508 } },
  // records 4, 6, 7, 8, 9 exceed snaplen 100; record 4 starts at 208 + 16 + 66 (record 3's incl_len 0x42) = 290
  'derived-pcap-caplen-gt-snaplen.pcap': { kind: 'kept', packets: 14, stopped: null, warning: { kind: 'caplen_gt_snaplen', count: 5, first_offset: 290 } },
  'derived-pcap-short-global-header.pcap': { kind: 'throw', offset: 0, says: '10 of 24 bytes' },
  'derived-pcap-trailing-garbage.pcap': { kind: 'kept', packets: 14, stopped: 6335, lost_bytes: 7 },
  'derived-pcap-truncated-mid-header.pcap': { kind: 'kept', packets: 7, stopped: 3650, lost_bytes: 8 },
  // 16-byte header + 33 of 66 data bytes
  'derived-pcap-truncated-mid-record.pcap': { kind: 'kept', packets: 13, stopped: 6253, lost_bytes: 16 + 33 },
  'derived-pcapng-absurd-block-length.pcapng': { kind: 'kept', packets: 2, stopped: 808, lost_bytes: 1532 - 808 },
  'derived-pcapng-bad-bom.pcapng': { kind: 'throw', offset: 8, says: 'byte-order magic 0x78563412' },
  'derived-pcapng-bad-interface-id.pcapng': { kind: 'kept', packets: 1, stopped: 432, lost_bytes: 1532 - 432 },
  'derived-pcapng-bad-trailer-length.pcapng': { kind: 'kept', packets: 1, stopped: 432 },
  // tshark 4.0 reads all 4 (MANIFEST: it accepts an unaligned EPB); nad stops, as the row allows: 0 packets → exit 2.
  'derived-pcapng-block-length-unaligned.pcapng': { kind: 'throw', offset: 84, says: 'not a multiple of 4' },
  'derived-pcapng-caplen-exceeds-block.pcapng': { kind: 'throw', offset: 84, says: 'runs past its block' },
  'derived-pcapng-epb-before-idb.pcapng': { kind: 'throw', offset: 64, says: 'interface 0' },
  'derived-pcapng-truncated-mid-block.pcapng': { kind: 'kept', packets: 3, stopped: 1156, lost_bytes: 1344 - 1156 },
  'derived-pcapng-zero-block-length.pcapng': { kind: 'kept', packets: 1, stopped: 432 },
  // 2898-byte capture cut as gzip: the 7 records that decompress completely, then the cut record at 3650.
  'derived-truncated.pcap.gz': { kind: 'kept', packets: 7, stopped: 3650 },
  // second SHB at 480 (`xxd`: 0a0d0d0a at 0x1e0, version 0x0002), its version field 12 bytes in
  'gopacket-le-test901.pcapng': { kind: 'kept', packets: 1, stopped: 480 + 12 },
  'libpcap-linktype-reserved-field-not-zero.pcap': { kind: 'throw', offset: 20, says: '0x00300000' },
  'libpcap-pcap-invalid-version-1.pcap': { kind: 'throw', offset: 4, says: 'version 1.4' },
  // tshark 4.0 reads 1 packet of a 2.5 file; libpcap (the MANIFEST's reference) rejects it.
  'libpcap-pcap-invalid-version-2.pcap': { kind: 'throw', offset: 4, says: 'version 2.5' },
  'libpcap-pcapng-invalid-vers-1.pcapng': { kind: 'throw', offset: 12, says: 'version 0.1' },
  'libpcap-pcapng-invalid-vers-2.pcapng': { kind: 'throw', offset: 12, says: 'version 1.1' },
  'libpcap-shb-option-too-long.pcapng': { kind: 'throw', offset: 0, says: 'trailer' },
  'sv-bug-1450-05-tls_DER-incomplete-content.pcap': { kind: 'kept', packets: 6, stopped: pcapOffsetAfter('sv-bug-1450-05-tls_DER-incomplete-content.pcap', 6) },
  // Record 1 (offset 24, incl_len 188) ends at 228, where record 2 claims incl_len 0x53fe6000: a strict reader stops
  // there. tshark's 2 packets (total_cap_len 189 = 188 + 1) come from libwiretap re-framing the file as a pcap
  // variant with longer record headers (MANIFEST "Surprises"), not from standard pcap framing.
  'sv-bug-6875-01-fuzz.pcap': { kind: 'kept', packets: 1, stopped: 24 + 16 + 188, differs: 'libwiretap pcap-variant heuristics' },
  'sv-smtp-to-comma.pcap': { kind: 'kept', packets: 18, stopped: pcapOffsetAfter('sv-smtp-to-comma.pcap', 18) },
};

const files = HAVE_SHARED ? readdirSync(join(CAPTURES, 'corrupt')) : [];

test('every corrupt capture has an expectation', { skip: SKIP_NO_SHARED }, () => {
  assert.deepEqual(files.filter((f) => EXPECT[f] === undefined), []);
  assert.equal(files.length, 29);
});

for (const name of files) {
  const want = EXPECT[name];
  if (want === undefined) continue;
  test(`corrupt/${name}`, { timeout: 10_000 }, async () => {
    const path = join(CAPTURES, 'corrupt', name);
    const o = oracle(`corrupt/${name}`) ?? {};
    const { error, seen, summaries } = await readCatching([path]);
    if (want.kind === 'throw') {
      assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
      assert.equal(error.offset, want.offset);
      assert.equal(error.file, path);
      assert.ok(error.message.includes(want.says), error.message);
      assert.ok(!error.message.includes('\n'), 'one line');
      assert.equal(seen.length, 0, 'no packet delivered before the error');
      return;
    }
    assert.equal(error, null, `unexpected ${String(error)}`);
    const s = summaries[0];
    assert.ok(s !== undefined);
    assert.equal(seen.length, want.packets);
    assert.equal(s.packets, want.packets);
    if (want.differs === undefined) assert.equal(want.packets, o['packets_read_before_error'], 'same count as tshark');
    if (want.stopped === null) assert.equal(s.stopped, null);
    else {
      assert.equal(s.stopped?.offset, want.stopped, s.stopped?.what);
      assert.ok(s.lost_bytes > 0);
    }
    if (want.lost_bytes !== undefined) assert.equal(s.lost_bytes, want.lost_bytes);
    if (want.warning) {
      const w = s.warnings[want.warning.kind];
      assert.equal(w?.count, want.warning.count);
      if (want.warning.first_offset !== undefined) assert.equal(w?.first_offset, want.warning.first_offset);
    }
    assert.equal(s.size, Number(o['size']), 'the whole file is hashed and counted even after damage');
    assert.equal(s.sha256, o['sha256']);
  });
}
