/**
 * The server's leaf certificate from a TLS <= 1.2 Certificate message (RFC 5246 §7.4.2), parsed with
 * node:crypto's X509Certificate. Once per connection, so a try/catch around the DER parser is fine here.
 */
import { X509Certificate } from 'node:crypto';
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
