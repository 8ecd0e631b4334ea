/**
 * Special-purpose address ranges (IANA IPv4/IPv6 Special-Purpose Address Registries, RFC 6890 and successors).
 * An address in one of them is labelled with its scope and never looked up: a GeoIP database either has nothing for
 * it or, worse, something misleading (an IPv6 address in an IPv4-only mmdb returns a wrong record, see DEPS.md).
 */

import { ipv4ToInt } from '../features/address.js';

/** Where an address lives. Only `public` addresses are looked up. */
export type Scope =
  | 'public'
  | 'private'
  | 'cgnat'
  | 'loopback'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved'
  | 'invalid';

/** A parsed address: 4 or 16 bytes. IPv4-mapped and NAT64 IPv6 addresses also carry the IPv4 address they embed. */
export interface ParsedIp {
  family: 4 | 6;
  bytes: Uint8Array;
  /** Dotted IPv4 embedded in ::ffff:a.b.c.d or 64:ff9b::a.b.c.d, else null. */
  v4: string | null;
}

export function parseIp(text: string): ParsedIp | null {
  const ip = text.trim();
  if (ip.includes(':')) {
    const bytes = parseIpv6(ip);
    if (bytes === null) return null;
    return { family: 6, bytes, v4: embeddedV4(bytes) };
  }
  const bytes = parseIpv4(ip);
  return bytes === null ? null : { family: 4, bytes, v4: null };
}

/** Dotted quad: four parts of 1–3 ASCII digits, each <= 255, by the features' parser (no split or regex: the report
 *  looks up every endpoint of a capture, 39,686 on big.pcap, and split + a regex per part cost a third of it). */
function parseIpv4(ip: string): Uint8Array | null {
  const v = ipv4ToInt(ip);
  return v === null ? null : Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
}

function parseIpv6(text: string): Uint8Array | null {
  const ip = text.replace(/%.*$/, ''); // zone id (fe80::1%eth0) names an interface, not part of the address
  const halves = ip.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? '';
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === null) return null;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return null;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

function prefixEquals(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function embeddedV4(b: Uint8Array): string | null {
  const mapped = prefixEquals(b, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]); // ::ffff:0:0/96, RFC 4291 §2.5.5.2
  const nat64 = prefixEquals(b, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]); // 64:ff9b::/96, RFC 6052
  return mapped || nat64 ? `${b[12]}.${b[13]}.${b[14]}.${b[15]}` : null;
}

/** [first bytes, prefix length in bits, scope], most specific first where ranges nest. */
type Range = readonly [readonly number[], number, Scope];

const V4_RANGES: readonly Range[] = [
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[0], 8, 'reserved'], // "this network", RFC 791
  [[10], 8, 'private'], // RFC 1918
  [[100, 64], 10, 'cgnat'], // RFC 6598 shared address space
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'], // RFC 3927
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'reserved'], // IETF protocol assignments, RFC 6890
  [[192, 0, 2], 24, 'documentation'], // TEST-NET-1, RFC 5737
  [[192, 88, 99], 24, 'reserved'], // deprecated 6to4 relay anycast, RFC 7526
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'reserved'], // benchmarking, RFC 2544
  [[198, 51, 100], 24, 'documentation'], // TEST-NET-2
  [[203, 0, 113], 24, 'documentation'], // TEST-NET-3
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved'], // future use, RFC 1112
];

const V6_RANGES: readonly Range[] = [
  [[...new Array<number>(15).fill(0), 1], 128, 'loopback'],
  [new Array<number>(16).fill(0), 128, 'reserved'], // unspecified ::
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard-only, RFC 6666
  [[0x20, 0x01, 0x00, 0x02, 0, 0], 48, 'reserved'], // benchmarking, RFC 5180
  [[0x20, 0x01, 0x00, 0x10], 28, 'reserved'], // ORCHID, RFC 4843
  [[0x20, 0x01, 0x00, 0x20], 28, 'reserved'], // ORCHIDv2, RFC 7343
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'], // RFC 3849
  [[0x3f, 0xff], 20, 'documentation'], // RFC 9637
  [[0xfc], 7, 'private'], // unique local, RFC 4193
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'reserved'], // deprecated site-local, RFC 3879
  [[0xff], 8, 'multicast'],
];

function inRange(bytes: Uint8Array, [prefix, bits]: Range): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The scope of an address; IPv4-mapped/NAT64 addresses take the scope of the IPv4 address they embed. */
export function scopeOf(ip: ParsedIp): Scope {
  if (ip.v4 !== null) {
    const v4 = parseIpv4(ip.v4);
    return v4 === null ? 'invalid' : scopeOfBytes(v4, V4_RANGES);
  }
  if (ip.family === 4) return scopeOfBytes(ip.bytes, V4_RANGES);
  const s = scopeOfBytes(ip.bytes, V6_RANGES);
  // Global unicast is 2000::/3 (RFC 4291 §2.4); everything else not listed above is unassigned or reserved.
  if (s === 'public' && ((ip.bytes[0] ?? 0) & 0xe0) !== 0x20) return 'reserved';
  return s;
}

function scopeOfBytes(bytes: Uint8Array, ranges: readonly Range[]): Scope {
  return ranges.find((r) => inRange(bytes, r))?.[2] ?? 'public';
}
