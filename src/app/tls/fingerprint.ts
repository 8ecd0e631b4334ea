/**
 * TLS fingerprints from parsed hellos.
 * - JA3 / JA3S (Salesforce): as tshark computes `tls.handshake.ja3` / `ja3s`: decimal values, GREASE removed
 *   from ciphers, extensions and groups; MD5 of the string.
 * - JA4 (FoxIO, BSD-3-Clause): technical_details/JA4.md. JA4S (FoxIO License 1.1, non-commercial):
 *   technical_details/JA4S.md. Written here from the specification, not from FoxIO's code.
 */
import { hash } from 'node:crypto';
import { ja4Hash } from '../ja4_hash.js';
import { isGrease, type ClientHello, type ServerHello } from './hello.js';

/** `q` QUIC, `d` DTLS, `t` TLS over TCP (JA4's first character). */
export type Ja4Transport = 't' | 'q' | 'd';

// crypto.hash (one-shot) is ~3× faster than createHash().update().digest() for these short strings; the
// strings are ASCII, so the UTF-8 encoding hash() applies equals latin1.
function md5(s: string): string {
  return hash('md5', s, 'hex');
}

function noGrease(list: readonly number[]): number[] {
  return list.filter((v) => !isGrease(v));
}

export function ja3String(ch: ClientHello): string {
  return [
    ch.version,
    noGrease(ch.ciphers).join('-'),
    noGrease(ch.extensions).join('-'),
    noGrease(ch.groups).join('-'),
    ch.point_formats.join('-'),
  ].join(',');
}

export function ja3(ch: ClientHello): string {
  return md5(ja3String(ch));
}

export function ja3sString(sh: ServerHello): string {
  return [sh.version, sh.cipher, noGrease(sh.extensions).join('-')].join(',');
}

export function ja3s(sh: ServerHello): string {
  return md5(ja3sString(sh));
}

/** JA4's two-character version (JA4.md "TLS and DTLS Version"). */
export function ja4Version(v: number): string {
  switch (v) {
    case 0x0304: return '13';
    case 0x0303: return '12';
    case 0x0302: return '11';
    case 0x0301: return '10';
    case 0x0300: return 's3';
    case 0x0002: return 's2';
    case 0xfeff: return 'd1';
    case 0xfefd: return 'd2';
    case 0xfefc: return 'd3';
    default: return '00';
  }
}

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex4(v: number): string {
  return HEX2[(v >> 8) & 0xff]! + HEX2[v & 0xff]!;
}

/** Comma-joined 4-digit hex; numeric order equals JA4's hex-string order because every value has 4 digits. */
function hexList(values: readonly number[], sorted: boolean): string {
  const list = sorted ? [...values].sort((x, y) => x - y) : values;
  let out = '';
  for (let i = 0; i < list.length; i++) out += (i === 0 ? '' : ',') + hex4(list[i]!);
  return out;
}

function twoDigits(n: number): string {
  return (n > 99 ? 99 : n).toString().padStart(2, '0');
}

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * First and last character of an ALPN value, `00` when there is none. When either byte is not alphanumeric,
 * FoxIO's implementations at the commit whose outputs nad is tested against (0e54bc8371) print `99`
 * (tls/tls-non-ascii-alpn.pcapng → t13d151699_…); a later revision of JA4.md prints hex digits instead.
 */
export function ja4Alpn(value: string | undefined): string {
  if (value === undefined || value.length === 0) return '00';
  // Latin-1 strings: each character code is the wire byte.
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  return isAlnum(first) && isAlnum(last) ? String.fromCharCode(first, last) : '99';
}

/** Highest non-GREASE supported_versions value, else the hello's legacy version. */
function helloVersion(ch: ClientHello): number {
  let best = 0;
  for (const v of ch.supported_versions) if (!isGrease(v) && v > best) best = v;
  // DTLS versions count down (0xfefd is newer than 0xfeff): pick the smallest when they are DTLS.
  if (best >= 0xfe00) {
    best = 0xffff;
    for (const v of ch.supported_versions) if (!isGrease(v) && v < best) best = v;
  }
  return best !== 0 ? best : ch.version;
}

export function ja4(ch: ClientHello, transport: Ja4Transport): string {
  const ciphers = noGrease(ch.ciphers);
  const exts = noGrease(ch.extensions);
  const a =
    transport +
    ja4Version(helloVersion(ch)) +
    (ch.has_sni ? 'd' : 'i') +
    twoDigits(ciphers.length) +
    twoDigits(exts.length) +
    ja4Alpn(ch.alpn[0]);
  const hashed = exts.filter((e) => e !== 0x0000 && e !== 0x0010); // SNI and ALPN are in part a already
  const extList = hexList(hashed, true);
  const sigs = hexList(noGrease(ch.sig_algs), false);
  const b = ja4Hash(hexList(ciphers, true));
  // No extensions: zeros, whatever the signature algorithms.
  const c = ja4Hash(extList === '' ? '' : sigs === '' ? extList : `${extList}_${sigs}`);
  return `${a}_${b}_${c}`;
}

/** JA4S (FoxIO License 1.1). */
export function ja4s(sh: ServerHello, transport: Ja4Transport): string {
  const exts = noGrease(sh.extensions);
  const version = sh.selected_version !== 0 ? sh.selected_version : sh.version;
  const a = transport + ja4Version(version) + twoDigits(exts.length) + ja4Alpn(sh.alpn);
  const c = ja4Hash(hexList(exts, false));
  return `${a}_${hex4(sh.cipher)}_${c}`;
}
