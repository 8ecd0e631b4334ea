/**
 * IP → autonomous system from the CSV tables of @ip-location-db/asn (RouteViews + RIR + DB-IP ASN Lite, CC-BY-4.0):
 * rows `start,end,asn,org`, one per announced range, sorted by start. No ASN mmdb exists on npm (DEPS.md), so the
 * file is read once, on the first public-address lookup, and searched in place by bisection over its bytes: a probe
 * lands in a line, steps back to its start and reads its first key; a coarse index of one key per 4 KB block narrows
 * the search first. Only that index is built up front. Measured against the former index of every row in typed arrays
 * (asn-ipv4-num.csv, this machine): loading 0.22–0.24 s → 0.11–0.13 s (mostly the file read), 40k lookups
 * 0.02–0.04 s → 0.065 s (big-500k.pcap asks about 12k addresses, big.pcap 39k), and 14 MB less held for both files. Rows must be sorted by start, as the package ships them (test/geo/lookup.test.ts
 * looks up every row of the textual CSV); a line that is not a row (a header) reads as start NaN and is passed over.
 *
 * Keys are doubles: an IPv4 address is its 32-bit number (asn-ipv4-num.csv); an IPv6 address is its top 48 bits
 * (asn-ipv6.csv), exact in a double and exact for every range of /48 or larger, the longest prefix routing tables carry.
 */
import { readFileSync } from 'node:fs';

export interface AsnInfo {
  asn: number;
  org: string;
}

export interface AsnTable {
  /** `key`: the address as a 32-bit number. */
  lookupV4(key: number): AsnInfo | null;
  /** `key`: the top 48 bits of the address, as a number. */
  lookupV6(key: number): AsnInfo | null;
  /** Rows loaded, for the report's methodology section. */
  readonly rows: number;
}

/** One address family: the file's bytes, how its keys are written, and a coarse index of them (`indexBlocks`). */
interface Table {
  buf: Buffer;
  readKey: KeyReader;
  /** Start of the first row in each BLOCK bytes, and that row's key, ascending. */
  blockPos: Uint32Array;
  blockKey: Float64Array;
}

/** Index granularity: ~80 rows a block, so a lookup probes ~7 lines instead of ~19 (40k lookups: 0.15 s → 0.065 s). */
const BLOCK = 4096;

/** One row, as byte offsets into the file where text is concerned; `next` is the start of the following line. */
interface Row {
  start: number;
  end: number;
  asn: number;
  orgStart: number;
  orgEnd: number;
  next: number;
}

const COMMA = 0x2c;
const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COLON = 0x3a;

/** Reads asn-ipv4-num.csv and asn-ipv6.csv; either path may be null to skip that family. */
export function loadAsnCsv(v4NumPath: string | null, v6Path: string | null): AsnTable {
  const v4 = v4NumPath === null ? null : indexBlocks(readFileSync(v4NumPath), readDecimal);
  const v6 = v6Path === null ? null : indexBlocks(readFileSync(v6Path), readIpv6Top48);
  const find = (t: Table | null, key: number): AsnInfo | null => {
    const row = t === null ? null : bisect(t, key);
    return row === null || t === null ? null : { asn: row.asn, org: orgText(t.buf, row) };
  };
  return {
    get rows(): number {
      return countRows(v4) + countRows(v6);
    },
    lookupV4: (key) => find(v4, key),
    lookupV6: (key) => find(v6, key),
  };
}

/** Reads one key at buf[pos], up to the next comma; returns NaN when the field is malformed. */
type KeyReader = (buf: Buffer, pos: number, stop: number) => number;

function indexBlocks(buf: Buffer, readKey: KeyReader): Table {
  const t: Table = { buf, readKey, blockPos: new Uint32Array(0), blockKey: new Float64Array(0) };
  const pos: number[] = [];
  const key: number[] = [];
  for (let b = 0; b < buf.length; b += BLOCK) {
    const p = b === 0 || buf[b - 1] === NL ? b : nextLine(buf, b);
    const k = p < buf.length ? startAt(t, p) : NaN;
    // A line that is not a row (a header) is left out; so is a row already indexed (a line longer than a block).
    if (!Number.isNaN(k) && p !== pos[pos.length - 1]) {
      pos.push(p);
      key.push(k);
    }
  }
  return { ...t, blockPos: Uint32Array.from(pos), blockKey: Float64Array.from(key) };
}

function countRows(t: Table | null): number {
  if (t === null) return 0;
  let n = 0;
  for (let pos = 0; pos < t.buf.length; ) {
    const row = rowAt(t, pos);
    if (!Number.isNaN(row.start)) n++;
    pos = row.next;
  }
  return n;
}

