/**
 * Threat-intelligence lists (`--intel FILE`, repeatable): the indicators a responder brings from a report, a feed or a
 * MISP export, to be matched against what the capture saw (intel.ts).
 *
 * Three formats, told apart by a leading `{` (STIX) or a `#fields` line (Zeek):
 * - **Zeek's Intel framework file** (what feeds and MISP export for Zeek): tab-separated, a `#fields` line naming the
 *   columns, at least `indicator` and `indicator_type`; `meta.source`, `meta.desc` and `meta.url` are kept; `-` is an empty field.
 *   Types: Intel::ADDR, Intel::SUBNET, Intel::DOMAIN, Intel::URL, Intel::SOFTWARE, Intel::CERT_HASH, Intel::FILE_NAME,
 *   Intel::EMAIL, Intel::USER_NAME, Intel::FILE_HASH (MD5 or SHA-256), and the
 *   fingerprint types of Zeek's JA3/HASSH packages and FoxIO's (Intel::JA3, JA3S, JA4, JA4S, JA4H, JA4X, HASSH,
 *   HASSHSERVER). Types nad cannot see (PUBKEY_HASH, …) are counted, not
 *   errors: a feed mixes them.
 * - **A plain list**: one indicator a line (the first word; `#` starts a comment), its type read from its form: an
 *   address, a CIDR, a URL (a scheme or a `/`), an e-mail address, a JA4, or a host name.
 * - **A STIX 2.x bundle** (JSON, what ISACs and CISA advisories publish; intel_stix.ts): the indicators whose
 *   pattern is one or more equality comparisons joined by OR.
 *
 * A line nad cannot use is counted with its reason and the first one is named, so a responder knows what the list
 * did not check; a file with nothing usable, or one that cannot be read, is an error (one line, exit 2).
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { ipv4ToInt, ipv6ToGroups, parseCidr, type Cidr } from '../features/address.js';
import { stixEntries } from './intel_stix.js';

export type IntelType =
  | 'addr' | 'subnet' | 'domain' | 'url' | 'software' | 'cert_hash' | 'file_hash' | 'file_name' | 'email' | 'user_name'
  | 'ja3' | 'ja3s' | 'ja4' | 'ja4s' | 'ja4h' | 'ja4x' | 'hassh' | 'hassh_server';

export interface IntelItem {
  type: IntelType;
  /** As matched: addresses as addrKey, names lower case without a trailing dot, URLs without their scheme, hashes lower case. */
  key: string;
  /** As the file wrote it. */
  indicator: string;
  /** meta.source (Zeek) or the file's name. */
  source: string;
  desc: string;
  /** Where the list points for more (Zeek's meta.url, a STIX indicator's first external reference URL), '' when none. */
  url: string;
  /** For subnet items. */
  cidr?: Cidr;
}

export interface IntelFileFacts {
  path: string;
  sha256: string;
  format: 'zeek' | 'plain' | 'stix';
  indicators: number;
  /** Lines left out, by reason (`type Intel::PUBKEY_HASH`, `bad address`, …). */
  skipped: Record<string, number>;
  /** The first line left out, for the warning: `line 7: …`. */
  first_skipped: string;
}

export interface IntelList { items: IntelItem[]; files: IntelFileFacts[] }

