/**
 * The batches the dispatcher hands to flow workers (--workers): packet records copied one after another into one of
 * a few SharedArrayBuffers per worker, reused in turn (a fresh 1 MiB buffer per batch cost more than the copying:
 * page faults and external-memory GCs). One message per batch, none per packet.
 *
 * Record layout (8-byte aligned, little-endian as the host writes typed arrays):
 *   f64 ts_sec | f64 file_offset | f64 now (the whole capture's clock, ms since the epoch)
 *   u32 ts_nsec | u32 caplen | u32 wirelen | u32 linktype | u32 input | u32 length of the bytes that follow
 *   bytes, padded to 8.
 */
import type { Packet } from '../decode/layer.js';

export const BATCH_BYTES = 1 << 20;
export const RECORD_HEAD = 48;
/** States of a ring buffer (one Int32 each): the reader fills a FREE one, the worker frees a FULL one. */
export const FREE = 0, FULL = 1;

/** Room a packet's record takes in a batch. */
export function recordSize(len: number): number {
  return RECORD_HEAD + ((len + 7) & ~7);
}

/** A batch being filled on the dispatcher's side. */
export class BatchWriter {
  readonly buf: ArrayBufferLike;
  used = 0;
  private readonly f64: Float64Array;
  private readonly u32: Uint32Array;
  private readonly u8: Buffer;

  constructor(buf: ArrayBufferLike) {
    this.buf = buf;
    this.f64 = new Float64Array(buf);
    this.u32 = new Uint32Array(buf);
    this.u8 = Buffer.from(buf);
  }

  /** Whether a record of len bytes still fits. */
  fits(len: number): boolean {
    return this.used + recordSize(len) <= this.buf.byteLength;
  }

  /** Copies p's record (buf[start, end)) and header in. The caller has checked fits(). */
  add(p: Packet, now: number): void {
    const o = this.used, len = p.end - p.start;
    const d = o >> 3, w = o >> 2;
    this.f64[d] = p.ts_sec;
    this.f64[d + 1] = p.file_offset;
    this.f64[d + 2] = now;
    const u32 = this.u32;
    u32[w + 6] = p.ts_nsec;
    u32[w + 7] = p.caplen;
    u32[w + 8] = p.wirelen;
    u32[w + 9] = p.linktype;
    u32[w + 10] = p.input;
    u32[w + 11] = len;
    p.buf.copy(this.u8, o + RECORD_HEAD, p.start, p.end);
    this.used = o + recordSize(len);
  }
}

/**
 * Walks a received batch: fills the one Packet with each record (no allocation per packet) and calls `each` with
 * the record's clock.
 */
export function walkBatch(buf: ArrayBufferLike, used: number, p: Packet, each: (p: Packet, now: number) => void): void {
  const f64 = new Float64Array(buf), u32 = new Uint32Array(buf);
  p.buf = Buffer.from(buf);
  p.view = new DataView(buf);
  for (let o = 0; o < used; ) {
    const d = o >> 3, w = o >> 2;
    const len = u32[w + 11]!;
    p.ts_sec = f64[d]!;
    p.file_offset = f64[d + 1]!;
    p.ts_nsec = u32[w + 6]!;
    p.caplen = u32[w + 7]!;
    p.wirelen = u32[w + 8]!;
    p.linktype = u32[w + 9]!;
    p.input = u32[w + 10]!;
    p.start = p.off = o + RECORD_HEAD;
    p.end = p.start + len;
    each(p, f64[d + 2]!);
    o += recordSize(len);
  }
}