/** The row on the line that starts at `pos`; start is NaN when the line is not a row. */
function rowAt(t: Table, pos: number): Row {
  const buf = t.buf;
  let eol = buf.indexOf(NL, pos);
  if (eol < 0) eol = buf.length;
  const c1 = buf.indexOf(COMMA, pos);
  const c2 = c1 < 0 ? -1 : buf.indexOf(COMMA, c1 + 1);
  const c3 = c2 < 0 ? -1 : buf.indexOf(COMMA, c2 + 1);
  if (!(c3 > 0 && c3 < eol)) return { start: NaN, end: NaN, asn: 0, orgStart: pos, orgEnd: pos, next: eol + 1 };
  return {
    start: t.readKey(buf, pos, c1),
    end: t.readKey(buf, c1 + 1, c2),
    asn: readDecimal(buf, c2 + 1, c3),
    orgStart: c3 + 1,
    orgEnd: eol > c3 + 1 && buf[eol - 1] === CR ? eol - 1 : eol,
    next: eol + 1,
  };
}

/** Start of the line that byte `pos` is in. */
function lineStart(buf: Buffer, pos: number): number {
  return pos === 0 ? 0 : buf.lastIndexOf(NL, pos - 1) + 1;
}

/** Start of the line after the one that starts at `pos`. */
function nextLine(buf: Buffer, pos: number): number {
  const eol = buf.indexOf(NL, pos);
  return eol < 0 ? buf.length : eol + 1;
}

/** Just the first key of the line at `pos` (NaN when it is not one): all a bisection probe needs. */
function startAt(t: Table, pos: number): number {
  const comma = t.buf.indexOf(COMMA, pos);
  return comma < 0 ? NaN : t.readKey(t.buf, pos, comma);
}

/**
 * The last row whose start <= key, if key is also <= its end; null otherwise. The block index gives the block the row
 * is in, then bisection over its byte offsets: every line before `lo` starts at or below the key, every line from `hi`
 * on above it. Only the row found is read whole.
 */
function bisect(t: Table, key: number): Row | null {
  const b = lastAtOrBelow(t.blockKey, key);
  let lo = b < 0 ? 0 : (t.blockPos[b] ?? 0);
  let hi = b + 1 < t.blockPos.length ? (t.blockPos[b + 1] ?? t.buf.length) : t.buf.length;
  let found = -1;
  while (lo < hi) {
    const mid = lineStart(t.buf, lo + Math.floor((hi - lo) / 2));
    if (startAt(t, mid) <= key) {
      found = mid;
      lo = nextLine(t.buf, mid);
    } else hi = mid;
  }
  if (found < 0) return null;
  const row = rowAt(t, found);
  return key <= row.end ? row : null;
}

/** Index of the last value <= key in an ascending array, -1 when there is none. */
function lastAtOrBelow(values: Float64Array, key: number): number {
  let lo = 0;
  let hi = values.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] ?? Infinity) <= key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function readDecimal(buf: Buffer, pos: number, stop: number): number {
  if (pos >= stop) return NaN;
  let v = 0;
  for (let i = pos; i < stop; i++) {
    const d = (buf[i] ?? 0) - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  return v;
}

const groups = new Array<number>(8).fill(0);

/** Top 48 bits (first three groups) of a textual IPv6 address, expanding `::`. */
function readIpv6Top48(buf: Buffer, pos: number, stop: number): number {
  let n = 0;
  let gap = -1; // index in `groups` where '::' stands
  let g = 0;
  let digits = 0;
  for (let i = pos; i < stop; i++) {
    const ch = buf[i] ?? 0;
    if (ch === COLON) {
      if (digits > 0) {
        groups[n++] = g;
        g = 0;
        digits = 0;
      }
      if (i + 1 < stop && buf[i + 1] === COLON) {
        if (gap >= 0) return NaN;
        gap = n;
        i++;
      }
      continue;
    }
    const d = hexDigit(ch);
    if (d < 0 || n >= 8) return NaN;
    g = g * 16 + d;
    digits++;
  }
  if (digits > 0) groups[n++] = g;
  const at = (k: number): number => {
    if (gap < 0 || k < gap) return groups[k] ?? 0;
    const shift = 8 - n; // zero groups the '::' stands for
    return k < gap + shift ? 0 : (groups[k - shift] ?? 0);
  };
  return (at(0) * 0x10000 + at(1)) * 0x10000 + at(2);
}

function hexDigit(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x57;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x37;
  return -1;
}

function orgText(buf: Buffer, row: Row): string {
  const s = buf.toString('utf8', row.orgStart, row.orgEnd);
  return s.length >= 2 && s.charCodeAt(0) === QUOTE && s.endsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s;
}
