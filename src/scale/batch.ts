/**
 * The batches the dispatcher hands to flow workers (--workers): one header per packet, one after another, in one of
 * a few SharedArrayBuffers per worker, reused in turn (a fresh buffer per batch cost more than the copying: page
 * faults and external-memory GCs). One message per batch, none per packet.
 *
 * A packet's bytes are not copied when they lie in the reader's current chunk: the dispatcher copies each chunk once,
 * whole, into a shared chunk slot (workers.ts), and the header says where (slot, offset). Other packets (a record
 * that spanned two chunks, merged inputs) follow their header in the batch.
 *
 * Record layout (8-byte aligned, little-endian as the host writes typed arrays):
 *   f64 ts_sec | f64 file_offset | f64 now (the whole capture's clock, ms since the epoch)
 *   u32 ts_nsec | u32 caplen | u32 wirelen | u32 linktype | u32 input | u32 length of the bytes
 *   u32 chunk slot (INLINE: the bytes follow) | u32 offset in the slot | 8 unused bytes
 *   [bytes, padded to 8, when INLINE]
 */
import type { Packet } from '../decode/layer.js';

export const BATCH_BYTES = 256 << 10;
export const RECORD_HEAD = 64;
/** Slot field of a record whose bytes follow its header. */
export const INLINE = 0xffffffff;
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

  /** Chunk slots (bits) this batch's headers point into: pinned until the worker has walked the batch. */
  slots = 0;

  /** Whether `bytes` more (recordSize(len) for an INLINE record, RECORD_HEAD for one in a chunk slot) still fit. */
  fits(bytes: number): boolean {
    return this.used + bytes <= this.buf.byteLength;
  }

  /** Writes p's header; its bytes are in chunk slot `slot` at `at`, or (INLINE) copied after it. */
  add(p: Packet, now: number, slot: number, at: number): void {
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
    u32[w + 12] = slot;
    u32[w + 13] = at;
    if (slot === INLINE) {
      p.buf.copy(this.u8, o + RECORD_HEAD, p.start, p.end);
      this.used = o + recordSize(len);
    } else {
      this.slots |= 1 << slot;
      this.used = o + RECORD_HEAD;
    }
  }
}

/** A shared buffer as the Buffer and DataView a Packet points into (made once per buffer, not per packet). */
export interface SharedBytes {
  buf: Buffer;
  view: DataView;
}

export function sharedBytes(b: ArrayBufferLike): SharedBytes {
  return { buf: Buffer.from(b), view: new DataView(b) };
}

/**
 * Walks a received batch: fills the one Packet with each record (no allocation per packet) and calls `each` with
 * the record's clock. `chunks` are the chunk slots, `own` the batch's own bytes.
 */
export function walkBatch(own: SharedBytes, used: number, chunks: readonly SharedBytes[], p: Packet, each: (p: Packet, now: number) => void): void {
  const f64 = new Float64Array(own.buf.buffer, own.buf.byteOffset, used >> 3), u32 = new Uint32Array(own.buf.buffer, own.buf.byteOffset, used >> 2);
  for (let o = 0; o < used; ) {
    const d = o >> 3, w = o >> 2;
    const len = u32[w + 11]!;
    const slot = u32[w + 12]!;
    p.ts_sec = f64[d]!;
    p.file_offset = f64[d + 1]!;
    p.ts_nsec = u32[w + 6]!;
    p.caplen = u32[w + 7]!;
    p.wirelen = u32[w + 8]!;
    p.linktype = u32[w + 9]!;
    p.input = u32[w + 10]!;
    if (slot === INLINE) {
      p.buf = own.buf;
      p.view = own.view;
      p.start = p.off = o + RECORD_HEAD;
      o += recordSize(len);
    } else {
      const c = chunks[slot]!;
      p.buf = c.buf;
      p.view = c.view;
      p.start = p.off = u32[w + 13]!;
      o += RECORD_HEAD;
    }
    p.end = p.start + len;
    each(p, f64[d + 2]!);
  }
}
