/**
 * File extraction (`--extract-files`, as NetworkMiner and Zeek's FileExtract do): every file seen whole (HTTP bodies
 * both ways and form files, FTP transfers' files, mail attachments) is written to the run's files/ folder under its
 * SHA-256, the value files.csv (and http.csv, ftp.csv, smtp.csv) gives, so a row leads to its file and the same
 * download seen twice is one file. A body is written as
 * it passes to a temporary name (`.….part.PID.tmp`) and renamed when it is whole, or removed when it is not (a gap, cut short, a 206 range, larger than MAX_FILE).
 * Names come from the hash only, never from the wire, and carry no extension: nothing in files/ opens by a click.
 */
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { AppStats } from '../stats.js';

/** A body larger than this is hashed but not extracted. */
const MAX_FILE = 512 << 20;

export class FileExtractor {
  private made = false;
  private next = 0;

  constructor(readonly dir: string, private readonly stats: AppStats) {}

  /** A file for one body, or null when the folder cannot be made (then nothing is extracted, and it is counted). */
  open(): ExtractedFile | null {
    try {
      if (!this.made) {
        mkdirSync(this.dir, { recursive: true });
        this.made = true;
      }
      // Named as export/atomic.ts names its temporary files, so that a later --force run removes one a crash left.
      const path = join(this.dir, `.${threadId}-${this.next++}.part.${process.pid}.tmp`);
      return new ExtractedFile(this, path, openSync(path, 'wx'));
    } catch {
      this.stats.files_not_extracted++;
      return null;
    }
  }

  /** The body ended: kept under its hash when whole (once per hash), else removed. */
  close(f: ExtractedFile, sha256: string): void {
    try {
      closeSync(f.fd);
      const final = join(this.dir, sha256);
      if (sha256 === '' || f.failed) {
        rmSync(f.path, { force: true });
        if (sha256 !== '') this.stats.files_not_extracted++; // whole, but a write failed or it outgrew MAX_FILE
      } else if (existsSync(final)) {
        rmSync(f.path, { force: true }); // the same bytes, extracted before
        this.stats.files_extracted_again++;
      } else {
        renameSync(f.path, final);
        this.stats.files_extracted++;
        this.stats.files_extracted_bytes += f.bytes;
      }
    } catch {
      this.stats.files_not_extracted++;
      rmSync(f.path, { force: true });
    }
  }
}

/** One body being written. */
export class ExtractedFile {
  bytes = 0;
  /** A write failed or the body outgrew MAX_FILE: it will not be kept. */
  failed = false;

  constructor(private readonly owner: FileExtractor, readonly path: string, readonly fd: number) {}

  write(src: Buffer, from: number, to: number): void {
    if (this.failed) return;
    if (this.bytes + (to - from) > MAX_FILE) {
      this.failed = true;
      return;
    }
    try {
      writeSync(this.fd, src, from, to - from);
      this.bytes += to - from;
    } catch {
      this.failed = true;
    }
  }

  close(sha256: string): void {
    this.owner.close(this, sha256);
  }
}
