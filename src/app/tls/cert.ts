/**
 * The server's leaf certificate from a TLS <= 1.2 Certificate message (RFC 5246 §7.4.2), parsed with
 * node:crypto's X509Certificate. Once per connection, so a try/catch around the DER parser is fine here.
 */
import { X509Certificate } from 'node:crypto';
import { brotliDecompressSync, inflateSync } from 'node:zlib';
import { ja4x } from './ja4x.js';

export interface LeafCert {
  /** Subject and issuer as one-line DNs, most specific first (`CN=…,O=…,C=…`, RFC 4514 order, as Zeek writes them). */
  subject: string;
  issuer: string;
  /** Validity as ISO 8601 UTC. */
  not_valid_before: string;
  not_valid_after: string;
  /** SHA-1 of the DER, lower-case hex without separators. */
  cert_sha1: string;
  /** JA4X of the certificate (ja4x.ts). */
  ja4x: string;
}

/** Node prints a DN as `C=US\nO=Example\nCN=host`, least specific first, commas in values already escaped. */
function oneLineDn(dn: string): string {
  return dn
    .split('\n')
    .filter((part) => part !== '')
    .reverse()
    .join(',');
}

function isoDate(s: string): string {
  const t = Date.parse(s);
  return Number.isNaN(t) ? s : new Date(t).toISOString();
}

/** Reads the first certificate of a Certificate message body buf[off, end). Null when absent or unparsable. */
export function parseLeafCertificate(buf: Buffer, off: number, end: number): LeafCert | null {
  if (end - off < 6) return null;
  const first = off + 3;
  const len = buf.readUIntBE(first, 3);
  if (len === 0 || first + 3 + len > end) return null;
  try {
    const der = buf.subarray(first + 3, first + 3 + len);
    const x = new X509Certificate(der);
    return {
      subject: oneLineDn(x.subject),
      issuer: oneLineDn(x.issuer),
      not_valid_before: isoDate(x.validFrom),
      not_valid_after: isoDate(x.validTo),
      cert_sha1: x.fingerprint.replace(/:/g, '').toLowerCase(),
      ja4x: ja4x(der),
    };
  } catch {
    return null;
  }
}

/** TLS 1.3 handshake message types that carry the server's chain. */
export const HS_CERTIFICATE = 11;
/** RFC 8879 CompressedCertificate (Chrome asks for it; Cloudflare and Google send it). */
export const HS_COMPRESSED_CERTIFICATE = 25;
/** A decompressed Certificate larger than this is not read (RFC 8879 §4 allows up to 2^24 - 1; real chains are ~2–10 KiB). */
const MAX_UNCOMPRESSED = 256 * 1024;

/**
 * The leaf of a TLS 1.3 Certificate (RFC 8446 §4.4.2: a request context, then the list as in TLS 1.2, each entry
 * followed by its extensions, which the leaf's length skips) or CompressedCertificate (RFC 8879 §4: algorithm,
 * uncompressed length, the compressed Certificate body; zlib and brotli through node:zlib; zstd, which Node 20's zlib
 * lacks, is not read). `type` is the handshake type, buf[off, end) its body. Null when it cannot be read.
 */
export function tls13Leaf(type: number, buf: Buffer, off: number, end: number): LeafCert | null {
  let b = buf;
  let o = off;
  let e = end;
  if (type === HS_COMPRESSED_CERTIFICATE) {
    if (end - off < 8) return null;
    const algorithm = buf.readUInt16BE(off);
    const size = buf.readUIntBE(off + 2, 3);
    const clen = buf.readUIntBE(off + 5, 3);
    if (size > MAX_UNCOMPRESSED || off + 8 + clen > end) return null;
    const packed = buf.subarray(off + 8, off + 8 + clen);
    try {
      if (algorithm === 1) b = inflateSync(packed, { maxOutputLength: size });
      else if (algorithm === 2) b = brotliDecompressSync(packed, { maxOutputLength: size });
      else return null;
    } catch {
      return null; // damaged, or larger than it said
    }
    if (b.length !== size) return null;
    o = 0;
    e = b.length;
  } else if (type !== HS_CERTIFICATE) return null;
  if (e - o < 1) return null;
  return parseLeafCertificate(b, o + 1 + b[o]!, e);
}
