/**
 * A CSV export written in (ts, uid) order without holding every row: rows are encoded as they come, and once there
 * are `runRows` of them they are sorted and written to a temp file beside the target (a "run"); at the end the runs
 * are merged into the export (an external merge sort). So an export of N rows holds at most `runRows` encoded rows
 * and one read buffer per run, whatever N is: this is what lets `--no-detect --no-report` keep memory to the open
 * flows.
 *
 * The order is exactly what an in-memory sort by compareTsUid gives: ties (the records of one flow with the same ts)
 * keep the order they came in, because an earlier run wins a tie and a run's index breaks ties by arrival.
 *
 * A run is a list of frames: u32 LE length of what follows, u16 LE length + the ts, u16 LE length + the uid (both
 * ASCII), then the row's CSV bytes.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { CredentialRecord, DnsRecord, FtpRecord, HttpRecord, SmtpRecord, SshRecord, TlsRecord } from '../app/records.js';
import { compareTsText, type ConnRecord } from '../flow/conn.js';
import type { RecordStore } from '../scale/share.js';
import { dropTempFile, outputError, tempPathFor, trackTempFile, writeFully } from './atomic.js';
import { CsvEncoder, type Column } from './csv.js';
import { FILE_COLUMNS, ftpFiles, httpFiles, smtpFiles, type FileRow } from './files.js';
import { CREDENTIAL_COLUMNS, DNS_COLUMNS, FLOW_COLUMNS, FTP_COLUMNS, HTTP_COLUMNS, SMTP_COLUMNS, SSH_COLUMNS, TLS_COLUMNS } from './tables.js';

/** What a spilled row must have: the sort key of every export. */
export interface Keyed {
  ts: string;
  uid: string;
}

/** Rows held before a run is written (a flow row is ~200 bytes of CSV plus its key: ~4 MB of arena). */
export const RUN_ROWS = 20_000;
/** Runs merged at once; more are first merged in groups of this many (each open run holds one read buffer). */
const FAN_IN = 64;
const WRITE_BLOCK = 1 << 20;
const READ_BLOCK = 1 << 16;

/** Rows per run: RUN_ROWS, or NAD_TEST_SPILL_ROWS (tests force many runs on small captures). */
export function runRows(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env['NAD_TEST_SPILL_ROWS']);
  return Number.isInteger(v) && v > 0 ? v : RUN_ROWS;
}

/** Rows' bytes gathered into blocks of WRITE_BLOCK for `out` (a row larger than a block goes on its own). */
class BlockOut {
  private readonly block = Buffer.allocUnsafe(WRITE_BLOCK);
  private pos = 0;

  constructor(private readonly out: (bytes: Uint8Array) => void) {}

  copy(src: Buffer, from: number, to: number): void {
    const n = to - from;
    if (this.pos + n > this.block.length) this.end();
    if (n > this.block.length) { this.out(src.subarray(from, to)); return; }
    src.copy(this.block, this.pos, from, to);
    this.pos += n;
  }

  /** Hands over what is gathered. */
  end(): void {
    if (this.pos > 0) this.out(this.block.subarray(0, this.pos));
    this.pos = 0;
  }
}

/** A run being written: frames gathered into blocks (BlockOut), each block to the temp file. */
class RunWriter {
  private readonly fd: number;
  private readonly blocks: BlockOut;
  /** A frame's head: its length and the key (ts and uid are a few dozen ASCII bytes). */
  private head = Buffer.allocUnsafe(256);
  private written = 0;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w', 0o600);
    } catch (err) {
      throw outputError(path, 0, err);
    }
    trackTempFile(path);
    this.blocks = new BlockOut((bytes) => {
      try {
        this.written += writeFully(this.fd, bytes);
      } catch (err) {
        throw outputError(this.path, this.written, err);
      }
    });
  }

  /** One frame: the key and the row's bytes, src[from, to). */
  frame(ts: string, uid: string, src: Buffer, from: number, to: number): void {
    const headSize = 4 + 2 + ts.length + 2 + uid.length;
    if (headSize > this.head.length) this.head = Buffer.allocUnsafe(headSize);
    const h = this.head;
    let p = 0;
    h.writeUInt32LE(headSize - 4 + (to - from), p); p += 4;
    h.writeUInt16LE(ts.length, p); p += 2;
    p += h.write(ts, p, 'latin1');
    h.writeUInt16LE(uid.length, p); p += 2;
    p += h.write(uid, p, 'latin1');
    this.blocks.copy(h, 0, p);
    this.blocks.copy(src, from, to);
  }

  close(): void {
    try {
      this.blocks.end();
    } finally {
      closeSync(this.fd);
    }
  }
}

