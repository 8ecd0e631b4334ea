/**
 * decodePacket allocates nothing per packet: after a warm-up, two million decodes of real records (every capture
 * under encap/ and linktypes/, round robin) cause at most one minor GC. 16 bytes per packet would be 32 MB, several
 * scavenges of V8's young generation. Counts garbage collections, never times anything.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { test } from 'node:test';
import { createPacket } from '../../src/decode/layer.js';
import type { Packet } from '../../src/decode/layer.js';
import { decodePacket } from '../../src/decode/packet.js';
import { CAPTURES, HAVE_SHARED, SKIP_NO_SHARED } from '../shared.js';
import { readCapture } from './records.js';

interface Prepared { p: Packet; starts: Int32Array; ends: Int32Array }

/** One Packet per capture (as one per reader), records as offsets: the loop below touches no object it creates. */
function prepare(): Prepared[] {
  const dirs = HAVE_SHARED ? ['encap', 'linktypes'] : [];
  return dirs.flatMap((d) => readdirSync(join(CAPTURES, d)).filter((f) => f.endsWith('.pcap')).map((f) => {
    const cap = readCapture(join(CAPTURES, d, f));
    const p = createPacket();
    p.buf = cap.buf;
    p.view = new DataView(cap.buf.buffer, cap.buf.byteOffset, cap.buf.byteLength);
    p.linktype = cap.records[0]?.linktype ?? 1;
    return {
      p,
      starts: Int32Array.from(cap.records, (r) => r.start),
      ends: Int32Array.from(cap.records, (r) => r.start + r.caplen),
    };
  }));
}

function run(all: Prepared[], total: number): number {
  let done = 0;
  let ip = 0;
  while (done < total) {
    for (const { p, starts, ends } of all) {
      for (let i = 0; i < starts.length; i++) {
        p.start = starts[i] as number;
        p.end = ends[i] as number;
        p.caplen = p.wirelen = p.end - p.start;
        decodePacket(p);
        ip += p.ip_version === 0 ? 0 : 1;
      }
      done += starts.length;
    }
  }
  return ip;
}

test('two million decodes after a warm-up cause at most one minor GC', { skip: SKIP_NO_SHARED }, async () => {
  const all = prepare();
  run(all, 300_000); // warm-up: feedback and optimized code are allocated here, once
  const minor: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const detail = (e as PerformanceEntry & { detail?: { kind?: number } }).detail;
      if (detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push(e);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const ip = run(all, 2_000_000);
  await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries are delivered on a later tick
  observer.disconnect();
  assert.ok(ip > 1_000_000, `${ip} IP packets decoded`);
  assert.ok(minor.length <= 1, `${minor.length} minor GCs during 2M decodes: something allocates per packet`);
});
