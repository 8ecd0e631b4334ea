/** Inputs that cannot be read at all: one InputError line naming the file and offset, never a hang. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readCaptures } from '../../src/capture/index.js';
import { InputError } from '../../src/capture/types.js';
import { CAPTURES, SKIP_NO_SHARED } from '../shared.js';

const sink = { packet(): void {} };

async function inputError(inputs: string[]): Promise<InputError> {
  try {
    await readCaptures(inputs, sink);
  } catch (err) {
    assert.ok(err instanceof InputError, String(err));
    assert.ok(!err.message.includes('\n'));
    return err;
  }
  assert.fail('expected an InputError');
}

test('missing file, directory, no input, stdin twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-capture-'));
  try {
    const missing = join(dir, 'nope.pcap');
    assert.equal((await inputError([missing])).message, `${missing}: byte 0: cannot open: no such file or directory (ENOENT)`);
    assert.match((await inputError([dir])).message, /is a directory/);
    assert.match((await inputError([])).message, /no capture file/);
    assert.match((await inputError(['-', '-'])).message, /more than once/);
    // 3 bytes: too short even to tell the format
    writeFileSync(join(dir, 'short'), Buffer.from([0xd4, 0xc3, 0xb2]));
    assert.match((await inputError([join(dir, 'short')])).message, /too short for a capture header: 3 bytes/);
    // gzip of nothing
    writeFileSync(join(dir, 'empty.gz'), Buffer.from('1f8b08000000000000ff03000000000000000000', 'hex'));
    assert.match((await inputError([join(dir, 'empty.gz')])).message, /empty file after gunzip/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one unreadable input among several fails the whole run with its name', { skip: SKIP_NO_SHARED }, async () => {
  const bad = join(CAPTURES, 'corrupt/derived-bad-magic.pcap');
  const err = await inputError([join(CAPTURES, 'app/dns_tcp.pcap'), bad]);
  assert.equal(err.file, bad);
  assert.equal(err.offset, 0);
});
