/**
 * ClientHello and ServerHello bodies (RFC 8446 §4.1.2–4.1.3, RFC 5246 §7.4.1, DTLS RFC 6347 §4.2.1).
 * Called once per hello, not per packet: plain objects are fine here. Every length is checked against `end`;
 * a hello that does not fit returns null (counted by the caller), never throws.
 */

export interface ClientHello {
  /** legacy_version of the ClientHello body (0x0303 for TLS 1.2 and 1.3). */
  version: number;
  /** Every value in wire order, GREASE included (the fingerprints filter it). */
  ciphers: number[];
  extensions: number[];
  /** server_name host_name, '' when absent. */
  sni: string;
  /** True when the server_name extension is present (JA4's d/i), even if empty. */
  has_sni: boolean;
  /** ALPN protocol names as latin1 strings (one character per byte, so alpn[0] also gives JA4 its bytes). */
  alpn: string[];
  supported_versions: number[];
  sig_algs: number[];
  groups: number[];
  point_formats: number[];
}

export interface ServerHello {
  version: number;
  cipher: number;
  extensions: number[];
  /** supported_versions selected_version, 0 when the extension is absent. */
  selected_version: number;
  /** ALPN protocol the server chose as a latin1 string, '' when none. */
  alpn: string;
  /** A HelloRetryRequest: a ServerHello whose random is the fixed value of RFC 8446 §4.1.3. */
  hrr: boolean;
}

const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** GREASE (RFC 8701): 0x0a0a, 0x1a1a … 0xfafa. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

const EXT_SNI = 0x0000;
const EXT_GROUPS = 0x000a;
const EXT_POINT_FORMATS = 0x000b;
const EXT_SIG_ALGS = 0x000d;
const EXT_ALPN = 0x0010;
const EXT_SUPPORTED_VERSIONS = 0x002b;

/** Parses a ClientHello body buf[off, end) (after the 4-byte handshake header). dtls: a cookie follows the session id. */
export function parseClientHello(buf: Buffer, off: number, end: number, dtls: boolean): ClientHello | null {
  let o = off;
  if (end - o < 35) return null;
  const version = buf.readUInt16BE(o);
  o += 34; // version + random
  const sid = buf[o]!;
  o += 1 + sid;
  if (dtls) {
    if (o >= end) return null;
    o += 1 + buf[o]!;
  }
  if (o + 2 > end) return null;
  const clen = buf.readUInt16BE(o);
  o += 2;
  if (o + clen > end) return null;
  const ciphers: number[] = [];
  for (let i = 0; i + 1 < clen; i += 2) ciphers.push((buf[o + i]! << 8) | buf[o + i + 1]!);
  o += clen;
  if (o >= end) return null;
  o += 1 + buf[o]!; // compression methods
  if (o > end) return null;
  const ch: ClientHello = {
    version, ciphers, extensions: [], sni: '', has_sni: false, alpn: [],
    supported_versions: [], sig_algs: [], groups: [], point_formats: [],
  };
  if (o + 2 > end) return ch; // no extensions block (SSL 3.0 / early TLS)
  const elen = buf.readUInt16BE(o);
  o += 2;
  const eend = Math.min(end, o + elen);
  while (o + 4 <= eend) {
    const type = buf.readUInt16BE(o);
    const len = buf.readUInt16BE(o + 2);
    o += 4;
    if (o + len > eend) return null;
    ch.extensions.push(type);
    readClientExtension(ch, type, buf, o, o + len);
    o += len;
  }
  return ch;
}

function readClientExtension(ch: ClientHello, type: number, buf: Buffer, o: number, end: number): void {
  switch (type) {
    case EXT_SNI: {
      ch.has_sni = true;
      // server_name_list: u16 length, then (u8 type, u16 len, name)*; host_name is type 0.
      let q = o + 2;
      while (q + 3 <= end) {
        const nt = buf[q]!;
        const nl = buf.readUInt16BE(q + 1);
        q += 3;
        if (q + nl > end) return;
        if (nt === 0 && ch.sni === '') ch.sni = buf.toString('latin1', q, q + nl);
        q += nl;
      }
      return;
    }
    case EXT_ALPN: {
      let q = o + 2;
      while (q < end) {
        const l = buf[q]!;
        q += 1;
        if (q + l > end) return;
        ch.alpn.push(buf.toString('latin1', q, q + l));
        q += l;
      }
      return;
    }
    case EXT_GROUPS:
      readU16List(buf, o + 2, Math.min(end, o + 2 + (end - o >= 2 ? buf.readUInt16BE(o) : 0)), ch.groups);
      return;
    case EXT_SIG_ALGS:
      readU16List(buf, o + 2, Math.min(end, o + 2 + (end - o >= 2 ? buf.readUInt16BE(o) : 0)), ch.sig_algs);
      return;
    case EXT_POINT_FORMATS: {
      if (o >= end) return;
      const n = Math.min(buf[o]!, end - o - 1);
      for (let i = 0; i < n; i++) ch.point_formats.push(buf[o + 1 + i]!);
      return;
    }
    case EXT_SUPPORTED_VERSIONS: {
      if (o >= end) return;
      const n = buf[o]!;
      readU16List(buf, o + 1, Math.min(end, o + 1 + n), ch.supported_versions);
      return;
    }
    default:
  }
}

function readU16List(buf: Buffer, o: number, end: number, out: number[]): void {
  for (let q = o; q + 2 <= end; q += 2) out.push((buf[q]! << 8) | buf[q + 1]!);
}

/** Parses a ServerHello body buf[off, end). */
export function parseServerHello(buf: Buffer, off: number, end: number): ServerHello | null {
  let o = off;
  if (end - o < 38) return null;
  const version = buf.readUInt16BE(o);
  o += 34;
  o += 1 + buf[o]!;
  if (o + 3 > end) return null;
  const cipher = buf.readUInt16BE(o);
  o += 3; // cipher + compression method
  const hrr = buf.compare(HRR_RANDOM, 0, 32, off + 2, off + 34) === 0;
  const sh: ServerHello = { version, cipher, extensions: [], selected_version: 0, alpn: '', hrr };
  if (o + 2 > end) return sh;
  const elen = buf.readUInt16BE(o);
  o += 2;
  const eend = Math.min(end, o + elen);
  while (o + 4 <= eend) {
    const type = buf.readUInt16BE(o);
    const len = buf.readUInt16BE(o + 2);
    o += 4;
    if (o + len > eend) return null;
    sh.extensions.push(type);
    if (type === EXT_SUPPORTED_VERSIONS && len >= 2) sh.selected_version = buf.readUInt16BE(o);
    else if (type === EXT_ALPN && len >= 3) {
      const l = buf[o + 2]!;
      if (o + 3 + l <= o + len) sh.alpn = buf.toString('latin1', o + 3, o + 3 + l);
    }
    o += len;
  }
  return sh;
}
