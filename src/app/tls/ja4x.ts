/**
 * JA4X, FoxIO's X.509 certificate fingerprint (FoxIO License 1.1: non-commercial use; see README, Licences), written
 * here from FoxIO's specification (technical_details/JA4X.md): sha256[:12] of the issuer's RDN attribute-type OIDs in
 * the order they appear (each as the hex of its DER content, `,`-joined), then of the subject's, then of the
 * extension OIDs, joined by `_`. It names the software that made a certificate (a C2 framework's default, a
 * self-signing library), whatever names it was given.
 *
 * A bounded DER walk of RFC 5280 §4.1: every length is checked against its parent before it is used, so a hostile
 * certificate gives '' and never throws or reads past the buffer.
 */
import { ja4Hash } from '../ja4_hash.js';

const SEQUENCE = 0x30;
const SET = 0x31;
const OID = 0x06;

interface Tlv { tag: number; start: number; end: number }

/** The TLV at der[off] within [off, limit), or null when its header or length does not fit (definite lengths only). */
function tlv(der: Uint8Array, off: number, limit: number): Tlv | null {
  if (off + 2 > limit) return null;
  const tag = der[off]!;
  let len = der[off + 1]!;
  let start = off + 2;
  if (len >= 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  const end = start + len;
  return end > limit ? null : { tag, start, end };
}

/** The hex of each attribute type OID of a Name (SEQUENCE OF SET OF SEQUENCE { type, value }), in order. */
function rdnOids(der: Uint8Array, name: Tlv): string[] | null {
  const out: string[] = [];
  for (let p = name.start; p < name.end;) {
    const set = tlv(der, p, name.end);
    if (set === null || set.tag !== SET) return null;
    for (let q = set.start; q < set.end;) {
      const atv = tlv(der, q, set.end);
      if (atv === null || atv.tag !== SEQUENCE) return null;
      const type = tlv(der, atv.start, atv.end);
      if (type === null || type.tag !== OID) return null;
      out.push(hex(der, type));
      q = atv.end;
    }
    p = set.end;
  }
  return out;
}

function hex(der: Uint8Array, t: Tlv): string {
  return Buffer.from(der.buffer, der.byteOffset + t.start, t.end - t.start).toString('hex');
}

/** JA4X of a DER certificate; '' when it is not one. */
export function ja4x(der: Uint8Array): string {
  const cert = tlv(der, 0, der.length);
  if (cert === null || cert.tag !== SEQUENCE) return '';
  const tbs = tlv(der, cert.start, cert.end);
  if (tbs === null || tbs.tag !== SEQUENCE) return '';
  const fields: Tlv[] = [];
  for (let p = tbs.start; p < tbs.end;) {
    const f = tlv(der, p, tbs.end);
    if (f === null) return '';
    fields.push(f);
    p = f.end;
  }
  // [0] version is optional (v1 certificates leave it out); then serial, signature, issuer, validity, subject, key.
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[at + 2];
  const subject = fields[at + 4];
  if (issuer?.tag !== SEQUENCE || subject?.tag !== SEQUENCE) return '';
  const issuerOids = rdnOids(der, issuer);
  const subjectOids = rdnOids(der, subject);
  if (issuerOids === null || subjectOids === null) return '';
  const extOids: string[] = [];
  const ext = fields.slice(at + 6).find((f) => f.tag === 0xa3);
  if (ext !== undefined) {
    const list = tlv(der, ext.start, ext.end);
    if (list === null || list.tag !== SEQUENCE) return '';
    for (let p = list.start; p < list.end;) {
      const e = tlv(der, p, list.end);
      if (e === null || e.tag !== SEQUENCE) return '';
      const id = tlv(der, e.start, e.end);
      if (id === null || id.tag !== OID) return '';
      extOids.push(hex(der, id));
      p = e.end;
    }
  }
  return `${ja4Hash(issuerOids.join(','))}_${ja4Hash(subjectOids.join(','))}_${ja4Hash(extOids.join(','))}`;
}
