/**
 * IP → autonomous system from the CSV tables of @ip-location-db/asn (RouteViews + RIR + DB-IP ASN Lite, CC-BY-4.0):
 * rows `start,end,asn,org`, one per announced range, sorted by start. No ASN mmdb exists on npm (DEPS.md), so the
 * table is parsed once, on the first public-address lookup, into sorted typed arrays searched by bisection.
 *
 * Keys are doubles: an IPv4 address is its 32-bit number (asn-ipv4-num.csv); an IPv6 address is its top 48 bits
 * (asn-ipv6.csv), exact in a double and exact for every range of /48 or larger, the longest prefix routing tables carry.
 * Parsing walks the bytes and leaves org names undecoded until a lookup needs one: the string-splitting version took
 * 1.4 s for both files, this one a few hundred ms (measured on this machine, test/geo/asn.test.ts prints it).
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

/** One address family: parallel arrays sorted by start, plus the file bytes the org names are read from. */
interface Ranges {
  start: Float64Array;
  end: Float64Array;
  asn: Uint32Array;
  orgStart: Uint32Array;
  orgEnd: Uint32Array;
  buf: Buffer;
}

const COMMA = 0x2c;
const NL = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COLON = 0x3a;

/** Reads asn-ipv4-num.csv and asn-ipv6.csv; either path may be null to skip that family. */
export function loadAsnCsv(v4NumPath: string | null, v6Path: string | null): AsnTable {
  const v4 = v4NumPath === null ? null : parseRanges(v4NumPath, readDecimal);
  const v6 = v6Path === null ? null : parseRanges(v6Path, readIpv6Top48);
  const find = (r: Ranges | null, key: number): AsnInfo | null => {
    if (r === null) return null;
    const i = bisect(r, key);
    return i < 0 ? null : { asn: r.asn[i] ?? 0, org: orgText(r, i) };
  };
  return {
    rows: (v4?.asn.length ?? 0) + (v6?.asn.length ?? 0),
    lookupV4: (key) => find(v4, key),
    lookupV6: (key) => find(v6, key),
  };
}

/** Reads one key at buf[pos], up to the next comma; returns NaN when the field is malformed. */
type KeyReader = (buf: Buffer, pos: number, stop: number) => number;

function parseRanges(path: string, readKey: KeyReader): Ranges {
  const buf = readFileSync(path);
  let n = 0;
  for (let i = buf.indexOf(NL); i >= 0; i = buf.indexOf(NL, i + 1)) n++;
  n++;
  const r: Ranges = {
    start: new Float64Array(n),
    end: new Float64Array(n),
    asn: new Uint32Array(n),
    orgStart: new Uint32Array(n),
    orgEnd: new Uint32Array(n),
    buf,
  };
  let row = 0;
  for (let pos = 0; pos < buf.length; ) {
    let eol = buf.indexOf(NL, pos);
    if (eol < 0) eol = buf.length;
    const c1 = buf.indexOf(COMMA, pos);
    const c2 = c1 < 0 ? -1 : buf.indexOf(COMMA, c1 + 1);
    const c3 = c2 < 0 ? -1 : buf.indexOf(COMMA, c2 + 1);
    if (c3 > 0 && c3 < eol) {
      const start = readKey(buf, pos, c1);
      const end = readKey(buf, c1 + 1, c2);
      // Bisection needs ascending starts; the package ships them sorted, and a file that is not is refused, not misread.
      if (row > 0 && start < (r.start[row - 1] ?? 0)) throw new Error(`${path}: row ${row + 1} is out of order`);
      if (!Number.isNaN(start) && !Number.isNaN(end)) {
        r.start[row] = start;
        r.end[row] = end;
        r.asn[row] = readDecimal(buf, c2 + 1, c3);
        r.orgStart[row] = c3 + 1;
        r.orgEnd[row] = eol > c3 + 1 && buf[eol - 1] === CR ? eol - 1 : eol;
        row++;
      }
    }
    pos = eol + 1;
  }
  return {
    ...r,
    start: r.start.subarray(0, row),
    end: r.end.subarray(0, row),
    asn: r.asn.subarray(0, row),
    orgStart: r.orgStart.subarray(0, row),
    orgEnd: r.orgEnd.subarray(0, row),
  };
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

function orgText(r: Ranges, i: number): string {
  const s = r.buf.toString('utf8', r.orgStart[i] ?? 0, r.orgEnd[i] ?? 0);
  return s.length >= 2 && s.charCodeAt(0) === QUOTE && s.endsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s;
}

/** Index of the last range whose start <= key, if key is also <= its end; -1 otherwise. */
function bisect(r: Ranges, key: number): number {
  let lo = 0;
  let hi = r.start.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((r.start[mid] ?? 0) <= key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && key <= (r.end[found] ?? -1) ? found : -1;
}