/** A run being read back: the current frame's key and row bytes (valid until the next advance()). */
class RunReader {
  ts = '';
  uid = '';
  rowStart = 0;
  rowEnd = 0;
  buf = Buffer.allocUnsafe(READ_BLOCK);
  private lo = 0;
  private hi = 0;
  private eof = false;
  private readonly fd: number;

  constructor(readonly path: string, readonly index: number) {
    this.fd = openSync(path, 'r');
  }

  /** Moves to the next frame; false at the end of the run. */
  advance(): boolean {
    if (!this.fill(4)) return false;
    const size = this.buf.readUInt32LE(this.lo);
    if (!this.fill(4 + size)) throw new Error(`${this.path}: run ends inside a frame`);
    const b = this.buf;
    let p = this.lo + 4;
    const tsLen = b.readUInt16LE(p); p += 2;
    this.ts = b.toString('latin1', p, p + tsLen); p += tsLen;
    const uidLen = b.readUInt16LE(p); p += 2;
    this.uid = b.toString('latin1', p, p + uidLen); p += uidLen;
    this.rowStart = p;
    this.rowEnd = this.lo + 4 + size;
    this.lo = this.rowEnd;
    return true;
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Makes n bytes from lo available; false when the run ended before any of them. */
  private fill(n: number): boolean {
    if (this.hi - this.lo >= n) return true;
    if (this.lo > 0) {
      this.buf.copy(this.buf, 0, this.lo, this.hi);
      this.hi -= this.lo;
      this.lo = 0;
    }
    if (n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(n);
      this.buf.copy(bigger, 0, 0, this.hi);
      this.buf = bigger;
    }
    while (this.hi < n && !this.eof) {
      const got = readSync(this.fd, this.buf, this.hi, this.buf.length - this.hi, null);
      if (got === 0) this.eof = true;
      this.hi += got;
    }
    return this.hi - this.lo >= n;
  }
}

function before(a: RunReader, b: RunReader): boolean {
  const c = compareTsText(a.ts, b.ts) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);
  return c < 0 || (c === 0 && a.index < b.index);
}

/** Merges runs (each in order) into `each(frame of the smallest run)`, smallest key first; earlier runs win ties. */
function mergeRuns(paths: readonly string[], each: (r: RunReader) => void): void {
  const heap: RunReader[] = [];
  try {
    paths.forEach((p, i) => {
      const r = new RunReader(p, i);
      heap.push(r);
      if (!r.advance()) { r.close(); heap.pop(); }
    });
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
    while (heap.length > 0) {
      const top = heap[0]!;
      each(top);
      if (!top.advance()) {
        top.close();
        const last = heap.pop()!;
        if (heap.length === 0) break;
        heap[0] = last;
      }
      siftDown(heap, 0);
    }
  } finally {
    for (const r of heap) r.close();
  }
}

function siftDown(heap: RunReader[], i: number): void {
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) return;
    const r = l + 1;
    const m = r < n && before(heap[r]!, heap[l]!) ? r : l;
    if (!before(heap[m]!, heap[i]!)) return;
    [heap[i], heap[m]] = [heap[m]!, heap[i]!];
    i = m;
  }
}

/** What the writer of a spilled export needs, whatever its row type. */
export interface SpilledTable {
  readonly target: string;
  readonly count: number;
  writeTo(out: (bytes: Uint8Array) => void): void;
  discard(): void;
}

