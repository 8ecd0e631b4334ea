/**
 * Every output goes to a temp file beside its target and is renamed into place, so a reader never sees a half-written
 * file, even when nad is killed mid-write.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temp files being written now: removed by removeLiveTempFiles() when the process must exit at once. */
const live = new Set<string>();

/** Removes every temp file still being written (a second Ctrl-C): no half-written file is left behind. */
export function removeLiveTempFiles(): void {
  for (const t of live) rmSync(t, { force: true });
  live.clear();
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Writes the whole content to path atomically (temp + fsync + rename). */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  live.add(tmp);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    if (typeof content === 'string') writeSync(fd, content);
    else writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  live.delete(tmp);
}

/**
 * A file written piece by piece that appears under its name only on commit(). Text is buffered into large blocks (one
 * syscall per ~256 KiB, not per row); CSV comes as blocks of bytes (CsvEncoder).
 */
export class AtomicWriter {
  readonly path: string;
  private readonly tmp: string;
  private fd: number;
  private parts: string[] = [];
  private pending = 0;

  constructor(path: string) {
    this.path = path;
    this.tmp = tempPathFor(path);
    live.add(this.tmp);
    this.fd = openSync(this.tmp, 'w', 0o644);
  }

  /** Text is buffered; bytes are written at once (after the buffered text), so the caller may reuse them. */
  write(text: string | Uint8Array): void {
    if (typeof text !== 'string') {
      this.drain();
      writeSync(this.fd, text);
      return;
    }
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= 1 << 18) this.drain();
  }

  private drain(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(''));
    this.parts = [];
    this.pending = 0;
  }

  /** Flushes, fsyncs and renames the temp file into place. */
  commit(): void {
    this.drain();
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tmp, this.path);
    live.delete(this.tmp);
  }

  /** Drops the temp file (on error). */
  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tmp, { force: true });
    live.delete(this.tmp);
  }
}
