/**
 * Bounded reassembly of one TCP direction by sequence number, for the app parsers that need more than a
 * segment (TLS hellos, HTTP headers, DNS over TCP, SSH banners). It keeps only the unconsumed prefix, up to
 * `cap` bytes, plus a few out-of-order segments; retransmitted bytes are dropped by sequence number.
 * A parser can also `skip` bytes it does not need (an HTTP body): those are counted, never copied.
 */
import type { Packet } from '../decode/layer.js';

/** Out-of-order segments held at most per direction: enough for a reordered hello, small enough to bound memory. */
const MAX_PENDING = 8;

interface Pending {
  /** Sequence number of data[0]. */
  seq: number;
  data: Buffer;
}

export class StreamBuf {
  /** Unconsumed contiguous bytes: buf[0, len). */
  buf: Buffer;
  len = 0;
  /** Bytes the parser asked to pass over before buffering resumes. */
  skip = 0;
  /** Bytes lost to gaps (never seen) while skipping or resynchronising. */
  missed = 0;
  /** Set when the buffer would have exceeded cap: the parser should give up on this direction. */
  overflow = false;
  private readonly cap: number;
  /** Sequence number of the next byte expected (buf[len] once received), valid when started. */
  private next = 0;
  private started = false;
  private pending: Pending[] | null = null;

  constructor(cap: number) {
    this.cap = cap;
    this.buf = Buffer.allocUnsafe(0);
  }

  /** Adds a segment's payload. Returns true when the contiguous data grew or skipped bytes were consumed. */
  push(p: Packet): boolean {
    return this.pushBytes(p.buf, p.payload_off, p.payload_end, p.tcp_seq);
  }

  pushBytes(src: Buffer, off: number, end: number, seq: number): boolean {
    if (end <= off) return false;
    if (!this.started) {
      this.started = true;
      this.next = seq >>> 0;
    }
    // Signed distance in sequence space (RFC 9293 §3.4: arithmetic modulo 2^32).
    const d = ((seq - this.next) | 0);
    if (d > 0) {
      if (this.skip >= d) {
        // A gap inside bytes the parser skips anyway (a body): count it as missed and carry on.
        this.skip -= d;
        this.missed += d;
        this.next = (this.next + d) >>> 0;
        return this.append(src, off, end) || true;
      }
      this.hold(src, off, end, seq);
      return false;
    }
    let o = off - d; // d <= 0: drop the bytes already seen (retransmission, overlap)
    if (o >= end) return false;
    const grew = this.append(src, o, end);
    return this.drainPending() || grew;
  }

  /** Drops n bytes from the front of the buffered data. */
  consume(n: number): void {
    if (n >= this.len) {
      this.len = 0;
      return;
    }
    this.buf.copy(this.buf, 0, n, this.len);
    this.len -= n;
  }

  /** Consumes up to n buffered bytes and skips the rest of n as they arrive. */
  consumeOrSkip(n: number): void {
    if (n <= this.len) {
      this.consume(n);
      return;
    }
    this.skip += n - this.len;
    this.len = 0;
  }

  /** Frees memory once the parser is done with this direction. */
  release(): void {
    this.buf = Buffer.allocUnsafe(0);
    this.len = 0;
    this.pending = null;
  }

  private append(src: Buffer, off: number, end: number): boolean {
    let o = off;
    const n = end - o;
    if (this.skip > 0) {
      const s = this.skip < n ? this.skip : n;
      this.skip -= s;
      o += s;
      this.next = (this.next + s) >>> 0;
    }
    const rest = end - o;
    if (rest <= 0) return n > 0;
    const need = this.len + rest;
    if (need > this.cap) {
      this.overflow = true;
      this.next = (this.next + rest) >>> 0;
      return false;
    }
    if (need > this.buf.length) {
      let size = this.buf.length === 0 ? 2048 : this.buf.length * 2;
      while (size < need) size *= 2;
      if (size > this.cap) size = this.cap;
      const grown = Buffer.allocUnsafe(size);
      this.buf.copy(grown, 0, 0, this.len);
      this.buf = grown;
    }
    src.copy(this.buf, this.len, o, end);
    this.len = need;
    this.next = (this.next + rest) >>> 0;
    return true;
  }

  private hold(src: Buffer, off: number, end: number, seq: number): void {
    if (this.pending === null) this.pending = [];
    if (this.pending.length >= MAX_PENDING) return;
    const d = ((seq - this.next) | 0);
    if (d > this.cap) return;
    this.pending.push({ seq: seq >>> 0, data: Buffer.from(src.subarray(off, end)) });
  }

  private drainPending(): boolean {
    const q = this.pending;
    if (q === null || q.length === 0) return false;
    let grew = false;
    let progress = true;
    while (progress && q.length > 0) {
      progress = false;
      for (let i = 0; i < q.length; i++) {
        const seg = q[i]!;
        const d = ((seg.seq - this.next) | 0);
        if (d > 0) continue;
        q.splice(i, 1);
        if (-d < seg.data.length) grew = this.append(seg.data, -d, seg.data.length) || grew;
        progress = true;
        break;
      }
    }
    return grew;
  }
}