/**
 * One export (flows.csv, dns.csv…) sorted on disk. add() every row; writeTo() writes the header and every row in
 * order, then removes the runs; discard() removes them on failure. A table that never filled a run is sorted in
 * memory and never touches the disk.
 *
 * A row is encoded when it is added, while the record and its strings are still in the CPU cache, into one byte
 * arena per run; only its sort key (ts, uid) stays on the heap, so the record dies young instead of being copied by
 * every scavenge until its run is written. The run's order is an index sorted by key, and the rows' bytes are copied
 * out in that order.
 */
export class SortedSpill<T extends Keyed> implements SpilledTable {
  /** Rows added. */
  count = 0;
  /** The held rows' keys and where each row's bytes start in the arena (row i ends where row i + 1 starts). */
  private ts: string[] = [];
  private uid: string[] = [];
  private start: number[] = [];
  private arena = Buffer.allocUnsafe(0);
  private used = 0;
  private readonly runs: string[] = [];
  private readonly encoder: CsvEncoder<T>;

  /** `target`: the export's path (runs are temp files beside it). */
  constructor(readonly target: string, private readonly columns: readonly Column<T>[], private readonly limit = runRows()) {
    this.encoder = new CsvEncoder(columns, (bytes) => this.collect(bytes));
  }

  add(r: T): void {
    this.ts.push(r.ts);
    this.uid.push(r.uid);
    this.start.push(this.used);
    this.encoder.row(r);
    this.encoder.end();
    this.count++;
    if (this.ts.length >= this.limit) this.spill();
  }

  /** Header and every row, in (ts, uid) order, as blocks handed to `out`; the runs are removed after. */
  writeTo(out: (bytes: Uint8Array) => void): void {
    const csv = new CsvEncoder(this.columns, out);
    csv.header();
    csv.end();
    if (this.runs.length === 0) {
      const blocks = new BlockOut(out);
      this.inOrder((from, to) => blocks.copy(this.arena, from, to));
      blocks.end();
      this.discard();
      return;
    }
    if (this.ts.length > 0) this.spill();
    try {
      let runs = [...this.runs];
      while (runs.length > FAN_IN) {
        const merged: string[] = [];
        for (let i = 0; i < runs.length; i += FAN_IN) {
          const group = runs.slice(i, i + FAN_IN);
          const w = new RunWriter(this.runPath());
          this.runs.push(w.path);
          mergeRuns(group, (r) => w.frame(r.ts, r.uid, r.buf, r.rowStart, r.rowEnd));
          w.close();
          for (const g of group) dropTempFile(g);
          merged.push(w.path);
        }
        runs = merged;
      }
      const blocks = new BlockOut(out);
      mergeRuns(runs, (r) => blocks.copy(r.buf, r.rowStart, r.rowEnd));
      blocks.end();
    } finally {
      this.discard();
    }
  }

  /** Removes every run (after writeTo, or when the run failed). */
  discard(): void {
    for (const p of this.runs) dropTempFile(p);
    this.runs.length = 0;
    this.release();
    this.arena = Buffer.allocUnsafe(0);
  }

  /** Sorts the rows held, writes them as a run and lets them go. */
  private spill(): void {
    const w = new RunWriter(this.runPath());
    this.runs.push(w.path);
    try {
      this.inOrder((from, to, i) => w.frame(this.ts[i]!, this.uid[i]!, this.arena, from, to));
    } finally {
      w.close();
    }
    this.release();
  }

