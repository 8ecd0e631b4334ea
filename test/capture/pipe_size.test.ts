// enlargePipe (src/capture/pipe_size.ts) checked by what the kernel then accepts, not by what the function returns:
// a non-blocking write into a pipe takes at most the pipe's size (pipe(7): "If there is room to write n bytes …";
// otherwise a partial write), so a 1 MiB write into a fresh pipe takes 64 KiB, and all of it once the pipe is 1 MiB.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { enlargePipe, pipeSize } from '../../src/capture/pipe_size.js';

const skip = process.platform !== 'linux'
  ? 'F_SETPIPE_SZ is Linux only'
  : spawnSync('perl', ['-e', '1']).status !== 0 ? 'perl is not installed: the pipe keeps its size (tested as best effort)' : false;

/** Bytes a non-blocking write of `n` bytes gets into the pipe, then drains it again. */
function accepted(fd: number, n: number): number {
  let w = 0;
  try {
    w = writeSync(fd, Buffer.alloc(n));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
  }
  const buf = Buffer.alloc(1 << 16);
  for (let left = w; left > 0;) left -= readSync(fd, buf, 0, Math.min(buf.length, left), null);
  return w;
}

test('enlargePipe: a 64 KiB pipe takes a 1 MiB write whole afterwards', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-pipe-'));
  const fifo = join(dir, 'p');
  execFileSync('mkfifo', [fifo]);
  // O_RDWR on a FIFO (Linux): one descriptor is both ends, so nothing blocks on open and the pipe can be drained.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  try {
    const before = accepted(fd, 1 << 20);
    assert.ok(before < 1 << 20, `a fresh pipe took ${before} bytes of 1 MiB at once`);
    assert.equal(pipeSize(fd), before);
    assert.equal(enlargePipe(fd), 1 << 20);
    assert.equal(accepted(fd, 1 << 20), 1 << 20);
    assert.equal(pipeSize(fd), 1 << 20);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('enlargePipe on something that is not a pipe changes nothing and does not throw', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nad-pipe-'));
  const fd = openSync(join(dir, 'f'), 'w');
  try {
    assert.equal(enlargePipe(fd), null);
    assert.equal(pipeSize(fd), null);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
