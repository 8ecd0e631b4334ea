/**
 * HPACK (RFC 7541): the header compression of HTTP/2, decoder side. Integers with an N-bit prefix (§5.1), string
 * literals raw or Huffman-coded (§5.2, the canonical code of Appendix B, rebuilt here from its code lengths), the
 * static table (Appendix A) and a dynamic table with size accounting and eviction (§4). One decoder per direction of
 * a connection: each side's encoder keeps its own table. Bounded and total: a block that does not decode returns null
 * (the caller counts it), never throws, and no length read from the wire sizes an allocation beyond the block itself.
 */

/** RFC 7541 Appendix A. Index 1 is STATIC[0]. */
const STATIC: readonly (readonly [string, string])[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

/** Appendix B: the code length of each symbol 0..255, then EOS (256). The codes are canonical, so lengths suffice. */
const CODE_LEN = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, 19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30,
];
const EOS = 256;

/**
 * The decoding tree, as two child arrays over node indexes: node 0 is the root; a child value v >= 0 is another
 * node, v < 0 is the leaf of symbol -v - 1. Built once at load from the canonical code.
 */
const { zero: TREE0, one: TREE1 } = buildTree();

function buildTree(): { zero: Int16Array; one: Int16Array } {
  const zero = new Int16Array(512);
  const one = new Int16Array(512);
  let nodes = 1;
  const order = CODE_LEN.map((len, sym) => ({ len, sym })).sort((a, b) => a.len - b.len || a.sym - b.sym);
  let code = 0;
  let prevLen = order[0]!.len;
  for (const { len, sym } of order) {
    code <<= len - prevLen;
    prevLen = len;
    let node = 0;
    for (let bit = len - 1; bit >= 0; bit--) {
      const side = (code >>> bit) & 1 ? one : zero;
      if (bit === 0) side[node] = -sym - 1;
      else {
        if (side[node] === 0) side[node] = nodes++;
        node = side[node]!;
      }
    }
    code++;
  }
  return { zero, one };
}

/** Huffman-decodes buf[off, end) as latin1 text; null on a code that is EOS or padding that is not a prefix of EOS (§5.2). */
export function huffmanDecode(buf: Uint8Array, off: number, end: number): string | null {
  let out = '';
  let node = 0;
  let depth = 0;
  let ones = true;
  for (let i = off; i < end; i++) {
    const byte = buf[i]!;
    for (let bit = 7; bit >= 0; bit--) {
      const b = (byte >> bit) & 1;
      const next = b ? TREE1[node]! : TREE0[node]!;
      depth++;
      ones &&= b === 1;
      if (next < 0) {
        const sym = -next - 1;
        if (sym === EOS) return null;
        out += String.fromCharCode(sym);
        node = 0;
        depth = 0;
        ones = true;
      } else node = next;
    }
  }
  return depth <= 7 && ones ? out : null;
}

/** A header field as decoded: name and value as latin1 strings (HTTP/2 names are lower case on the wire). */
export type HeaderField = [name: string, value: string];

/** The largest dynamic table a decoder accepts (SETTINGS_HEADER_TABLE_SIZE is 4096 by default; browsers ask for 64 KiB). */
const MAX_TABLE = 1 << 16;
/** Header fields a block may hold before it is given up (bounds a hostile block of 1-byte indexed fields). */
const MAX_FIELDS = 500;

export class HpackDecoder {
  /** Newest first, as §2.3.3 numbers them after the static table. */
  private table: HeaderField[] = [];
  private size = 0;
  private maxSize: number;

  /** `maxSize`: the table size the encoder starts from (SETTINGS_HEADER_TABLE_SIZE, 4096 unless the peer said otherwise). */
  constructor(maxSize = 4096) {
    this.maxSize = maxSize;
  }

  /** The dynamic table's size as §4.1 counts it (names + values + 32 an entry). */
  get tableSize(): number {
    return this.size;
  }

  /** The fields of one complete header block (HEADERS plus its CONTINUATIONs), or null when it does not decode. */
  decode(buf: Uint8Array, off: number, end: number): HeaderField[] | null {
    const fields: HeaderField[] = [];
    const pos = { o: off };
    while (pos.o < end) {
      if (fields.length >= MAX_FIELDS) return null;
      const b = buf[pos.o]!;
      if (b & 0x80) {
        // §6.1 indexed field
        const idx = readInt(buf, pos, end, 7);
        const f = idx < 0 ? null : this.entry(idx);
        if (f === null) return null;
        fields.push(f);
      } else if ((b & 0xe0) === 0x20) {
        // §6.3 dynamic table size update
        const size = readInt(buf, pos, end, 5);
        if (size < 0 || size > MAX_TABLE) return null;
        this.maxSize = size;
        this.evict(0);
      } else {
        // §6.2: with incremental indexing (01), without (0000), never indexed (0001)
        const incremental = (b & 0xc0) === 0x40;
        const idx = readInt(buf, pos, end, incremental ? 6 : 4);
        if (idx < 0) return null;
        let name: string | null;
        if (idx === 0) name = readString(buf, pos, end);
        else name = this.entry(idx)?.[0] ?? null;
        if (name === null) return null;
        const value = readString(buf, pos, end);
        if (value === null) return null;
        const f: HeaderField = [name, value];
        fields.push(f);
        if (incremental) this.add(f);
      }
    }
    return fields;
  }

  private entry(idx: number): HeaderField | null {
    if (idx >= 1 && idx <= STATIC.length) {
      const s = STATIC[idx - 1]!;
      return [s[0], s[1]];
    }
    return this.table[idx - STATIC.length - 1] ?? null;
  }

  /** §4.4: an entry larger than the table empties it and is not added. */
  private add(f: HeaderField): void {
    const size = f[0].length + f[1].length + 32;
    this.evict(size);
    if (size > this.maxSize) return;
    this.table.unshift(f);
    this.size += size;
  }

  /** Evicts the oldest entries until `room` more bytes fit (§4.3, §4.4). */
  private evict(room: number): void {
    while (this.table.length > 0 && this.size + room > this.maxSize) {
      const old = this.table.pop()!;
      this.size -= old[0].length + old[1].length + 32;
    }
  }
}

/** §5.1: an integer with an N-bit prefix at pos.o; -1 when it runs past `end` or past 2^28. QPACK's integers too (RFC 9204 §4.1.1). */
export function readInt(buf: Uint8Array, pos: { o: number }, end: number, n: number): number {
  const mask = (1 << n) - 1;
  let v = buf[pos.o++]! & mask;
  if (v < mask) return v;
  let shift = 0;
  for (;;) {
    if (pos.o >= end || shift > 21) return -1;
    const b = buf[pos.o++]!;
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return v;
  }
}

/**
 * §5.2: a string literal (H bit, 7-bit prefix length); null when it runs past `end` or its Huffman code is bad.
 * QPACK (RFC 9204 §4.1.2) also puts names behind shorter prefixes (`n` bits, the H bit just above them).
 */
export function readString(buf: Uint8Array, pos: { o: number }, end: number, n = 7): string | null {
  if (pos.o >= end) return null;
  const huffman = (buf[pos.o]! & (1 << n)) !== 0;
  const len = readInt(buf, pos, end, n);
  if (len < 0 || pos.o + len > end) return null;
  const from = pos.o;
  pos.o += len;
  return huffman ? huffmanDecode(buf, from, from + len) : Buffer.from(buf.buffer, buf.byteOffset + from, len).toString('latin1');
}
