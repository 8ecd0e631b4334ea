/**
 * Bounded reassembly of one TCP direction by sequence number, for the app parsers that need more than a
 * segment (TLS hellos, HTTP headers, DNS over TCP, SSH banners). Unconsumed bytes are data[start, start+len).
 *
 * Zero-copy first: when nothing is pending and a segment arrives in order, `data` is the packet's own buffer
 * (borrowed); the parser reads it in place and the hook calls keep() before returning, which copies only an
 * unconsumed tail into an owned buffer. Allocating an owned buffer per flow cost more than all the parsing
 * (ArrayBuffer allocation and the GC it triggers: TLS hook on big-500k.pcap, 1.0 s → see src/app/index.ts).
 * Retransmitted bytes are dropped by sequence number; a few out-of-order segments are held; bytes the parser
 * `skip`s (an HTTP body) are counted, never copied. At most `cap` bytes are kept.
 */
import type { Packet } from '../decode/layer.js';

/** Out-of-order segments held at most per direction: enough for a reordered hello, small enough to bound memory. */
const MAX_PENDING = 8;
/**
 * While a tapped body is read (hashed), a lost-and-retransmitted segment can leave a whole TCP window in flight behind
 * it: up to this many segments, at most TAP_WINDOW bytes ahead, wait for it.
 */
const MAX_PENDING_TAPPED = 256;
const TAP_WINDOW = 1 << 20;
const EMPTY = Buffer.alloc(0);

/**
 * Receives the bytes a parser passes over with consumeOrSkip (an HTTP body), buffered or arriving, in order; gap()
 * reports bytes of it that fell into a sequence gap. At most one tap a direction, set by the parser.
 */
export interface BodyTap {
  body(src: Buffer, from: number, to: number): void;
  gap(n: number): void;
}

interface Pending {
  /** Sequence number of data[0]. */
  seq: number;
  data: Buffer;
}

export class StreamBuf {
  /** Unconsumed contiguous bytes: data[start, start + len). Borrowed from the packet until keep(). */
  data: Buffer = EMPTY;
  start = 0;
  len = 0;
  /** Bytes the parser asked to pass over before buffering resumes. */
  skip = 0;
  /** Bytes lost to gaps (never seen) while skipping. */
  missed = 0;
  /** Set when the buffer would have exceeded cap: the parser should give up on this direction. */
  overflow = false;
  /** Where skipped bytes go (http/body.ts), null when nobody looks at them. */
  tap: BodyTap | null = null;
  private readonly cap: number;
  private own: Buffer = EMPTY;
  private borrowed = false;
  /** Sequence number of the next byte expected (the one after data[start + len]), valid once started. */
  private next = 0;
  private started = false;
  private pending: Pending[] | null = null;

  constructor(cap: number) {
    this.cap = cap;
  }

