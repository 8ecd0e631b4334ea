// Output writing: every byte or an error naming the file. References: the bytes the test asked to write, and the
// kernel's own ENOSPC from /dev/full.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AtomicWriter, OutputError, outputError, writeFileAtomic, writeFully, type WriteFn } from '../../src/export/atomic.js';

test('writeFully goes on after short writes and refuses a write that makes no progress', () => {
  const text = 'héllo, wörld — '.repeat(500);
  const got: number[] = [];
  // A kernel that takes at most 7 bytes per call, as a disk filling up or a signal can make write(2) do.
  const short: WriteFn = (_fd, buf, off, len) => {
    const n = Math.min(7, len);
    for (let i = 0; i < n; i++) got.push(buf[off + i]!);
    return n;
  };
  assert.equal(writeFully(-1, text, short), Buffer.byteLength(text));
  assert.ok(Buffer.from(got).equals(Buffer.from(text, 'utf8')));
  assert.throws(() => writeFully(-1, Buffer.alloc(10), () => 0), /no progress at byte 0 of 10/);
  let calls = 0;
  assert.throws(() => writeFully(-1, Buffer.alloc(10), () => (++calls === 1 ? 4 : 0)), /no progress at byte 4 of 10/);
});

test('a full disk becomes one line naming the file and the bytes written', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, () => {
  const fd = openSync('/dev/full', 'w');
  try {
    writeFully(fd, 'x');
    assert.fail('/dev/full accepted a write');
  } catch (err) {
    const e = outputError('reports/x/flows.csv', 1234, err);
    assert.ok(e instanceof OutputError);
    assert.equal(e.message, 'reports/x/flows.csv: no space left on device (after 1234 bytes)');
  } finally {
    closeSync(fd);
  }
});

test('a failed write leaves no temp file, and a writer into a missing directory says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-atomic-'));
  try {
    // The target is a directory: the temp file is written, the rename fails; the temp file must go.
    const target = join(dir, 'report.html');
    mkdirSync(target);
    assert.throws(() => writeFileAtomic(target, 'x'.repeat(100)), (e: unknown) => e instanceof OutputError && e.message.startsWith(`${target}: `) && e.message.endsWith('(after 100 bytes)'));
    assert.deepEqual(readdirSync(dir), ['report.html']);
    assert.throws(() => new AtomicWriter(join(dir, 'missing', 'flows.csv')), (e: unknown) => e instanceof OutputError && /missing\/flows\.csv: no such directory \(after 0 bytes\)$/.test(e.message));
    // And the ordinary case writes text and bytes in order.
    const w = new AtomicWriter(join(dir, 'ok.csv'));
    w.write('a,b\r\n');
    w.write(Buffer.from('1,2\r\n'));
    w.write('3,4\r\n');
    w.commit();
    assert.equal(readFileSync(join(dir, 'ok.csv'), 'utf8'), 'a,b\r\n1,2\r\n3,4\r\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('commitAsync: the file appears with every byte once the promise resolves; a failed rename rejects with the file named and leaves nothing behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-atomic-'));
  try {
    const w = new AtomicWriter(join(dir, 'flows.csv'));
    const body = 'ts,uid\r\n'.concat('1.000000000,C1\r\n'.repeat(10_000));
    w.write(body);
    const done = w.commitAsync();
    await done;
    assert.equal(readFileSync(join(dir, 'flows.csv'), 'utf8'), body);
    assert.deepEqual(readdirSync(dir), ['flows.csv']);
    // The target is a directory: fsync succeeds, the rename fails.
    const target = join(dir, 'busy');
    mkdirSync(target);
    const bad = new AtomicWriter(target);
    bad.write('x'.repeat(10));
    await assert.rejects(bad.commitAsync(), (e: unknown) => e instanceof OutputError && e.message.startsWith(`${target}: `) && e.message.endsWith('(after 10 bytes)'));
    bad.abort();
    assert.deepEqual(readdirSync(dir).sort(), ['busy', 'flows.csv']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
