/**
 * Every output goes to a temp file beside its target and is renamed into place, so a reader never sees a half-written
 * file, even when nad is killed mid-write. A write that fails (a full disk, a quota, an I/O error) is an OutputError
 * naming the file and how many bytes had been written; the temp file is removed.
 */
import { closeSync, fsync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** An output that could not be written: `nad: FILE: what (after N bytes)`, exit 2. */
export class OutputError extends Error {
  readonly file: string;
  readonly written: number;
  constructor(file: string, written: number, what: string) {
    super(`${file}: ${what} (after ${written} bytes)`);
    this.name = 'OutputError';
    this.file = file;
    this.written = written;
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'I/O error',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOENT: 'no such directory',
  EISDIR: 'a directory of that name is in the way',
};

/** An error of writing `file` as an OutputError (errno codes in words). */
export function outputError(file: string, written: number, err: unknown): OutputError {
  if (err instanceof OutputError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const what = code !== undefined && REASONS[code] !== undefined ? REASONS[code] : err instanceof Error ? err.message : String(err);
  return new OutputError(file, written, what);
}

/** write(2) as writeSync does it: bytes written, maybe fewer than asked. */
export type WriteFn = (fd: number, buf: Uint8Array, off: number, len: number) => number;

const sysWrite: WriteFn = (fd, buf, off, len) => writeSync(fd, buf, off, len);

/**
 * Writes every byte: write(2) may write fewer than asked (a disk filling up writes what fits, and the next write then
 * fails), and writeSync does not loop. A write that makes no progress is an error, never taken as done.
 * Returns the number of bytes written (all of them).
 */
export function writeFully(fd: number, data: string | Uint8Array, write: WriteFn = sysWrite): number {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let off = 0;
  while (off < buf.length) {
    const n = write(fd, buf, off, buf.length - off);
    if (!(n > 0)) throw new Error(`write made no progress at byte ${off} of ${buf.length}`);
    off += n;
  }
  return off;
}

/** Temp files being written now: removed by removeLiveTempFiles() when the process must exit at once. */
const live = new Set<string>();

/** Removes every temp file still being written (a second Ctrl-C): no half-written file is left behind. */
export function removeLiveTempFiles(): void {
  for (const t of live) rmSync(t, { force: true });
  live.clear();
}

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** A temp file another module writes (spill.ts's sorted runs): removed with the others on a second Ctrl-C. */
export function trackTempFile(path: string): void {
  live.add(path);
}

/** Removes a temp file trackTempFile registered, and forgets it. */
export function dropTempFile(path: string): void {
  rmSync(path, { force: true });
  live.delete(path);
}

/** `.NAME.PID.tmp` as tempPathFor names them, for the kinds of file nad writes into an output folder (a user's
 *  `.backup.2024.tmp` is not one of them; `.part` ones are files/' bodies being extracted, app/http/extract.ts). */
const TEMP_NAME = /^\.(.+\.(?:csv|json|jsonl|html|parquet|pcap|part))\.(\d+)\.tmp$/;

/**
 * Removes the temp files that runs killed outright (SIGKILL, the OOM killer, a power cut) left in `dir`: this tool's
 * own names whose process is gone. A temp file of a run still alive (another nad writing there) is left alone.
 */
export function removeStaleTempFiles(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (m === null) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || processAlive(pid)) continue;
    try {
      if (!lstatSync(join(dir, name)).isFile()) continue;
      rmSync(join(dir, name), { force: true });
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but someone else's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes the whole content to path atomically (temp + fsync + rename); on failure no temp file is left. */
export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const w = new AtomicWriter(path);
  try {
    w.write(content);
    w.commit();
  } catch (err) {
    w.abort();
    throw err;
  }
}

/**
 * A file written piece by piece that appears under its name only on commit(). Writes go straight to the temp file:
 * callers hand over large blocks (CsvEncoder's, the edge pcap writer's, whole documents).
 */
export class AtomicWriter {
  readonly path: string;
  private readonly tmp: string;
  private fd: number;
  /** Bytes written to the temp file so far (for the error message). */
  private written = 0;

  constructor(path: string) {
    this.path = path;
    this.tmp = tempPathFor(path);
    try {
      this.fd = openSync(this.tmp, 'w', 0o644);
    } catch (err) {
      throw outputError(path, 0, err);
    }
    live.add(this.tmp);
  }

  /** Writes every byte of `data` now (the caller may reuse a buffer after). */
  write(data: string | Uint8Array): void {
    try {
      this.written += writeFully(this.fd, data);
    } catch (err) {
      throw outputError(this.path, this.written, err);
    }
  }

  /** Fsyncs and renames the temp file into place. */
  commit(): void {
    try {
      fsyncSync(this.fd);
      this.closeAndRename();
    } catch (err) {
      throw outputError(this.path, this.written, err);
    }
  }

  /**
   * commit() with the fsync on libuv's thread pool: the caller goes on (detection, the report) while the kernel writes
   * the file out, and awaits the promise before it reports success. flows.csv of a large capture is hundreds of MB
   * whose fsync blocked the main thread for 25–185 ms (cpu-prof of big.pcap).
   */
  commitAsync(): Promise<void> {
    return new Promise<void>((resolveDone, rejectDone) => {
      fsync(this.fd, (syncErr) => {
        try {
          if (syncErr !== null) throw syncErr;
          this.closeAndRename();
        } catch (err) {
          rejectDone(outputError(this.path, this.written, err));
          return;
        }
        resolveDone();
      });
    });
  }

  /** After the fsync: close (the descriptor is given up first, so a failed close is not retried by abort), rename
   *  into place, and forget the temp file. */
  private closeAndRename(): void {
    const fd = this.fd;
    this.fd = -1;
    closeSync(fd);
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