  /** Adds a segment's payload. Returns true when new contiguous bytes arrived or skipped bytes were consumed. */
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
    const d = (seq - this.next) | 0;
    if (d > 0) {
      if (this.skip < d) {
        this.hold(src, off, end, seq);
        return false;
      }
      // Skipped bytes someone taps (a body being hashed) wait for a reordered segment to fill the hole, as long as
      // there is room to hold what came ahead; past that the hole is taken as lost.
      if (this.tap !== null) {
        if (this.hold(src, off, end, seq)) return false;
        // No room to wait: the hole is lost. Jump only to the earliest held segment, whose bytes are here.
        const first = this.earliestPending();
        if (first < d) {
          this.lose(first);
          this.drainPending();
          return this.pushBytes(src, off, end, seq) || true;
        }
      }
      // A gap inside bytes the parser skips anyway (a body): count it as missed and carry on.
      this.lose(d);
    }
    const o = d < 0 ? off - d : off; // drop bytes already seen (retransmission, overlap)
    if (o >= end) return false;
    const grew = this.add(src, o, end);
    return this.drainPending() || grew;
  }

  /** Drops n bytes from the front of the unconsumed data. */
  consume(n: number): void {
    if (n >= this.len) {
      this.start += this.len;
      this.len = 0;
      return;
    }
    this.start += n;
    this.len -= n;
  }

  /** Consumes up to n buffered bytes and skips the rest of n as they arrive. */
  consumeOrSkip(n: number): void {
    if (this.tap !== null && this.len > 0) this.tap.body(this.data, this.start, this.start + Math.min(n, this.len));
    if (n <= this.len) {
      this.consume(n);
      return;
    }
    this.skip += n - this.len;
    this.consume(this.len);
  }

  /** Call before the packet is gone: copies an unconsumed borrowed tail into owned memory. */
  keep(): void {
    if (!this.borrowed) return;
    this.borrowed = false;
    const tail = this.data;
    const from = this.start;
    this.data = this.own;
    this.start = 0;
    const n = this.len;
    this.len = 0;
    if (n > 0) this.copyIn(tail, from, from + n);
  }

  /** Frees memory once the parser is done with this direction. */
  release(): void {
    this.data = EMPTY;
    this.own = EMPTY;
    this.start = 0;
    this.len = 0;
    this.borrowed = false;
    this.pending = null;
  }

  /** In-order bytes src[o, end): skip what the parser skips, then borrow or copy the rest. */
  private add(src: Buffer, o: number, end: number): boolean {
    let from = o;
    const n = end - o;
    if (this.skip > 0) {
      const s = this.skip < n ? this.skip : n;
      if (this.tap !== null) this.tap.body(src, from, from + s);
      this.skip -= s;
      from += s;
      this.next = (this.next + s) >>> 0;
    }
    const rest = end - from;
    if (rest <= 0) return n > 0;
    this.next = (this.next + rest) >>> 0;
    if (this.len === 0 && !this.borrowed) {
      this.data = src;
      this.start = from;
      this.len = rest;
      this.borrowed = true;
      return true;
    }
    if (this.borrowed) this.keep();
    return this.copyIn(src, from, end);
  }

  private copyIn(src: Buffer, from: number, end: number): boolean {
    const rest = end - from;
    const need = this.len + rest;
    if (need > this.cap) {
      this.overflow = true;
      return false;
    }
    if (this.start + need > this.own.length) {
      if (need > this.own.length) {
        let size = this.own.length === 0 ? 2048 : this.own.length * 2;
        while (size < need) size *= 2;
        const grown = Buffer.allocUnsafe(Math.min(size, this.cap));
        this.own.copy(grown, 0, this.start, this.start + this.len);
        this.own = grown;
      } else {
        this.own.copy(this.own, 0, this.start, this.start + this.len);
      }
      this.start = 0;
    }
    src.copy(this.own, this.start + this.len, from, end);
    this.data = this.own;
    this.len = need;
    return true;
  }

  /** Passes over n skipped bytes that never arrived. */
  private lose(n: number): void {
    this.skip -= n;
    this.missed += n;
    if (this.tap !== null) this.tap.gap(n);
    this.next = (this.next + n) >>> 0;
  }

  /** Distance from the next expected byte to the earliest held segment (Infinity when none is held). */
  private earliestPending(): number {
    let min = Infinity;
    for (const seg of this.pending ?? []) {
      const d = (seg.seq - this.next) | 0;
      if (d >= 0 && d < min) min = d;
    }
    return min;
  }

  /** Keeps an early segment for later; false when there is no room for it (MAX_PENDING, or too far ahead). */
  private hold(src: Buffer, off: number, end: number, seq: number): boolean {
    if (this.pending === null) this.pending = [];
    const tapped = this.tap !== null;
    if (this.pending.length >= (tapped ? MAX_PENDING_TAPPED : MAX_PENDING) || ((seq - this.next) | 0) > (tapped ? TAP_WINDOW : this.cap)) return false;
    this.pending.push({ seq: seq >>> 0, data: Buffer.from(src.subarray(off, end)) });
    return true;
  }

  private drainPending(): boolean {
    const q = this.pending;
    if (q === null || q.length === 0) return false;
    let grew = false;
    for (let progress = true; progress && q.length > 0; ) {
      progress = false;
      for (let i = 0; i < q.length; i++) {
        const seg = q[i]!;
        const d = (seg.seq - this.next) | 0;
        if (d > 0) continue;
        q.splice(i, 1);
        // Held segments are owned copies, so they may be borrowed like a packet's bytes.
        if (-d < seg.data.length) grew = this.add(seg.data, -d, seg.data.length) || grew;
        progress = true;
        break;
      }
    }
    return grew;
  }
}