/** An e-mail address (RFC 5321's local@domain, loosely: what mail headers and envelopes carry). */
const EMAIL = /^[^\s@<>"]+@[a-z0-9.-]+\.[a-z0-9-]+$/;

const ZEEK_TYPES: Readonly<Record<string, IntelType>> = {
  'Intel::ADDR': 'addr', 'Intel::SUBNET': 'subnet', 'Intel::DOMAIN': 'domain', 'Intel::URL': 'url',
  'Intel::SOFTWARE': 'software', 'Intel::CERT_HASH': 'cert_hash', 'Intel::JA3': 'ja3', 'Intel::JA3S': 'ja3s',
  'Intel::JA4': 'ja4', 'Intel::JA4S': 'ja4s', 'Intel::JA4H': 'ja4h', 'Intel::JA4X': 'ja4x', 'Intel::HASSH': 'hassh',
  'Intel::HASSHSERVER': 'hassh_server', 'Intel::FILE_NAME': 'file_name', 'Intel::FILE_HASH': 'file_hash',
  'Intel::EMAIL': 'email', 'Intel::USER_NAME': 'user_name',
};

const ZEEK_NAMES = new Map(Object.entries(ZEEK_TYPES).map(([name, t]) => [t, name]));

/** Zeek's own spelling of a type, for evidence, intel.csv and the report. */
export function zeekTypeName(t: IntelType): string {
  return ZEEK_NAMES.get(t) ?? t;
}

/** An address as one key for IPv4 and IPv6 spellings alike ('' when not an address): `4:<int>` or the 8 groups in hex. */
export function addrKey(ip: string): string {
  const v4 = ipv4ToInt(ip);
  if (v4 !== null) return `4:${v4}`;
  const g = ipv6ToGroups(ip);
  return g === null ? '' : g.map((x) => x.toString(16)).join(':');
}

const HOST = /^(?=.{1,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** FoxIO's JA4: protocol, version, SNI (d/i), cipher and extension counts, ALPN; then two 12-hex hashes. */
const JA4 = /^[tqd][0-9a-z]{2}[di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/;
const HEX = /^[0-9a-f]+$/;

/** A domain as matched: lower case, no trailing dot, a leading `*.` dropped (the name and its subdomains match anyway). */
export function domainKey(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '').replace(/^\*\./, '');
}

/** An absolute URL's scheme (RFC 3986 §3.1), as lists write URLs and proxy requests send them (RFC 9112 §3.2.2). */
export const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** A URL as Zeek's HTTP::IN_URL writes it: host (lower case, no default port) and URI, no scheme. */
export function urlKey(url: string): string {
  const s = url.trim().replace(SCHEME, '');
  const slash = s.indexOf('/');
  const host = (slash < 0 ? s : s.slice(0, slash)).toLowerCase().replace(/:(80|443)$/, '').replace(/\.$/, '');
  return `${host}${slash < 0 ? '/' : s.slice(slash)}`;
}

/** The item for one indicator of a known type, or the reason it cannot be one. */
export function intelItem(type: IntelType, indicator: string, source: string, desc: string, url = ''): IntelItem | string {
  const base = { type, indicator, source, desc, url };
  switch (type) {
    case 'addr': {
      const key = addrKey(indicator.trim());
      return key === '' ? 'bad address' : { ...base, key };
    }
    case 'subnet':
      try {
        const cidr = parseCidr(indicator);
        return { ...base, key: cidr.text, cidr };
      } catch {
        return 'bad subnet';
      }
    case 'domain': {
      const key = domainKey(indicator);
      return HOST.test(key) ? { ...base, key } : 'bad domain';
    }
    case 'url': {
      const key = urlKey(indicator);
      return key.startsWith('/') ? 'bad URL' : { ...base, key };
    }
    case 'software':
      return indicator === '' ? 'empty' : { ...base, key: indicator };
    case 'email': {
      const key = indicator.trim().replace(/^<|>$/g, '').toLowerCase();
      return EMAIL.test(key) ? { ...base, key } : 'bad e-mail address';
    }
    case 'user_name': {
      const key = indicator.trim();
      return key === '' ? 'empty' : { ...base, key };
    }
    case 'file_name': {
      // A name, not a path: what an HTTP request's URI ends in.
      const key = indicator.trim();
      return key === '' || key.includes('/') ? 'bad file name' : { ...base, key };
    }
    default: {
      // Hashes and fingerprints: compared lower case; a certificate hash may be written with colons.
      const lower = indicator.trim().toLowerCase();
      const key = type === 'cert_hash' ? lower.replace(/:/g, '') : lower;
      if (type === 'ja4' && !JA4.test(key)) return 'bad JA4';
      if ((type === 'ja3' || type === 'ja3s' || type === 'hassh' || type === 'hassh_server') && !(key.length === 32 && HEX.test(key))) return `bad ${type.toUpperCase()}`;
      if (type === 'cert_hash' && !(key.length === 40 && HEX.test(key))) return 'bad certificate SHA-1';
      // Files are hashed with MD5 and SHA-256 (http.csv resp_md5, resp_sha256): a SHA-1 could never match.
      if (type === 'file_hash' && key.length === 40 && HEX.test(key)) return 'SHA-1 file hash (nad gives MD5 and SHA-256)';
      if (type === 'file_hash' && !((key.length === 32 || key.length === 64) && HEX.test(key))) return 'bad file hash';
      return key === '' ? 'empty' : { ...base, key };
    }
  }
}

/** A plain list's indicator: its type from its form. */
function plainItem(word: string, source: string): IntelItem | string {
  if (word.includes('/') && !/^[0-9a-f.:]+\/\d+$/i.test(word)) return intelItem('url', word, source, '');
  if (word.includes('/')) return intelItem('subnet', word, source, '');
  if (addrKey(word) !== '') return intelItem('addr', word, source, '');
  if (EMAIL.test(word.toLowerCase())) return intelItem('email', word, source, '');
  const lower = word.toLowerCase();
  if (JA4.test(lower)) return intelItem('ja4', word, source, '');
  if (HOST.test(domainKey(word)) && /[a-z]/i.test(word)) return intelItem('domain', word, source, '');
  return 'not an address, CIDR, URL, JA4 or host name';
}

/** Parses one list; `path` names it in messages and is the items' source where the file gives none. */
export function parseIntel(text: string, path: string): { items: IntelItem[]; facts: IntelFileFacts } {
  const lines = text.split(/\r?\n/);
  const fieldsAt = lines.findIndex((l) => l.startsWith('#fields'));
  const format = text.trimStart().startsWith('{') ? 'stix' : fieldsAt >= 0 ? 'zeek' : 'plain';
  const name = path.split('/').pop() ?? path;
  const items: IntelItem[] = [];
  const skipped: Record<string, number> = {};
  let firstSkipped = '';
  const skipAt = (where: string, reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
    if (firstSkipped === '') firstSkipped = `${where}: ${reason}`;
  };
  const skip = (n: number, reason: string): void => skipAt(`line ${n}`, reason);
  const take = (n: number, r: IntelItem | string): void => {
    if (typeof r === 'string') skip(n, r);
    else items.push(r);
  };
  if (format === 'stix') {
    for (const { where, entry: e } of stixEntries(text, path, name)) {
      const r = typeof e === 'string' ? e : intelItem(e.type, e.value, e.source, e.desc, e.url);
      if (typeof r === 'string') skipAt(where, r);
      else items.push(r);
    }
  } else if (format === 'zeek') {
    const cols = lines[fieldsAt]!.split('\t').slice(1);
    const at = (c: string): number => cols.indexOf(c);
    const iInd = at('indicator');
    const iType = at('indicator_type');
    if (iInd < 0 || iType < 0) throw new Error(`${path}: line ${fieldsAt + 1}: the #fields line needs indicator and indicator_type`);
    const iSrc = at('meta.source');
    const iDesc = at('meta.desc');
    const iUrl = at('meta.url');
    for (let i = fieldsAt + 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '' || line.startsWith('#')) continue;
      const f = line.split('\t');
      if (f.length !== cols.length) { skip(i + 1, `${f.length} fields, the #fields line names ${cols.length}`); continue; }
      const field = (k: number): string => (k < 0 || f[k] === '-' || f[k] === '(empty)' ? '' : f[k]!);
      const zt = field(iType);
      const type = ZEEK_TYPES[zt];
      if (type === undefined) { skip(i + 1, `type ${zt || '(none)'}`); continue; }
      take(i + 1, intelItem(type, field(iInd), field(iSrc) || name, field(iDesc), field(iUrl)));
    }
  } else {
    for (let i = 0; i < lines.length; i++) {
      const word = (lines[i]!.split('#')[0] ?? '').trim().split(/\s+/)[0] ?? '';
      if (word === '') continue;
      take(i + 1, plainItem(word, name));
    }
  }
  const facts: IntelFileFacts = {
    path, sha256: createHash('sha256').update(text).digest('hex'), format, indicators: items.length, skipped, first_skipped: firstSkipped,
  };
  if (items.length === 0) throw new Error(`${path}: no usable indicator${firstSkipped === '' ? ' (the file is empty)' : ` (${firstSkipped})`}`);
  return { items, facts };
}

/** Reads and parses every list; throws an Error with a one-line message naming the file. */
export function loadIntel(paths: readonly string[]): IntelList {
  const out: IntelList = { items: [], files: [] };
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new Error(`${path}: cannot read intel list: ${(e as Error).message.split('\n')[0]}`);
    }
    const { items, facts } = parseIntel(bytes.toString('utf8'), path);
    // The file's own bytes, for chain of custody (the text may differ where it is not UTF-8).
    facts.sha256 = createHash('sha256').update(bytes).digest('hex');
    out.items.push(...items);
    out.files.push(facts);
  }
  return out;
}
