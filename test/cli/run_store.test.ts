// RunStore (src/cli/analyze.ts) past the memory guard's keep level: the exports take every record; the kept lists take
// only the flows that started before the cut, with their app records — whether a flow's app records arrive before its
// conn (one flow table: hooks emit, then the conn) or after it (--workers: a batch's conns, then its app records).
// The expected sets follow from the timestamps given here.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DnsRecord } from '../../src/app/records.js';
import { RunStore } from '../../src/cli/analyze.js';
import { SpilledExports } from '../../src/export/spill.js';
import type { ConnRecord } from '../../src/flow/conn.js';

// Only the fields the test reads, and what the exports format (duration and rtt are formatted; the rest may be empty cells).
const conn = (uid: string, ts: number): ConnRecord => ({ uid, ts: `${ts}.000000000`, duration: 0 }) as unknown as ConnRecord;
const dns = (uid: string, ts: number): DnsRecord => ({ uid, ts: `${ts}.500000000`, rtt: null }) as unknown as DnsRecord;

test('RunStore: after the cut, flows that started before it are kept with their app records, later ones only exported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-store-'));
  try {
    const store = new RunStore(null);
    store.dns(dns('A', 10));
    store.conn(conn('A', 10));
    assert.equal(store.keeping, true);
    const spill = new SpilledExports(dir);
    store.stopKeeping(spill, 100);
    assert.equal(store.keeping, false);
    // One table's order: app records, then the flow's conn.
    store.dns(dns('B', 120)); store.dns(dns('B', 121));
    store.conn(conn('B', 50)); // started before the cut: kept, with both DNS records
    store.dns(dns('C', 130));
    store.conn(conn('C', 130)); // started after: exported only
    // --workers order: a batch's conns, then its app records.
    store.conn(conn('D', 90));
    store.conn(conn('E', 140));
    store.dns(dns('D', 150));
    store.dns(dns('E', 150));
    store.conn(conn('F', 160)); // the next batch: E's record must not be taken for F's
    store.dns(dns('F', 160));
    assert.deepEqual(store.lists.conns.map((c) => c.uid), ['A', 'B', 'D']);
    assert.deepEqual(store.lists.dns.map((r) => `${r.uid}@${r.ts}`), ['A@10.500000000', 'B@120.500000000', 'B@121.500000000', 'D@150.500000000']);
    assert.equal(spill.flows.count, 6, 'the exports take every flow');
    assert.equal(spill.dnsRows.count, 7, 'and every DNS record');
    spill.discard();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
