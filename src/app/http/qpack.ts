/**
 * QPACK (RFC 9204), the field compression of HTTP/3, as a passive decoder: one QpackDecoder per direction holds the
 * dynamic table that direction's encoder stream builds (§4.3: Set Dynamic Table Capacity, Insert With Name Reference,
 * Insert With Literal Name, Duplicate) and decodes that direction's field sections (§4.5), with its 99-entry static
 * table (Appendix A) and HPACK's integers, strings and Huffman code (hpack.ts). A section whose Required Insert Count
 * is ahead of the inserts seen so far is blocked (§2.1.2) until the encoder stream catches up. Bounded: the table
 * by the capacity the encoder set (at most MAX_CAPACITY), a section's fields by MAX_FIELDS, the encoder stream's
 * unread tail by MAX_PENDING.
 */
import { readInt, readString, type HeaderField } from './hpack.js';

/** RFC 9204 Appendix A. */
const STATIC: readonly (readonly [string, string])[] = [
  [':authority', ''], [':path', '/'], ['age', '0'], ['content-disposition', ''], ['content-length', '0'], ['cookie', ''],
  ['date', ''], ['etag', ''], ['if-modified-since', ''], ['if-none-match', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['referer', ''], ['set-cookie', ''], [':method', 'CONNECT'], [':method', 'DELETE'], [':method', 'GET'],
  [':method', 'HEAD'], [':method', 'OPTIONS'], [':method', 'POST'], [':method', 'PUT'], [':scheme', 'http'],
  [':scheme', 'https'], [':status', '103'], [':status', '200'], [':status', '304'], [':status', '404'], [':status', '503'],
  ['accept', '*/*'], ['accept', 'application/dns-message'], ['accept-encoding', 'gzip, deflate, br'],
  ['accept-ranges', 'bytes'], ['access-control-allow-headers', 'cache-control'],
  ['access-control-allow-headers', 'content-type'], ['access-control-allow-origin', '*'], ['cache-control', 'max-age=0'],
  ['cache-control', 'max-age=2592000'], ['cache-control', 'max-age=604800'], ['cache-control', 'no-cache'],
  ['cache-control', 'no-store'], ['cache-control', 'public, max-age=31536000'], ['content-encoding', 'br'],
  ['content-encoding', 'gzip'], ['content-type', 'application/dns-message'], ['content-type', 'application/javascript'],
  ['content-type', 'application/json'], ['content-type', 'application/x-www-form-urlencoded'], ['content-type', 'image/gif'],
  ['content-type', 'image/jpeg'], ['content-type', 'image/png'], ['content-type', 'text/css'],
  ['content-type', 'text/html; charset=utf-8'], ['content-type', 'text/plain'], ['content-type', 'text/plain;charset=utf-8'],
  ['range', 'bytes=0-'], ['strict-transport-security', 'max-age=31536000'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains; preload'], ['vary', 'accept-encoding'],
  ['vary', 'origin'], ['x-content-type-options', 'nosniff'], ['x-xss-protection', '1; mode=block'], [':status', '100'],
  [':status', '204'], [':status', '206'], [':status', '302'], [':status', '400'], [':status', '403'], [':status', '421'],
  [':status', '425'], [':status', '500'], ['accept-language', ''], ['access-control-allow-credentials', 'FALSE'],
  ['access-control-allow-credentials', 'TRUE'], ['access-control-allow-headers', '*'],
  ['access-control-allow-methods', 'get'], ['access-control-allow-methods', 'get, post, options'],
  ['access-control-allow-methods', 'options'], ['access-control-expose-headers', 'content-length'],
  ['access-control-request-headers', 'content-type'], ['access-control-request-method', 'get'],
  ['access-control-request-method', 'post'], ['alt-svc', 'clear'], ['authorization', ''],
  ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"], ['early-data', '1'],
  ['expect-ct', ''], ['forwarded', ''], ['if-range', ''], ['origin', ''], ['purpose', 'prefetch'], ['server', ''],
  ['timing-allow-origin', '*'], ['upgrade-insecure-requests', '1'], ['user-agent', ''], ['x-forwarded-for', ''],
  ['x-frame-options', 'deny'], ['x-frame-options', 'sameorigin'],
];

/** The largest dynamic table accepted (browsers offer 64 KiB). */
const MAX_CAPACITY = 1 << 16;
const MAX_FIELDS = 500;
/** Bytes of an encoder stream instruction that has not all arrived, kept before the stream is given up. */
const MAX_PENDING = 1 << 16;

/** Why a field section gave no fields: it must wait for inserts, or it does not decode. */
export const BLOCKED = 'blocked';

export class QpackDecoder {
  /** Entries by absolute index minus `dropped` (the evicted ones), oldest first. */
  private table: HeaderField[] = [];
  private dropped = 0;
  private size = 0;
  private capacity = 0;
  /** The decoder's SETTINGS_QPACK_MAX_TABLE_CAPACITY (the peer's SETTINGS), which Required Insert Count is encoded against. */
  maxCapacity: number;
  private pending: Buffer | null = null;
  /** The encoder stream broke (an instruction that does not decode, or a reference to nothing): nothing decodes after it. */
  dead = false;

  constructor(maxCapacity = 0) {
    this.maxCapacity = maxCapacity;
  }

  /** Entries ever inserted (§3.2.4's Insert Count). */
  get insertCount(): number {
    return this.dropped + this.table.length;
  }

  /** The dynamic table's size as §3.2.1 counts it (names + values + 32 an entry). */
  get tableSize(): number {
    return this.size;
  }

  /** The next bytes of the encoder stream, in order. */
  encoderStream(data: Buffer): void {
    if (this.dead) return;
    const b = this.pending === null ? data : Buffer.concat([this.pending, data]);
    this.pending = null;
    const pos = { o: 0 };
    while (pos.o < b.length) {
      const start = pos.o;
      const r = this.instruction(b, pos);
      if (r === 'more') {
        if (b.length - start > MAX_PENDING) this.dead = true;
        else this.pending = Buffer.from(b.subarray(start));
        return;
      }
      if (r === 'bad') {
        this.dead = true;
        return;
      }
    }
  }

  /** One encoder instruction at pos.o: 'ok', 'more' when it runs past the bytes so far, 'bad' when it is wrong. */
  private instruction(b: Buffer, pos: { o: number }): 'ok' | 'more' | 'bad' {
    const end = b.length;
    const first = b[pos.o]!;
    if (first & 0x80) {
      // §4.3.2 Insert With Name Reference: T bit, 6-bit index (static, or relative to the insert count), value.
      const idx = readInt(b, pos, end, 6);
      if (idx < 0) return 'more';
      const name = first & 0x40 ? STATIC[idx]?.[0] : this.relative(idx)?.[0];
      if (name === undefined) return 'bad';
      const value = readString(b, pos, end);
      if (value === null) return 'more';
      return this.insert([name, value]) ? 'ok' : 'bad';
    }
    if (first & 0x40) {
      // §4.3.3 Insert With Literal Name: H bit and 5-bit name length, then the value.
      const name = readString(b, pos, end, 5);
      if (name === null) return 'more';
      const value = readString(b, pos, end);
      if (value === null) return 'more';
      return this.insert([name, value]) ? 'ok' : 'bad';
    }
    const n = readInt(b, pos, end, 5);
    if (n < 0) return 'more';
    if (first & 0x20) {
      // §4.3.1 Set Dynamic Table Capacity.
      if (n > Math.max(this.maxCapacity, MAX_CAPACITY)) return 'bad';
      this.capacity = n;
      this.evict(0);
      return 'ok';
    }
    // §4.3.4 Duplicate.
    const f = this.relative(n);
    return f !== null && this.insert([f[0], f[1]]) ? 'ok' : 'bad';
  }

  /** An entry by relative index on the encoder stream (§3.2.5: 0 is the newest). */
  private relative(idx: number): HeaderField | null {
    return this.absolute(this.insertCount - 1 - idx);
  }

  private absolute(abs: number): HeaderField | null {
    return abs < this.dropped ? null : this.table[abs - this.dropped] ?? null;
  }

  /** §3.2.2: evicts to make room; an entry larger than the capacity is an error. */
  private insert(f: HeaderField): boolean {
    const size = f[0].length + f[1].length + 32;
    if (size > this.capacity) return false;
    this.evict(size);
    this.table.push(f);
    this.size += size;
    return true;
  }

  private evict(room: number): void {
    while (this.table.length > 0 && this.size + room > this.capacity) {
      const old = this.table.shift()!;
      this.size -= old[0].length + old[1].length + 32;
      this.dropped++;
    }
  }

  /** §4.5.1.1: the Required Insert Count from its encoded form; -1 when it cannot be one. */
  private requiredInsertCount(encoded: number): number {
    if (encoded === 0) return 0;
    const maxEntries = Math.floor(Math.max(this.maxCapacity, this.capacity) / 32);
    const fullRange = 2 * maxEntries;
    if (encoded > fullRange) return -1;
    const maxValue = this.insertCount + maxEntries;
    const maxWrapped = Math.floor(maxValue / fullRange) * fullRange;
    let ric = maxWrapped + encoded - 1;
    if (ric > maxValue) {
      if (ric <= fullRange) return -1;
      ric -= fullRange;
    }
    return ric === 0 ? -1 : ric;
  }

  /**
   * The fields of one field section (a HEADERS frame's payload), BLOCKED when it needs inserts not yet seen, null
   * when it does not decode.
   */
  decode(b: Buffer, off: number, end: number): HeaderField[] | typeof BLOCKED | null {
    const pos = { o: off };
    if (end - off < 2) return null;
    const ric = this.requiredInsertCount(readInt(b, pos, end, 8));
    if (ric < 0 || pos.o >= end) return null;
    const negative = (b[pos.o]! & 0x80) !== 0;
    const delta = readInt(b, pos, end, 7);
    if (delta < 0) return null;
    if (ric > this.insertCount) return this.dead ? null : BLOCKED;
    const base = negative ? ric - delta - 1 : ric + delta;
    if (base < 0) return null;
    // A dynamic reference must be below the Required Insert Count (§2.2.3) and still in the table.
    const dynamic = (abs: number): HeaderField | null => (abs >= 0 && abs < ric ? this.absolute(abs) : null);
    const fields: HeaderField[] = [];
    while (pos.o < end) {
      if (fields.length >= MAX_FIELDS) return null;
      const first = b[pos.o]!;
      let name: string | undefined;
      if (first & 0x80) {
        // §4.5.2 Indexed Field Line: T bit, 6-bit index (static, or base - 1 - index).
        const idx = readInt(b, pos, end, 6);
        if (idx < 0) return null;
        const f = first & 0x40 ? STATIC[idx] : dynamic(base - 1 - idx);
        if (f === undefined || f === null) return null;
        fields.push([f[0], f[1]]);
        continue;
      }
      if ((first & 0xf0) === 0x10) {
        // §4.5.3 Indexed Field Line With Post-Base Index.
        const idx = readInt(b, pos, end, 4);
        const f = idx < 0 ? null : dynamic(base + idx);
        if (f === null) return null;
        fields.push([f[0], f[1]]);
        continue;
      }
      if (first & 0x40) {
        // §4.5.4 Literal Field Line With Name Reference: N bit, T bit, 4-bit index, then the value.
        const idx = readInt(b, pos, end, 4);
        if (idx < 0) return null;
        name = first & 0x10 ? STATIC[idx]?.[0] : dynamic(base - 1 - idx)?.[0];
      } else if (first & 0x20) {
        // §4.5.6 Literal Field Line With Literal Name: N bit, H bit, 3-bit name length.
        name = readString(b, pos, end, 3) ?? undefined;
      } else {
        // §4.5.5 Literal Field Line With Post-Base Name Reference: N bit, 3-bit index.
        const idx = readInt(b, pos, end, 3);
        name = idx < 0 ? undefined : dynamic(base + idx)?.[0];
      }
      if (name === undefined) return null;
      const value = readString(b, pos, end);
      if (value === null) return null;
      fields.push([name, value]);
    }
    return fields;
  }
}
