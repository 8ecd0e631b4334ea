/**
 * The CRYPTO stream of one direction's Initial packets (RFC 9000 §19.6): frames arrive by offset, possibly
 * out of order and across packets; TLS handshake messages are read from the contiguous prefix. Bounded to CAP.
 */

const CAP = 64 * 1024;
/** Ranges kept before giving up on a badly scattered stream. */
const MAX_RANGES = 64;

export class CryptoStream {
  buf: Buffer = Buffer.alloc(0);
  /** Received [start, end) ranges, sorted and merged. */
  private ranges: number[] = [];
  overflow = false;

  /** Writes data (src[off, end)) at stream offset `at`. */
  write(at: number, src: Buffer, off: number, end: number): void {
    const n = end - off;
    if (n <= 0) return;
    if (at + n > CAP) {
      this.overflow = true;
      return;
    }
    if (at + n > this.buf.length) {
      const grown = Buffer.alloc(Math.min(CAP, Math.max(at + n, this.buf.length * 2, 2048)));
      this.buf.copy(grown);
      this.buf = grown;
    }
    src.copy(this.buf, at, off, end);
    this.addRange(at, at + n);
  }

  /** Frees the buffer once the hello is read. */
  release(): void {
    if (this.buf.length === 0 && this.ranges.length === 0) return; // already released (the hook calls it every packet once the hellos are read)
    this.buf = Buffer.alloc(0);
    this.ranges = [];
  }

  /** Length of the contiguous prefix from offset 0. */
  contiguous(): number {
    return this.ranges.length >= 2 && this.ranges[0] === 0 ? this.ranges[1]! : 0;
  }

  private addRange(s: number, e: number): void {
    const r = this.ranges;
    const out: number[] = [];
    let ns = s;
    let ne = e;
    let placed = false;
    for (let i = 0; i + 1 < r.length; i += 2) {
      const a = r[i]!;
      const b = r[i + 1]!;
      if (b < ns) out.push(a, b);
      else if (a > ne) {
        if (!placed) {
          out.push(ns, ne);
          placed = true;
        }
        out.push(a, b);
      } else {
        ns = Math.min(ns, a);
        ne = Math.max(ne, b);
      }
    }
    if (!placed) out.push(ns, ne);
    if (out.length > 2 * MAX_RANGES) this.overflow = true;
    else this.ranges = out;
  }
}
