/**
 * Address classes and CIDR matching for features, detectors and allow-lists.
 * Internal = RFC 1918, RFC 6598 shared space, loopback, link-local, IPv6 ULA/link-local (RITA's default internal_subnets plus the rest).
 */

/** 32-bit value of a dotted IPv4 address, or null. */
export function ipv4ToInt(ip: string): number | null {
  // Hand-rolled (no split/regex): called for every connection by several detectors.
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const ch = ip.charCodeAt(i);
    if (ch === 46) {
      if (digits === 0 || part > 255) return null;
      v = v * 256 + part; part = 0; digits = 0; dots++;
    } else if (ch >= 48 && ch <= 57 && digits < 3) {
      part = part * 10 + (ch - 48); digits++;
    } else return null;
  }
  if (dots !== 3 || digits === 0 || part > 255) return null;
  return v * 256 + part;
}

/** Expands an IPv6 address to 8 groups of 16 bits, or null. */
export function ipv6ToGroups(ip: string): number[] | null {
  let s = ip.toLowerCase();
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (!s.includes(':')) return null;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  const v4 = ipv4ToInt(s.slice(lastColon + 1));
  // An embedded IPv4 tail (RFC 4291 §2.2 form 3) fills the last two groups: parse it as two zero groups, then overwrite.
  if (v4 !== null) { tail = [v4 >>> 16, v4 & 0xffff]; s = `${s.slice(0, lastColon + 1)}0:0`; }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parse = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) { if (!/^[0-9a-f]{1,4}$/.test(g)) return null; out.push(parseInt(g, 16)); }
    return out;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (head === null || rest === null) return null;
  let groups: number[];
  if (halves.length === 2) groups = [...head, ...new Array<number>(Math.max(0, 8 - head.length - rest.length)).fill(0), ...rest];
  else groups = head;
  if (tail.length === 2) groups = [...groups.slice(0, groups.length - 2), ...tail];
  return groups.length === 8 ? groups : null;
}

export interface Cidr { readonly text: string; readonly v6: boolean; readonly bits: number[]; readonly prefix: number }

/** Parses `10.0.0.0/8`, `fd00::/8` or a bare address; throws an Error naming the text when invalid. */
export function parseCidr(text: string): Cidr {
  const [addr = '', len] = text.trim().split('/');
  const v4 = ipv4ToInt(addr);
  if (v4 !== null) {
    const prefix = len === undefined ? 32 : Number(len);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`invalid CIDR prefix in ${JSON.stringify(text)}`);
    return { text, v6: false, bits: [v4], prefix };
  }
  const g = ipv6ToGroups(addr);
  if (g === null) throw new Error(`invalid address or CIDR ${JSON.stringify(text)}`);
  const prefix = len === undefined ? 128 : Number(len);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 128) throw new Error(`invalid CIDR prefix in ${JSON.stringify(text)}`);
  return { text, v6: true, bits: g, prefix };
}

export function cidrContains(c: Cidr, ip: string): boolean {
  if (!c.v6) {
    const v = ipv4ToInt(ip);
    if (v === null) return false;
    if (c.prefix === 0) return true;
    const shift = 32 - c.prefix;
    return Math.floor(v / 2 ** shift) === Math.floor(c.bits[0]! / 2 ** shift);
  }
  const g = ipv6ToGroups(ip);
  return g !== null && groupsIn(c, g);
}

/**
 * The network part of an address under a prefix length, as a key: two addresses have the same key exactly when one
 * CIDR of that length holds both (intel subnets are looked up this way, one map per prefix length). null when `ip` is
 * not an address of that family.
 */
export function networkKey(ip: string, v6: boolean, prefix: number): string | null {
  if (!v6) {
    const v = ipv4ToInt(ip);
    return v === null ? null : networkKeyOf([v], false, prefix);
  }
  const g = ipv6ToGroups(ip);
  return g === null ? null : networkKeyOf(g, true, prefix);
}

/** networkKey of a CIDR's own network. */
export function cidrNetworkKey(c: Cidr): string {
  return networkKeyOf(c.bits, c.v6, c.prefix);
}

function networkKeyOf(bits: readonly number[], v6: boolean, prefix: number): string {
  if (!v6) return String(prefix === 0 ? 0 : Math.floor(bits[0]! / 2 ** (32 - prefix)));
  let left = prefix;
  return bits.map((x) => { const take = Math.max(0, Math.min(16, left)); left -= take; return (x & ((0xffff << (16 - take)) & 0xffff)).toString(16); }).join(':');
}

/** IPv6 CIDR test on an address already expanded to its 8 groups. */
function groupsIn(c: Cidr, g: readonly number[]): boolean {
  let left = c.prefix;
  for (let i = 0; i < 8 && left > 0; i++) {
    const take = Math.min(16, left);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if ((g[i]! & mask) !== (c.bits[i]! & mask)) return false;
    left -= take;
  }
  return true;
}

const INTERNAL = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16',
  'fc00::/7', 'fe80::/10', '::1/128'].map(parseCidr);

const INTERNAL_BIT = 1;
const GROUP_BIT = 2;

/** Internal IPv4 ranges as (masked base, mask): a test is an AND and a compare. */
const INTERNAL_V4 = INTERNAL.filter((c) => !c.v6).map((c) => {
  const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
  return { base: (c.bits[0]! & mask) >>> 0, mask };
});
const INTERNAL_V6 = INTERNAL.filter((c) => c.v6);

/** IPv6 address → class bits: IPv6 parsing (split, regex) is slow, so each address is parsed once per run. IPv4 is
 *  classed directly: parsing a dotted quad is cheaper than a lookup in a map of every address (first sight of 60k
 *  addresses, as detectors see them: 383 → 37 ms). */
const V6_CLASS_CACHE = new Map<string, number>();

function classOf(ip: string): number {
  const v = ipv4ToInt(ip);
  if (v !== null) {
    const internal = INTERNAL_V4.some((r) => ((v & r.mask) >>> 0) === r.base);
    return (internal ? INTERNAL_BIT : 0) | (v >= 0xe0000000 || (v & 0xff) === 0xff ? GROUP_BIT : 0);
  }
  let bits = V6_CLASS_CACHE.get(ip);
  if (bits === undefined) {
    const group = ip.toLowerCase().startsWith('ff');
    const groups = ipv6ToGroups(ip);
    const internal = groups !== null && INTERNAL_V6.some((c) => groupsIn(c, groups));
    bits = (internal ? INTERNAL_BIT : 0) | (group ? GROUP_BIT : 0);
    if (V6_CLASS_CACHE.size > 1_000_000) V6_CLASS_CACHE.clear();
    V6_CLASS_CACHE.set(ip, bits);
  }
  return bits;
}

/** Private, shared, loopback or link-local address. */
export function isInternal(ip: string): boolean {
  return (classOf(ip) & INTERNAL_BIT) !== 0;
}

/** IPv4 limited/directed broadcast (last octet 255 is a guess for /24 LANs) or any multicast address. */
export function isBroadcastOrMulticast(ip: string): boolean {
  return (classOf(ip) & GROUP_BIT) !== 0;
}
