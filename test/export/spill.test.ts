// The on-disk sorted export (src/export/spill.ts) writes exactly what an in-memory stable sort by (ts, uid) and one
// encodeTable pass write. The reference here is Array.prototype.sort (stable since ES2019) over the same rows; the
// rows include equal keys (a flow's several DNS records with one ts), non-ASCII and quoted cells, and one row larger
// than every block, and the run size is small enough to need the two-level merge (more than 64 runs).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTable, type Column } from '../../src/export/csv.js';
import { SortedSpill } from '../../src/export/spill.js';
import { compareTsUid } from '../../src/flow/conn.js';
import { rng } from '../detect/synth.js';

interface Row { ts: string; uid: string; n: number; text: string }

const COLUMNS: Column<Row>[] = [
  { header: 'ts', get: (r) => r.ts },
  { header: 'uid', get: (r) => r.uid },
  { header: 'n', get: (r) => r.n },
  { header: 'text', get: (r) => r.text },
];

function rows(count: number): Row[] {
  const r = rng(7);
  const out: Row[] = [];
  const texts = ['plain', 'a,b', 'say "hi"', 'line\r\nbreak', '=cmd()', 'ünïcødé ✓', ''];
  for (let i = 0; i < count; i++) {
    // Seconds of different digit counts (compareTsText orders by length first), few distinct uids: many equal keys.
    const sec = Math.floor(r() * 50) * (r() < 0.1 ? 1000 : 1);
    const ts = `${sec}.${String(Math.floor(r() * 3)).padStart(9, '0')}`;
    out.push({ ts, uid: `C${Math.floor(r() * 10)}`, n: i, text: texts[i % texts.length]! });
  }
  out.push({ ts: '5.000000000', uid: 'Cbig', n: -1, text: 'x'.repeat(1 << 19) }); // larger than a write block
  return out;
}

function inMemory(all: readonly Row[]): Buffer {
  const parts: Buffer[] = [];
  encodeTable(COLUMNS, [...all].sort(compareTsUid), (b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts);
}

test('spilled export: the bytes of an in-memory stable sort, through one level of runs and through two', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-spill-'));
  try {
    const all = rows(20_000);
    const want = inMemory(all);
    assert.ok(new Set(all.map((r) => `${r.ts} ${r.uid}`)).size < all.length / 2, 'the rows have many equal keys');
    for (const limit of [1_000_000, 5_000, 150]) {
      const spill = new SortedSpill(join(dir, 'x.csv'), COLUMNS, limit);
      for (const r of all) spill.add(r);
      assert.equal(spill.count, all.length);
      if (limit === 150) assert.ok(readdirSync(dir).length > 64, 'more runs than one merge takes');
      if (limit === 1_000_000) assert.equal(readdirSync(dir).length, 0, 'a table that fits one run never touches the disk');
      const parts: Buffer[] = [];
      spill.writeTo((b) => parts.push(Buffer.from(b)));
      const got = Buffer.concat(parts);
      assert.equal(got.length, want.length, `limit ${limit}`);
      assert.ok(got.equals(want), `limit ${limit}: same bytes`);
      assert.deepEqual(readdirSync(dir), [], `limit ${limit}: no run left behind`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spilled export: discard() removes the runs; an empty table is its header', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-spill-'));
  try {
    const spill = new SortedSpill(join(dir, 'x.csv'), COLUMNS, 10);
    for (const r of rows(100)) spill.add(r);
    assert.ok(readdirSync(dir).length >= 10);
    spill.discard();
    assert.deepEqual(readdirSync(dir), []);
    const empty = new SortedSpill(join(dir, 'y.csv'), COLUMNS, 10);
    const parts: Buffer[] = [];
    empty.writeTo((b) => parts.push(Buffer.from(b)));
    assert.equal(Buffer.concat(parts).toString(), 'ts,uid,n,text\r\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