  /** Each held row's byte range and index, in (ts, uid) order; rows of equal key in the order they were added. */
  private inOrder(each: (from: number, to: number, i: number) => void): void {
    const ts = this.ts, uid = this.uid, start = this.start;
    const n = ts.length;
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => compareTsText(ts[a]!, ts[b]!) || (uid[a]! < uid[b]! ? -1 : uid[a]! > uid[b]! ? 1 : a - b));
    for (const i of order) each(start[i]!, i + 1 < n ? start[i + 1]! : this.used, i);
  }

  /** Lets the held rows go (the arena is kept for the next run). */
  private release(): void {
    this.ts = [];
    this.uid = [];
    this.start = [];
    this.used = 0;
  }

  /** The encoder's bytes, appended to the arena (a row longer than the encoder's block comes in several pieces). */
  private collect(bytes: Uint8Array): void {
    const need = this.used + bytes.length;
    if (need > this.arena.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, 2 * this.arena.length));
      this.arena.copy(bigger, 0, 0, this.used);
      this.arena = bigger;
    }
    this.arena.set(bytes, this.used);
    this.used = need;
  }

  private runPath(): string {
    const ext = extname(this.target);
    const stem = basename(this.target, ext);
    return tempPathFor(join(dirname(this.target), `${stem}.run${this.runs.length}${ext}`));
  }
}

/** Every per-flow export of a run, each a SortedSpill in `dir`: the record store of a run that keeps no records. */
export class SpilledExports implements RecordStore {
  readonly flows: SortedSpill<ConnRecord>;
  readonly dnsRows: SortedSpill<DnsRecord>;
  readonly tlsRows: SortedSpill<TlsRecord>;
  readonly httpRows: SortedSpill<HttpRecord>;
  readonly sshRows: SortedSpill<SshRecord>;
  readonly ftpRows: SortedSpill<FtpRecord>;
  readonly smtpRows: SortedSpill<SmtpRecord>;
  readonly credentialRows: SortedSpill<CredentialRecord>;
  /** files.csv, derived from the HTTP, FTP and SMTP records as they arrive (files.ts). */
  readonly fileRows: SortedSpill<FileRow>;
  /** tls.csv rows from QUIC Initials (summary.json counts them apart). */
  quic = 0;

  constructor(dir: string) {
    this.flows = new SortedSpill(join(dir, 'flows.csv'), FLOW_COLUMNS);
    this.dnsRows = new SortedSpill(join(dir, 'dns.csv'), DNS_COLUMNS);
    this.tlsRows = new SortedSpill(join(dir, 'tls.csv'), TLS_COLUMNS);
    this.httpRows = new SortedSpill(join(dir, 'http.csv'), HTTP_COLUMNS);
    this.sshRows = new SortedSpill(join(dir, 'ssh.csv'), SSH_COLUMNS);
    this.ftpRows = new SortedSpill(join(dir, 'ftp.csv'), FTP_COLUMNS);
    this.smtpRows = new SortedSpill(join(dir, 'smtp.csv'), SMTP_COLUMNS);
    this.credentialRows = new SortedSpill(join(dir, 'credentials.csv'), CREDENTIAL_COLUMNS);
    this.fileRows = new SortedSpill(join(dir, 'files.csv'), FILE_COLUMNS);
  }

  conn(c: ConnRecord): void { this.flows.add(c); }
  dns(r: DnsRecord): void { this.dnsRows.add(r); }
  tls(r: TlsRecord): void {
    if (r.transport === 'quic') this.quic++;
    this.tlsRows.add(r);
  }
  http(r: HttpRecord): void {
    this.httpRows.add(r);
    for (const f of httpFiles(r)) this.fileRows.add(f);
  }
  ssh(r: SshRecord): void { this.sshRows.add(r); }
  ftp(r: FtpRecord): void {
    this.ftpRows.add(r);
    for (const f of ftpFiles(r)) this.fileRows.add(f);
  }
  smtp(r: SmtpRecord): void {
    this.smtpRows.add(r);
    for (const f of smtpFiles(r)) this.fileRows.add(f);
  }
  credential(r: CredentialRecord): void { this.credentialRows.add(r); }

  /** The app-layer exports (flows.csv is written on its own, as soon as the input ends). */
  appTables(): SpilledTable[] {
    return [this.dnsRows, this.tlsRows, this.httpRows, this.sshRows, this.ftpRows, this.smtpRows, this.credentialRows, this.fileRows];
  }

  discard(): void {
    this.flows.discard();
    for (const t of this.appTables()) t.discard();
  }
}
